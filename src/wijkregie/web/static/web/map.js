/* Maps without a CDN or a tile server: buurt polygons from our own GeoJSON endpoints.
 *
 * Texts come from data-* attributes that the (translated) templates fill in. Styles are set
 * through the DOM (element.style / SVG attributes), which the strict CSP allows.
 */
(function () {
  "use strict";
  var palette = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];

  function colourFor(value, max) {
    if (!max || value <= 0) { return palette[0]; }
    var idx = Math.min(palette.length - 1, 1 + Math.floor((value / max) * (palette.length - 1)));
    return palette[idx];
  }

  // Legend: one swatch per colour that some whole count actually gets, with its range.
  function drawLegend(legend, max) {
    if (!legend) { return; }
    var ranges = palette.map(function () { return null; });
    for (var v = 0; v <= max; v++) {
      var i = palette.indexOf(colourFor(v, max));
      if (ranges[i] === null) { ranges[i] = [v, v]; } else { ranges[i][1] = v; }
    }
    legend.textContent = "";
    ranges.forEach(function (range, i) {
      if (range === null) { return; }
      var item = document.createElement("span");
      var swatch = document.createElement("span");
      swatch.className = "wr-legend__swatch";
      swatch.style.backgroundColor = palette[i];
      item.appendChild(swatch);
      var text = range[0] === range[1] ? String(range[0]) : range[0] + "–" + range[1];
      item.appendChild(document.createTextNode(text));
      legend.appendChild(item);
    });
  }

  function baseMap(el) {
    var map = L.map(el, {
      keyboard: true,
      zoomControl: false,
      attributionControl: false
    });
    L.control.zoom({
      zoomInTitle: el.dataset.zoomInLabel || "+",
      zoomOutTitle: el.dataset.zoomOutLabel || "-"
    }).addTo(map);
    if (el.dataset.tileUrl) {
      // An operator-configured tile server inside the closed network; no link to Leaflet's site.
      L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(el.dataset.tileUrl, {
        maxZoom: 19,
        attribution: el.dataset.tileAttribution || ""
      }).addTo(map);
    }
    return map;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }

  function showError(el) {
    el.dataset.state = "error";
    var status = document.getElementById(el.id + "-status");
    if (status) { status.textContent = el.dataset.errorText || ""; }
  }

  function initAreaMap(el) {
    var map = baseMap(el);
    var threshold = el.dataset.suppressionThreshold || "";
    function shownCount(props) {
      return props.suppressed ? "< " + threshold : String(props.signalCount);
    }
    fetchJson(el.dataset.geojsonUrl).then(function (data) {
      var max = 0;
      // A suppressed count (null) is drawn in the lowest class and labelled "< threshold".
      data.features.forEach(function (f) { max = Math.max(max, f.properties.signalCount || 0); });
      var layer = L.geoJSON(data, {
        style: function (f) {
          return { color: "#333", weight: 1, fillOpacity: 0.7, fillColor: colourFor(f.properties.signalCount || 0, max) };
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(f.properties.name + ": " + shownCount(f.properties));
        }
      }).addTo(map);
      // Layers are drawn once the map has a view, so fit first, then label the paths.
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { animate: false }); }
      layer.eachLayer(function (l) {
        var path = l.getElement && l.getElement();
        if (path) {
          path.setAttribute("data-code", l.feature.properties.code);
          path.setAttribute("data-count", shownCount(l.feature.properties));
        }
      });
      drawLegend(document.getElementById(el.id + "-legend"), max);
      el.dataset.state = "ready";
    }).catch(function () { showError(el); });
  }

  function parseNumber(value) {
    var n = parseFloat(String(value || "").replace(",", "."));
    return isFinite(n) ? n : null;
  }

  function initLocationMap(el) {
    var map = baseMap(el);
    var marker = null;
    var lat = document.getElementById("id_lat");
    var lon = document.getElementById("id_lon");
    var status = document.getElementById(el.id + "-status");

    function placeMarker(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.circleMarker(latlng, {
          radius: 9, color: "#000", weight: 3, fillColor: "#ffdd00", fillOpacity: 1, interactive: false
        }).addTo(map);
      }
    }

    function choose(latlng) {
      placeMarker(latlng);
      if (lat && lon) {
        lat.value = latlng.lat.toFixed(6);
        lon.value = latlng.lng.toFixed(6);
      }
      if (status) {
        status.textContent = (el.dataset.chosenText || "") + " " +
          latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5);
      }
    }

    function markerFromFields() {
      var la = lat ? parseNumber(lat.value) : null;
      var lo = lon ? parseNumber(lon.value) : null;
      if (la !== null && lo !== null && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
        placeMarker(L.latLng(la, lo));
        return true;
      }
      return false;
    }

    // Until the buurten arrive, show the whole of the Netherlands.
    map.fitBounds([[50.75, 3.36], [53.55, 7.23]], { animate: false });
    fetchJson(el.dataset.geojsonUrl).then(function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#333", weight: 1, fillOpacity: 0.1 },
        interactive: false
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { animate: false }); }
      if (markerFromFields() && marker) { map.panTo(marker.getLatLng(), { animate: false }); }
      el.dataset.state = "ready";
    }).catch(function () { showError(el); });

    map.on("click", function (e) { choose(e.latlng); });
    // Keyboard: arrows pan and +/- zoom (Leaflet); Enter or Space picks the centre of the map.
    el.addEventListener("keydown", function (e) {
      if (e.target !== el) { return; }
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        choose(map.getCenter());
      }
    });
    [lat, lon].forEach(function (input) {
      if (input) { input.addEventListener("change", markerFromFields); }
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
