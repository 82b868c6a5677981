/* Small progressive enhancements for every page (no inline script: strict CSP). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a failed submit, move focus to the error summary so that it is read out first.
    var summary = document.getElementById("form-errors");
    if (summary) { summary.focus(); }
  });
})();
