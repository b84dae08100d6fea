/* Klantportaal — the dossier tab strip (R-DOS-4, R-X-4). On a narrow screen the tabs scroll
 * sideways in one row; this brings the active tab into view when the page opens, without
 * scrolling the page itself. Without this script the strip works the same, scrolled to the start. */
(function () {
  "use strict";

  document.querySelectorAll(".tabs").forEach(function (strip) {
    var active = strip.querySelector('[aria-current="page"]');
    if (!active || strip.scrollWidth <= strip.clientWidth) {
      return;
    }
    var item = active.closest("li") || active;
    // The strip is positioned, so offsetLeft is measured from its start.
    strip.scrollLeft = Math.max(0, item.offsetLeft - (strip.clientWidth - item.offsetWidth) / 2);
  });
})();
