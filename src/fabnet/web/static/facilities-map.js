// The facilities maps: the registry (every facility the list's filters find, clustered, from
// the page's GeoJSON route) and one facility's place on its own page. Progressive enhancement:
// without JavaScript the pages show the same facilities as a table.
(function () {
  "use strict";

  function count(n) { return Number(n).toLocaleString("en"); }

  function text(value) {
    var box = document.createElement("div");
    box.textContent = value == null ? "" : String(value);
    return box.innerHTML;
  }

  // A cluster: a circle with its count; its name (read by screen readers) says what it holds.
  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
    var px = size === "small" ? 30 : size === "medium" ? 38 : 46;
    return L.divIcon({
      html: '<span class="fab-count">' + n + '<span class="visually-hidden"> facilities here, select to zoom in</span></span>',
      className: "fab-cluster fab-cluster-" + size,
      iconSize: L.point(px, px)
    });
  }

  function facilityIcon(approximate) {
    return L.divIcon({
      className: "fab-pin" + (approximate ? " approximate" : ""),
      iconSize: L.point(16, 16)
    });
  }

  function popup(feature) {
    var p = feature.properties;
    return '<p class="popup-title"><a href="/facilities/' + encodeURIComponent(feature.id) + '">' +
      text(p.name) + "</a></p><p>" + text(p.place) +
      (p.km != null ? " · " + text(p.km) + " km away" : "") + "</p>" +
      (p.approximate ? "<p><em>Approximate location</em> (placed at its town)</p>" : "");
  }

  function say(el, message) {
    var status = document.getElementById(el.getAttribute("data-status"));
    if (status) status.textContent = message;
  }

  function initRegistry(el) {
    if (el._fabnetMap || typeof L === "undefined") return;
    var map = L.map(el, { worldCopyJump: true, minZoom: 1, maxZoom: 18, zoomSnap: 0.25 })
      .setView([15, 10], 2);
    el._fabnetMap = map;
    window.fabnet.basemap(map);
    say(el, "Loading the facilities…");
    // The same request as the page's <link rel="preload">, so the answer is already on its way.
    fetch(el.getAttribute("data-source"), { credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error((body.field ? body.field + ": " : "") + body.message);
          return body;
        });
      })
      .then(function (data) {
        var group = L.markerClusterGroup({
          showCoverageOnHover: false,
          maxClusterRadius: 50,
          iconCreateFunction: clusterIcon
        });
        var plain = facilityIcon(false);
        var approximate = facilityIcon(true);
        var markers = data.features.map(function (f) {
          var c = f.geometry.coordinates;
          var p = f.properties;
          var marker = L.marker([c[1], c[0]], {
            icon: p.approximate ? approximate : plain,
            title: p.name + (p.approximate ? " (approximate location)" : ""),
            keyboard: true
          });
          marker.feature = f;
          return marker;
        });
        // One popup for the layer, filled for the marker chosen (by click or Enter).
        group.on("click keypress", function (event) {
          var f = event.layer && event.layer.feature;
          var key = event.originalEvent && event.originalEvent.keyCode;
          if (!f || (event.type === "keypress" && key !== 13)) return;
          L.popup().setLatLng(event.layer.getLatLng()).setContent(popup(f)).openOn(map);
        });
        group.addLayers(markers);
        var near = data.properties.near;
        if (near) {
          var centre = [near.coordinates[1], near.coordinates[0]];
          var ring = L.circle(centre, {
            radius: near.radius_km * 1000, color: "#1f5f8b", weight: 2, fill: false,
            dashArray: "6 6", interactive: false
          }).addTo(map);
          L.circleMarker(centre, {
            radius: 5, color: "#1f5f8b", fillColor: "#1f5f8b", fillOpacity: 1, interactive: false
          }).addTo(map);
          map.fitBounds(ring.getBounds(), { padding: [10, 10], animate: false });
        } else if (markers.length) {
          map.fitBounds(group.getBounds(), { padding: [10, 10], maxZoom: 9, animate: false });
        }
        map.addLayer(group);
        el._fabnetCluster = group;
        var total = data.properties.total;
        var unlocated = data.properties.unlocated;
        el.setAttribute("data-total", String(total));
        el.setAttribute("data-mapped", String(markers.length));
        say(el, count(total) + (total === 1 ? " facility matches" : " facilities match") +
          (near ? " within " + count(near.radius_km) + " km of " + near.name : "") + "; " +
          count(markers.length) + " on the map" +
          (unlocated ? " (" + count(unlocated) + " give no coordinates and are only in the list)" : "") +
          ".");
        el.setAttribute("data-ready", "true");
        if (window.performance && performance.mark) performance.mark("fabnet:facilities-map-ready");
      })
      .catch(function (error) {
        say(el, "The map could not load the facilities: " + (error && error.message ? error.message : String(error)));
        if (window.console) console.error(error);
        el.setAttribute("data-ready", "error");
      });
  }

  function initFacility(el) {
    if (el._fabnetMap || typeof L === "undefined") return;
    var lat = parseFloat(el.getAttribute("data-lat"));
    var lon = parseFloat(el.getAttribute("data-lon"));
    var approximate = el.getAttribute("data-approximate") === "true";
    var map = L.map(el, { worldCopyJump: true, minZoom: 1, maxZoom: 18 }).setView([lat, lon], approximate ? 8 : 10);
    el._fabnetMap = map;
    window.fabnet.basemap(map);
    if (approximate) {
      L.circle([lat, lon], {
        radius: 10000, color: "#8a4b00", weight: 2, dashArray: "6 6", fillOpacity: 0.08,
        interactive: false
      }).addTo(map);
    }
    L.marker([lat, lon], {
      icon: facilityIcon(approximate),
      title: el.getAttribute("data-name") + (approximate ? " (approximate location)" : ""),
      keyboard: true
    }).addTo(map);
    el.setAttribute("data-ready", "true");
  }

  function initAll() {
    document.querySelectorAll("[data-facilities-map]").forEach(initRegistry);
    document.querySelectorAll("[data-facility-map]").forEach(initFacility);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
