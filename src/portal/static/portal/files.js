/* Klantportaal — file inputs in the page's language (R-X-4). The browser's own file input
 * speaks the browser's language ("Choose Files"); documents/_file_input.html hides it visually
 * behind a <label> styled as a button, and this script shows next to it the names of the chosen
 * files, or "Geen bestand gekozen". Without this script the label still opens the chooser and
 * the form still sends the files; only the names are not shown. */
(function () {
  "use strict";

  document.querySelectorAll(".file-chooser").forEach(function (chooser) {
    if (chooser.hasAttribute("data-ready")) {
      return; // the script is included once per input; each input is set up once
    }
    chooser.setAttribute("data-ready", "");
    var input = chooser.querySelector("input[type=file]");
    var names = chooser.querySelector(".file-chooser-names");
    if (!input || !names) {
      return;
    }
    var show = function () {
      var files = Array.prototype.map.call(input.files || [], function (file) {
        return file.name;
      });
      names.textContent = files.length ? files.join(", ") : names.getAttribute("data-none");
    };
    input.addEventListener("change", show);
    window.addEventListener("pageshow", show); // a page from the back/forward cache keeps its files
    show();
  });
})();
