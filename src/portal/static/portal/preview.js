/* Klantportaal — the document viewer (R-SIG-3). Without this script everything works: the
 * page links, the "go to page" form and the "try again" link. With it, the left and right arrow
 * keys turn the page (not while typing in a field), and a document still being prepared is
 * looked at again every few seconds, for at most a minute. */
(function () {
  "use strict";

  var pending = document.querySelector("[data-preview-pending]");
  if (pending) {
    var tries = Number(new URLSearchParams(window.location.search).get("poging") || "0");
    if (tries < 20) {
      window.setTimeout(function () {
        var url = new URL(window.location.href);
        url.searchParams.set("poging", String(tries + 1));
        window.location.replace(url.toString());
      }, 3000);
    }
    return;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName))) {
      return;
    }
    var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : "";
    var link = rel && document.querySelector('.preview-nav a[rel="' + rel + '"]');
    if (link) {
      event.preventDefault();
      link.click();
    }
  });
})();
