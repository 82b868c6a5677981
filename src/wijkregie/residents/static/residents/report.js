/* Resident report form, location step: mode switch, map tap and "my location".
 *
 * Without JavaScript every part of the page is shown and works as a plain form (address, or
 * coordinates typed in). Texts come from data-* attributes filled by the translated templates.
 */
(function () {
  "use strict";

  function parseNumber(value) {
    var n = parseFloat(String(value || "").replace(",", "."));
    return isFinite(n) ? n : null;
  }

  function initModes() {
    var radios = Array.prototype.slice.call(document.querySelectorAll("[data-location-mode]"));
    var sections = Array.prototype.slice.call(document.querySelectorAll("[data-mode-section]"));
    if (!radios.length) { return; }
    function update() {
      var chosen = radios.filter(function (r) { return r.checked; })[0];
      sections.forEach(function (section) {
        section.hidden = Boolean(chosen) && section.dataset.modeSection !== chosen.value;
      });
      document.dispatchEvent(new CustomEvent("wr-mode-changed"));
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  function initMap(el) {
    var lat = document.getElementById("id_lat");
    var lon = document.getElementById("id_lon");
    var status = document.getElementById("report-map-status");
    var marker = null;
    el.hidden = false;
    var map = L.map(el, { keyboard: true, zoomControl: false, attributionControl: false });
    L.control.zoom({
      zoomInTitle: el.dataset.zoomInLabel || "+",
      zoomOutTitle: el.dataset.zoomOutLabel || "-"
    }).addTo(map);
    if (el.dataset.tileUrl) {
      L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    map.fitBounds([[50.75, 3.36], [53.55, 7.23]], { animate: false });

    function placeMarker(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.circleMarker(latlng, {
          radius: 9, color: "#000", weight: 3, fillColor: "#ffdd00", fillOpacity: 1, interactive: false
        }).addTo(map);
      }
    }

    function choose(latlng, text) {
      placeMarker(latlng);
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (status) {
        status.textContent = text || ((el.dataset.chosenText || "") + " " +
          latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5));
      }
    }

    function markerFromFields() {
      var la = parseNumber(lat.value);
      var lo = parseNumber(lon.value);
      if (la !== null && lo !== null && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
        placeMarker(L.latLng(la, lo));
        return true;
      }
      return false;
    }

    fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, { style: { color: "#333", weight: 1, fillOpacity: 0.1 }, interactive: false }).addTo(map);
        if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { animate: false }); }
        if (markerFromFields() && marker) { map.panTo(marker.getLatLng(), { animate: false }); }
        el.dataset.state = "ready";
      })
      .catch(function () {
        el.dataset.state = "error";
        if (status) { status.textContent = el.dataset.errorText || ""; }
      });

    map.on("click", function (e) { choose(e.latlng); });
    el.addEventListener("keydown", function (e) {
      if (e.target !== el) { return; }
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        choose(map.getCenter());
      }
    });
    [lat, lon].forEach(function (input) { input.addEventListener("change", markerFromFields); });
    // A map drawn while its section was hidden has no size; redraw when it is shown.
    document.addEventListener("wr-mode-changed", function () { map.invalidateSize(); });

    var button = document.getElementById("use-my-location");
    if (button && "geolocation" in navigator) {
      button.parentNode.hidden = false;
      button.addEventListener("click", function () {
        if (status) { status.textContent = button.dataset.busyText || ""; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          var latlng = L.latLng(pos.coords.latitude, pos.coords.longitude);
          choose(latlng, button.dataset.foundText);
          map.setView(latlng, Math.max(map.getZoom(), 17), { animate: false });
        }, function () {
          if (status) { status.textContent = button.dataset.errorText || ""; }
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initModes();
    var el = document.getElementById("report-map");
    if (el && typeof L !== "undefined") { initMap(el); }
  });
})();
