// Progress of a web import: polls the job's status.json (no inline script: strict CSP).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) {
    return;
  }
  var bar = document.getElementById("import-progress-bar");
  var status = document.getElementById("import-status");
  var statusUrl = box.getAttribute("data-status-url");
  var delay = 2000;

  function update(data) {
    if (data.percent !== null && data.percent !== undefined) {
      bar.max = 100;
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
    }
    if (status.textContent !== data.statusLabel) {
      status.textContent = data.statusLabel;
    }
    if (data.finished) {
      window.location.assign(data.resultUrl);
      return;
    }
    window.setTimeout(poll, delay);
  }

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(update)
      .catch(function () {
        // Keep trying, a little slower; the "Pagina vernieuwen" link works without script.
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
