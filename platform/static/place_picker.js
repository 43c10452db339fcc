// Enhances a place of study's form: a click on the region's map fills the latitude and
// longitude inputs (which stay the form's fields and work without this script); typed
// coordinates move the marker. The map does not pan out of the region.
(function () {
  'use strict';
  function num(v, d) { const n = parseFloat(String(v).replace(',', '.')); return isFinite(n) ? n : d; }

  function init() {
    const el = document.getElementById('place-map');
    const lat = document.getElementById('f-lat');
    const lon = document.getElementById('f-lon');
    if (!el || !lat || !lon || typeof window.L === 'undefined') return;
    const L = window.L;
    const d = el.dataset;
    el.hidden = false;
    el.style.height = '20rem';
    const bounds = L.latLngBounds([num(d.south, -90), num(d.west, -180)], [num(d.north, 90), num(d.east, 180)]);
    const map = L.map(el, { keyboard: true, maxBounds: bounds.pad(0.1) })
      .setView([num(d.lat, 0), num(d.lon, 0)], num(d.zoom, 5));
    // Leaflet's own credit without the flag it prefixes by default.
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (d.tiles) L.tileLayer(d.tiles, { attribution: d.attribution || '', maxZoom: 19 }).addTo(map);
    let marker = null;
    function place(at) {
      if (marker) marker.setLatLng(at); else marker = L.marker(at).addTo(map);
    }
    const typed = () => {
      const a = num(lat.value, NaN), b = num(lon.value, NaN);
      if (isFinite(a) && isFinite(b)) { place([a, b]); return true; }
      return false;
    };
    if (typed()) map.setView(marker.getLatLng(), 15);
    lat.addEventListener('change', typed);
    lon.addEventListener('change', typed);
    map.on('click', (e) => {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      place(e.latlng);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
