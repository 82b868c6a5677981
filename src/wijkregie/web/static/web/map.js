/* Maps without a CDN or a tile server: buurt polygons from our own GeoJSON endpoint. */
(function () {
  "use strict";
  var palette = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];

  function colourFor(value, max) {
    if (!max || value <= 0) { return palette[0]; }
    var idx = Math.min(palette.length - 1, 1 + Math.floor((value / max) * (palette.length - 1)));
    return palette[idx];
  }

  function baseMap(el) {
    var map = L.map(el, { keyboard: true, attributionControl: !!el.dataset.tileUrl });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function initAreaMap(el) {
    var map = baseMap(el);
    fetchJson(el.dataset.geojsonUrl).then(function (data) {
      var max = 0;
      data.features.forEach(function (f) { max = Math.max(max, f.properties.signalCount); });
      var layer = L.geoJSON(data, {
        style: function (f) {
          return { color: "#333", weight: 1, fillOpacity: 0.7, fillColor: colourFor(f.properties.signalCount, max) };
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(f.properties.name + ": " + f.properties.signalCount);
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
      var legend = document.getElementById(el.id + "-legend");
      if (legend) {
        legend.textContent = "";
        palette.forEach(function (c, i) {
          var item = document.createElement("span");
          var sw = document.createElement("span");
          sw.className = "wr-legend__swatch";
          sw.style.backgroundColor = c;
          item.appendChild(sw);
          var lo = i === 0 ? 0 : Math.ceil(((i - 1) / (palette.length - 1)) * max);
          item.appendChild(document.createTextNode(i === 0 ? "0" : "≥ " + lo));
          legend.appendChild(item);
        });
      }
    });
  }

  function initLocationMap(el) {
    var map = baseMap(el);
    var marker = null;
    var lat = document.getElementById("id_lat");
    var lon = document.getElementById("id_lon");
    fetchJson(el.dataset.geojsonUrl).then(function (data) {
      var layer = L.geoJSON(data, { style: { color: "#333", weight: 1, fillOpacity: 0.1 } }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
    });
    map.on("click", function (e) {
      if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng, { keyboard: false }).addTo(map); }
      if (lat && lon) { lat.value = e.latlng.lat.toFixed(6); lon.value = e.latlng.lng.toFixed(6); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    var area = document.getElementById("area-map");
    if (area) { initAreaMap(area); }
    var loc = document.getElementById("location-map");
    if (loc) { initLocationMap(loc); }
  });
})();
