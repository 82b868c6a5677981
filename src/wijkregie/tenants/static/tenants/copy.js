/* "Copy the secret" button on the page that shows a new API token once (no inline script). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("token-copy");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById("token-copy-status");
    if (!field) { return; }
    field.addEventListener("focus", function () { field.select(); });
    if (!navigator.clipboard) { return; }  // the field can still be selected and copied by hand
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = button.getAttribute("data-copied-text");
      }, function () {
        field.select();
        status.textContent = button.getAttribute("data-failed-text");
      });
    });
  });
})();
