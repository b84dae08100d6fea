/* Klantportaal — the warning before the idle timeout (ASVS V7).
 *
 * The server ends a session after SESSION_IDLE_MINUTES without a request. This page counts down
 * from its own load: SESSION_WARNING_SECONDS before the end it shows "Bent u er nog?" with
 * "Ingelogd blijven" (a POST that counts as activity and restarts the countdown) and
 * "Uitloggen". At the end it goes to the login page, which the server would send it to anyway.
 * The numbers come from data attributes on <body>; no inline script.
 */
(function () {
  "use strict";

  var body = document.body;
  var idle = parseInt(body.getAttribute("data-session-idle"), 10);
  var warning = parseInt(body.getAttribute("data-session-warning"), 10);
  var keepAliveUrl = body.getAttribute("data-keep-alive");
  var dialog = document.getElementById("session-warning");
  if (!idle || !warning || !keepAliveUrl || !dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var stay = document.getElementById("session-stay");
  var csrf = dialog.querySelector("input[name=csrfmiddlewaretoken]");
  var warnTimer = null;
  var endTimer = null;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(function () {
      if (!dialog.open) {
        dialog.showModal();
        stay.focus();
      }
    }, (idle - warning) * 1000);
    endTimer = window.setTimeout(function () {
      window.location.reload(); // the server has ended the session: the login page follows
    }, (idle + 2) * 1000);
  }

  stay.addEventListener("click", function () {
    fetch(keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf ? csrf.value : "", "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok) {
        dialog.close();
        schedule();
      } else {
        window.location.reload();
      }
    });
  });

  schedule();
})();
