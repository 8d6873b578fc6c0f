// The order wizard: place suggestions fill a delivery point, a click on its map sets the point's
// coordinates (and names the nearest town), typing a place again clears the coordinates.
(function () {
  "use strict";

  function q(selector, root) { return (root || document).querySelector(selector); }

  function inputsOf(field) {
    return {
      place: q('[data-place-input="' + field + '"]'),
      lat: q('[data-lat-for="' + field + '"]'),
      lon: q('[data-lon-for="' + field + '"]'),
      map: q('[data-point-map="' + field + '"]')
    };
  }

  function showMarker(box, lat, lon) {
    var map = box && box._fabnetMap;
    if (!map) return;
    if (box._fabnetMarker) box._fabnetMarker.remove();
    box._fabnetMarker = null;
    if (lat === null) return;
    box._fabnetMarker = L.circleMarker([lat, lon], {
      radius: 8, color: "#1f5f8b", weight: 3, fillColor: "#f2b705", fillOpacity: 0.9
    }).addTo(map);
    map.setView([lat, lon], Math.max(map.getZoom(), 6));
  }

  function setPoint(field, lat, lon, label) {
    var f = inputsOf(field);
    if (f.lat) f.lat.value = lat.toFixed(5);
    if (f.lon) f.lon.value = lon.toFixed(5);
    if (label && f.place) f.place.value = label;
    showMarker(f.map, lat, lon);
  }

  function initMap(box) {
    if (box._fabnetMap || typeof L === "undefined") return;
    var field = box.getAttribute("data-point-map");
    var f = inputsOf(field);
    var lat = f.lat && f.lat.value ? parseFloat(f.lat.value) : NaN;
    var lon = f.lon && f.lon.value ? parseFloat(f.lon.value) : NaN;
    var known = isFinite(lat) && isFinite(lon);
    var map = L.map(box, { worldCopyJump: true }).setView(known ? [lat, lon] : [5, 20], known ? 6 : 2);
    box._fabnetMap = map;
    window.fabnet.basemap(map);
    if (known) showMarker(box, lat, lon);
    map.on("click", function (event) {
      var at = event.latlng.wrap();
      setPoint(field, at.lat, at.lng, "");
      fetch("/orders/new/place-at?lat=" + at.lat.toFixed(5) + "&lon=" + at.lng.toFixed(5))
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (found) {
          if (found && f.place) f.place.value = (found.km > 5 ? "near " : "") + found.label;
        });
    });
    if (f.place) {
      f.place.addEventListener("input", function () {
        if (f.lat) f.lat.value = "";
        if (f.lon) f.lon.value = "";
        showMarker(box, null, null);
      });
    }
  }

  function initAll(root) {
    (root || document).querySelectorAll("[data-point-map]").forEach(initMap);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-place-for]");
    if (!button) return;
    var field = button.getAttribute("data-place-for");
    setPoint(field, parseFloat(button.getAttribute("data-lat")),
      parseFloat(button.getAttribute("data-lon")), button.getAttribute("data-label"));
    var box = document.getElementById("s-" + field);
    if (box) box.innerHTML = "";
    var f = inputsOf(field);
    if (f.place) f.place.focus();
  });
  document.addEventListener("htmx:load", function (event) { initAll(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(); });
  } else {
    initAll();
  }
})();
