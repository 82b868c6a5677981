/* Street observation: fill the location from the device (browser geolocation).
 *
 * The button stays hidden where the browser has no geolocation. The coordinates go into the
 * lat/lon fields; their change event lets web/map.js put the marker on the map. Texts come
 * from data-* attributes that the (translated) template fills in.
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("use-location");
    var lat = document.getElementById("id_lat");
    var lon = document.getElementById("id_lon");
    var status = document.getElementById("location-map-status");
    if (!button || !lat || !lon || !("geolocation" in navigator)) { return; }
    button.hidden = false;

    function say(text) { if (status) { status.textContent = text; } }

    button.addEventListener("click", function () {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      say(button.dataset.busyText || "");
      navigator.geolocation.getCurrentPosition(function (position) {
        var c = position.coords;
        lat.value = c.latitude.toFixed(6);
        lon.value = c.longitude.toFixed(6);
        lat.dispatchEvent(new Event("change"));
        lon.dispatchEvent(new Event("change"));
        say((button.dataset.foundText || "") + " " + c.latitude.toFixed(5) + ", " +
            c.longitude.toFixed(5) + " (" + (button.dataset.accuracyText || "") + " " +
            Math.round(c.accuracy) + " m)");
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }, function (error) {
        say(error.code === 1 ? (button.dataset.deniedText || "") : (button.dataset.failedText || ""));
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
