// Maps of flows: a plan (facilities making parts, assembly sites, delivery points, flows as
// lines weighted by quantity and coloured by transport mode) and an order's lots (where each lot
// is made and where it goes). The data comes from the page's GeoJSON route (data-source); the
// page's table says the same without JavaScript.
(function () {
  "use strict";

  var MODES = {
    road: { label: "road", color: "#1f5f8b", dash: null },
    sea: { label: "sea", color: "#00796b", dash: "10 6" },
    air: { label: "air", color: "#b3261e", dash: "2 6" }
  };
  var SAME_SITE = { label: "on site (no transport)", color: "#444", dash: null };
  var LOT = { label: "a lot: made or on its way", color: "#5b3f8c", dash: null };
  var ARRIVED = { label: "a lot: delivered", color: "#2e7d32", dash: "8 4" };

  function text(value) {
    var box = document.createElement("div");
    box.textContent = value == null ? "" : String(value);
    return box.innerHTML;
  }

  function icon(kind, roles) {
    var cls = kind === "delivery_point" ? "fab-delivery" :
      (roles && roles.indexOf("assembly") >= 0 ? "fab-assembly" : "fab-maker");
    return L.divIcon({ className: "fab-site " + cls, iconSize: L.point(18, 18), html: "<span></span>" });
  }

  function kindLabel(p) {
    if (p.kind === "delivery_point") return "delivery point";
    var roles = p.roles || [];
    if (roles.indexOf("assembly") >= 0 && roles.indexOf("production") >= 0) return "makes parts and assembles";
    return roles.indexOf("assembly") >= 0 ? "assembly site" : "makes parts";
  }

  function pointPopup(p) {
    var lines = [];
    (p.production || []).forEach(function (x) { lines.push(text(x.quantity) + " × " + text(x.part_id)); });
    (p.assembly || []).forEach(function (x) { lines.push("assembles " + text(x.quantity) + " × " + text(x.product_id)); });
    (p.demand || []).forEach(function (x) { lines.push("needs " + text(x.quantity) + " × " + text(x.product_id)); });
    var link = p.kind === "facility" ?
      '<a href="/facilities/' + encodeURIComponent(p.id) + '">' + text(p.name || p.id) + "</a>" : text(p.name || p.id);
    return '<p class="popup-title">' + link + "</p><p>" + kindLabel(p) +
      (p.approximate ? " · approximate location" : "") + "</p>" +
      (lines.length ? "<p>" + lines.join("<br>") + "</p>" : "");
  }

  function styleOf(p) {
    if (p.lot_id) return p.arrived ? ARRIVED : LOT;
    return p.mode ? (MODES[p.mode] || { label: p.mode, color: "#444", dash: "4 4" }) : SAME_SITE;
  }

  function legend(map, styles, kinds) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("details", "map-legend");
      // Open where there is room; on a phone the legend is one line until asked for.
      if (map.getSize().x >= 560) box.open = true;
      var html = "<summary>Legend</summary><ul>";
      styles.forEach(function (s) {
        html += '<li><span class="legend-line" style="border-top-color:' + s.color +
          (s.dash ? ";border-top-style:dashed" : "") + '"></span>' + text(s.label) + "</li>";
      });
      html += '<li><span class="legend-line legend-thin"></span>thicker: more units</li>';
      kinds.forEach(function (k) {
        html += '<li><span class="fab-site ' + k[0] + ' legend-icon"><span></span></span>' + text(k[1]) + "</li>";
      });
      box.innerHTML = html + "</ul>";
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function draw(el, data) {
    var map = el._fabnetMap;
    var features = data.features || [];
    var flows = features.filter(function (f) { return f.properties.kind === "flow"; });
    var most = flows.reduce(function (m, f) { return Math.max(m, f.properties.quantity || 0); }, 0) || 1;
    var bounds = L.latLngBounds([]);
    var used = {};
    var lines = 0;
    flows.forEach(function (f) {
      var p = f.properties;
      var s = styleOf(p);
      used[s.label] = s;
      var latlngs = f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
      L.polyline(latlngs, {
        color: s.color, dashArray: s.dash, opacity: 0.85, className: "fab-flow",
        weight: 2 + 8 * Math.sqrt((p.quantity || 0) / most)
      }).bindTooltip(text(Math.round(p.quantity)) + " × " + text(p.item_id) +
        (p.mode ? " by " + text(p.mode) : "") + ": " + text(p.from_name || p.from) + " → " +
        text(p.to_name || p.to), { sticky: true }).addTo(map);
      latlngs.forEach(function (ll) { bounds.extend(ll); });
      lines += 1;
    });
    var kinds = {};
    features.forEach(function (f) {
      var p = f.properties;
      if (p.kind !== "facility" && p.kind !== "delivery_point") return;
      var c = f.geometry.coordinates;
      var i = icon(p.kind, p.roles);
      kinds[i.options.className.split(" ")[1]] = true;
      L.marker([c[1], c[0]], {
        icon: i, keyboard: true, title: (p.name || p.id) + ": " + kindLabel(p)
      }).bindPopup(pointPopup(p)).addTo(map);
      bounds.extend([c[1], c[0]]);
    });
    var styles = Object.keys(used).map(function (k) { return used[k]; });
    var kindList = [["fab-maker", "makes parts"], ["fab-assembly", "assembly site"],
      ["fab-delivery", "delivery point"]].filter(function (k) { return kinds[k[0]]; });
    legend(map, styles, kindList);
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 8 });
    el.setAttribute("data-lines", String(lines));
    el.setAttribute("data-ready", "true");
  }

  function init(el) {
    if (el._fabnetMap || typeof L === "undefined") return;
    var map = L.map(el, { worldCopyJump: true, minZoom: 1, maxZoom: 18 }).setView([5, 20], 2);
    el._fabnetMap = map;
    window.fabnet.basemap(map);
    fetch(el.getAttribute("data-source"), { headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error("the map's data answered " + r.status); return r.json(); })
      .then(function (data) { draw(el, data); })
      .catch(function (error) {
        var status = document.getElementById(el.getAttribute("data-status"));
        if (status) status.textContent = "The map could not be drawn: " + error.message;
        el.setAttribute("data-ready", "error");
      });
  }

  function initAll() { document.querySelectorAll("[data-flow-map]").forEach(init); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
