/* Klantportaal — a "Wachtwoord tonen" / "Show password" button after every password field
 * (WCAG 2.2 criterion 3.3.8: a password can be checked instead of remembered character by
 * character; the fields also allow pasting and password managers).
 *
 * A toggle button (aria-pressed) with a fixed name, controlling its field. The name comes from
 * the data-show-password attribute of <body>, in the page's language; no inline script. On
 * submit the field is a password field again, so the browser never keeps it as plain text.
 * Without JavaScript the field works as before, only without the button.
 */
(function () {
  "use strict";

  var label = document.body.getAttribute("data-show-password");
  if (!label) {
    return;
  }
  var fields = document.querySelectorAll("input[type=password]");
  Array.prototype.forEach.call(fields, function (field, index) {
    if (!field.id) {
      field.id = "password-field-" + index;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "password-toggle";
    button.textContent = label;
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", field.id);
    button.addEventListener("click", function () {
      var show = field.type === "password";
      field.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
    field.insertAdjacentElement("afterend", button);
    if (field.form) {
      field.form.addEventListener("submit", function () {
        field.type = "password";
        button.setAttribute("aria-pressed", "false");
      });
    }
  });
})();
