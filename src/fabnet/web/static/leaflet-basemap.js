// The background of fabnet's Leaflet maps: the Natural Earth countries that world-atlas ships
// (served by fabnet from /static/vendor, so no other host is asked), or the deployment's own tile
// server when FABNET_WEB_TILE_URL is set (the map element's data-tile-url).
(function () {
  "use strict";
  var countries = null;

  function loadCountries() {
    if (!countries) {
      countries = fetch("/static/vendor/world-atlas/countries-110m.json")
        .then(function (r) { return r.json(); })
        .then(function (topo) { return topojson.feature(topo, topo.objects.countries); });
    }
    return countries;
  }

  function basemap(map) {
    var el = map.getContainer();
    var tiles = el.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 18, attribution: el.getAttribute("data-tile-attribution") || ""
      }).addTo(map);
      return Promise.resolve();
    }
    map.attributionControl.addAttribution("Natural Earth");
    // The countries sit in their own pane under the markers, whenever they finish loading.
    map.createPane("basemap").style.zIndex = 250;
    return loadCountries().then(function (shapes) {
      L.geoJSON(shapes, {
        pane: "basemap",
        interactive: false,
        style: { color: "#8a97a5", weight: 0.7, fillColor: "#f4f1e8", fillOpacity: 1 }
      }).addTo(map);
    });
  }

  window.fabnet = window.fabnet || {};
  window.fabnet.basemap = basemap;
})();
