/* The analysis map (/kaart/): four layers drawn from the API, toggled by the layer checkboxes.
 *
 * Everything the map shows is also in the tables of the page (rendered by the server from the
 * same selectors). The layer checkboxes work without this script (they are part of the GET
 * form); with it they switch a layer at once and keep the URL in step (history.replaceState).
 * Colours come from the CSS custom properties of .map-page, which the legend uses too.
 * No inline styles: Leaflet sets styles through the DOM, which the strict CSP allows.
 */
(function () {
  "use strict";

  var LAYERS = ["signals", "hotspots", "neighbourhoods", "focus-areas"];

  function cssColour(page, name) {
    return getComputedStyle(page).getPropertyValue("--map-" + name).trim() || "#777";
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }

  function withParams(url, extra) {
    var parts = url.split("?");
    var params = new URLSearchParams(parts[1] || "");
    Object.keys(extra).forEach(function (k) { params.set(k, extra[k]); });
    return parts[0] + "?" + params.toString();
  }

  function clusterClass(count) {
    if (count === null) { return 2; }  // room for the text "< 5"
    if (count < 10) { return 1; }
    if (count < 100) { return 2; }
    if (count < 1000) { return 3; }
    return 4;
  }

  function init(el) {
    var page = document.getElementById("map-page");
    var status = document.getElementById("analysis-map-status");
    var threshold = parseInt(el.dataset.threshold || "0", 10);
    var links = el.dataset.links === "1";
    var map = L.map(el, { keyboard: true, zoomControl: false, attributionControl: false });
    L.control.zoom({
      zoomInTitle: el.dataset.zoomInLabel || "+",
      zoomOutTitle: el.dataset.zoomOutLabel || "-"
    }).addTo(map);
    if (el.dataset.tileUrl) {
      L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    [["neighbourhoods", 410], ["hotspots", 420], ["focus-areas", 430]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = String(p[1]);
    });
    map.fitBounds([[50.75, 3.36], [53.55, 7.23]], { animate: false });

    var groups = {};
    LAYERS.forEach(function (key) { groups[key] = L.layerGroup(); });
    var boxes = {};
    LAYERS.forEach(function (key) { boxes[key] = document.getElementById("layer-" + key); });

    function on(key) { return boxes[key] ? boxes[key].checked : true; }

    function countText(n) { return n === null ? "< " + threshold : String(n); }

    function label(layer, attrs) {
      var path = layer.getElement && layer.getElement();
      if (!path) { return; }
      Object.keys(attrs).forEach(function (k) { path.setAttribute("data-" + k, attrs[k]); });
    }

    // Buurten: fill by class (0: no signals, 1..n: quantile classes; null: suppressed/unknown).
    function drawChoropleth(data) {
      var layer = L.geoJSON(data, {
        pane: "neighbourhoods",
        style: function (f) {
          var p = f.properties;
          var colour = p.suppressed ? "suppressed" : (p["class"] === null ? "unknown" : "c" + p["class"]);
          return { color: "#555", weight: 1, fillOpacity: 0.75, fillColor: cssColour(page, colour) };
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          var text = p.name + ": " + countText(p.count) + " " + (el.dataset.signalsText || "");
          if (p.ratePer1000 !== null) { text += ", " + String(p.ratePer1000).replace(".", ",") + " " + (el.dataset.residentsText || ""); }
          l.bindTooltip(text);
        }
      });
      groups.neighbourhoods.addLayer(layer);
      return layer;
    }

    function labelChoropleth(layer) {
      layer.eachLayer(function (l) {
        var p = l.feature.properties;
        label(l, { code: p.code, count: p.count === null ? "suppressed" : String(p.count),
                   "class": p["class"] === null ? "" : String(p["class"]) });
      });
    }

    // Hotspots: Gi* is computed by the server on the whole study area and does not depend on
    // the view, so the hot and cold cells are asked once per page (the filters are in the
    // URL: a new filter is a new page) and kept while the map is zoomed or panned. The table
    // lists every significant cell.
    var hotspotLayer = null;
    function drawHotspots(data) {
      var layer = L.geoJSON(data, {
        pane: "hotspots",
        filter: function (f) { return f.properties["class"] !== "none"; },
        style: function (f) {
          var colour = cssColour(page, f.properties["class"] === "hot" ? "hot" : "cold");
          return { color: colour, weight: 1, fillOpacity: 0.85, fillColor: colour };
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindTooltip(f.id + ": " + p["class"] + ", z " + (p.giZ === null ? "—" : p.giZ.toFixed(2)) +
            ", " + countText(p.count) + " " + (el.dataset.signalsText || ""));
        }
      });
      groups.hotspots.clearLayers();
      groups.hotspots.addLayer(layer);
      hotspotLayer = layer;
      if (on("hotspots")) { labelHotspots(); }
      return layer;
    }

    function labelHotspots() {
      if (!hotspotLayer) { return; }
      hotspotLayer.eachLayer(function (l) {
        var p = l.feature.properties;
        label(l, { cell: l.feature.id, "class": p["class"], count: p.count === null ? "suppressed" : String(p.count) });
      });
    }

    function bboxParam() {
      var b = map.getBounds();
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
    }

    var hotspotsLoaded = null;
    function loadHotspots() {
      if (!on("hotspots")) { return Promise.resolve(); }
      if (!hotspotsLoaded) {
        hotspotsLoaded = fetchJson(el.dataset.hotspotsUrl).then(function (data) {
          drawHotspots(data);
          el.dataset.hotspotCells = String(data.meta.cells);
        }).catch(function (error) {
          hotspotsLoaded = null;  // asked again when the layer is switched on next time
          throw error;
        });
      }
      return hotspotsLoaded;
    }

    function drawFocus(data) {
      var colour = cssColour(page, "focus");
      var layer = L.geoJSON(data, {
        pane: "focus-areas",
        style: { color: colour, weight: 4, dashArray: "8 6", fill: false },
        onEachFeature: function (f, l) {
          l.bindTooltip(f.properties.name + ": " + countText(f.properties.count) + " " + (el.dataset.signalsText || ""));
        }
      });
      groups["focus-areas"].addLayer(layer);
      return layer;
    }

    function labelFocus(layer) {
      layer.eachLayer(function (l) {
        var p = l.feature.properties;
        label(l, { uuid: p.uuid, count: p.count === null ? "suppressed" : String(p.count) });
      });
    }

    // Clusters: asked again for the visible box at every zoom or pan (server-side grid).
    var clusterRequest = 0;
    function loadClusters() {
      if (!on("signals")) { return Promise.resolve(); }
      var url = withParams(el.dataset.clustersUrl, { zoom: String(map.getZoom()), bbox: bboxParam() });
      var mine = ++clusterRequest;
      return fetchJson(url).then(function (data) {
        if (mine !== clusterRequest) { return; }
        groups.signals.clearLayers();
        data.features.forEach(function (f) {
          var p = f.properties;
          var latlng = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
          if (p.kind === "signal") {
            var point = L.circleMarker(latlng, { radius: 6, color: "#000", weight: 2, fillColor: cssColour(page, "point"), fillOpacity: 1 });
            var text = (el.dataset.signalText || "") + ": " + p.category;
            if (links) {
              var a = document.createElement("a");
              a.className = "utrecht-link";
              a.href = el.dataset.signalUrl + encodeURIComponent(p.uuid) + "/";
              a.textContent = text;
              point.bindPopup(a);
            } else {
              point.bindTooltip(text);
            }
            groups.signals.addLayer(point);
            return;
          }
          var size = 18 + 8 * clusterClass(p.count);
          var shown = countText(p.count);
          var icon = L.divIcon({
            className: "map-cluster" + (p.count === null ? " map-cluster--suppressed" : ""),
            html: "",
            iconSize: [size, size]
          });
          var marker = L.marker(latlng, { icon: icon, title: shown + " " + (el.dataset.signalsText || ""), keyboard: false });
          marker.on("add", function () {
            var node = marker.getElement();
            if (node) {
              node.textContent = shown;
              node.setAttribute("data-count", p.count === null ? "suppressed" : String(p.count));
              node.setAttribute("aria-hidden", "true");
            }
          });
          groups.signals.addLayer(marker);
        });
        el.dataset.clusters = String(data.meta.signals);
      });
    }

    // Leaflet makes new SVG paths whenever a layer is added again: label them every time.
    var labellers = {};

    function setLayer(key, visible) {
      if (visible) {
        map.addLayer(groups[key]);
        if (labellers[key]) { labellers[key](); }
      } else {
        map.removeLayer(groups[key]);
      }
      el.setAttribute("data-layer-" + key, visible ? "on" : "off");
    }

    function syncUrl() {
      var params = new URLSearchParams(window.location.search);
      params.delete("layers");
      params.append("layers", "");
      LAYERS.forEach(function (key) { if (on(key)) { params.append("layers", key); } });
      window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
    }

    var loaded = Promise.all([
      fetchJson(el.dataset.choroplethUrl),
      fetchJson(el.dataset.focusUrl)
    ]).then(function (all) {
      var choropleth = drawChoropleth(all[0]);
      var focus = drawFocus(all[1]);
      if (choropleth.getBounds().isValid()) { map.fitBounds(choropleth.getBounds(), { animate: false }); }
      labellers.neighbourhoods = function () { labelChoropleth(choropleth); };
      labellers.hotspots = labelHotspots;
      labellers["focus-areas"] = function () { labelFocus(focus); };
      LAYERS.forEach(function (key) { setLayer(key, on(key)); });
      return Promise.all([loadClusters(), loadHotspots()]);
    });

    function reportError() { if (status) { status.textContent = el.dataset.errorText || ""; } }

    loaded.then(function () {
      el.dataset.state = "ready";
      map.on("moveend", function () {
        loadClusters().catch(reportError);
      });
    }).catch(function () {
      el.dataset.state = "error";
      reportError();
    });

    LAYERS.forEach(function (key) {
      var box = boxes[key];
      if (!box) { return; }
      box.addEventListener("change", function () {
        setLayer(key, box.checked);
        if (key === "signals" && box.checked) { loadClusters().catch(reportError); }
        if (key === "hotspots" && box.checked) { loadHotspots().catch(reportError); }
        syncUrl();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    var el = document.getElementById("analysis-map");
    if (el) { init(el); }
  });
})();
