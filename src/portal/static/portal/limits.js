/* Klantportaal — the length limit of a text field, shown before it bites.
 *
 * A field with data-limit-counter="<id>" has a maxlength; the element <id> (server-rendered,
 * "max. 200 tekens", which is what a page without this script shows) becomes a live counter
 * "12 van 200 tekens" while typing. At the maximum the counter is marked and says so, and a
 * screen reader hears it once: the browser stops typing and cuts a paste there, so the client
 * sees why. A longer value the server sent back (with its error) shows as over the maximum.
 *
 * The count is what the browser's maxlength counts: UTF-16 code units, a line break as one.
 * The server counts code points, so it never refuses what the browser let through.
 * All texts come from data attributes the server rendered in the user's language.
 */
(function () {
  "use strict";

  function count(field) {
    return field.value.replace(/\r\n?/g, "\n").length;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-limit-counter]"), function (field) {
    var counter = document.getElementById(field.getAttribute("data-limit-counter"));
    var max = field.maxLength;
    if (!counter || !(max > 0)) {
      return;
    }
    var template = counter.getAttribute("data-template");
    var reached = counter.getAttribute("data-reached");
    // Announced only when the maximum is reached, not at every key.
    var announcer = document.createElement("span");
    announcer.className = "visually-hidden";
    announcer.setAttribute("role", "status");
    counter.parentNode.insertBefore(announcer, counter.nextSibling);
    var text = document.createElement("span");
    var note = document.createElement("strong");
    counter.textContent = "";
    counter.appendChild(text);
    counter.appendChild(note);

    var wasAtMax = null;
    var update = function () {
      var n = count(field);
      var atMax = n >= max;
      text.textContent = template.replace("__N__", String(n));
      note.textContent = atMax ? " — " + reached : "";
      counter.classList.toggle("at-max", atMax);
      if (wasAtMax === false && atMax) {
        announcer.textContent = reached + ": " + text.textContent;
      } else if (!atMax) {
        announcer.textContent = "";
      }
      wasAtMax = atMax;
    };
    field.addEventListener("input", update);
    update();
  });
})();
