// "Printen" on a completed questionnaire (R-Q-3): the button is shown only when this script
// runs; without JavaScript the page says to use the browser's print function.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
