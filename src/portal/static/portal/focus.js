/* Klantportaal — a focused control is shown whole (WCAG 2.2 criterion 2.4.11).
 *
 * Chromium does not scroll a strip that scrolls sideways (the workspace's section navigation
 * on a phone) when the control that receives focus is already partly visible in it: half a
 * link stays cut off at the edge. On every keyboard focus inside such a strip the strip is
 * scrolled just enough to show it ("nearest"); the page's own vertical position is left to the
 * browser, which keeps clear of the sticky bars through the stylesheet's scroll-padding-top.
 */
(function () {
  "use strict";

  function sidewaysScroller(element) {
    for (var node = element.parentElement; node && node !== document.body; node = node.parentElement) {
      if (node.scrollWidth > node.clientWidth) {
        var overflow = window.getComputedStyle(node).overflowX;
        if (overflow === "auto" || overflow === "scroll") {
          return node;
        }
      }
    }
    return null;
  }

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    var strip = target instanceof Element ? sidewaysScroller(target) : null;
    if (!strip) {
      return;
    }
    var box = target.getBoundingClientRect();
    var frame = strip.getBoundingClientRect();
    if (box.left < frame.left) {
      strip.scrollLeft -= frame.left - box.left + 8;
    } else if (box.right > frame.right) {
      strip.scrollLeft += box.right - frame.right + 8;
    }
  });
})();
