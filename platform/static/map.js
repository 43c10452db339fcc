// Catalog map: Leaflet + markercluster. On the server's /map, points are loaded for the visible
// area from the API; in a static copy (data-files), the copy's GeoJSON files are loaded once.
// Plain ES2017, no build step; loaded with `defer` after leaflet.js and leaflet.markercluster.js.
(function () {
  'use strict';

  const STATUS_LOADING = 'Загрузка…';
  const STATUS_ERROR = 'Не удалось загрузить точки на карте. Попробуйте обновить страницу.';
  const STATUS_TRUNCATED = ' (показаны не все — приблизьте карту)';

  // Russian plural: 1, 21 место; 2–4, 22–24 места; 0, 5–20, 11–14 мест.
  function plural(n, one, few, many) {
    const m10 = n % 10, m100 = n % 100;
    if (m10 === 1 && m100 !== 11) return one;
    if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
    return many;
  }

  const num = (v, fallback) => {
    const n = parseFloat(v);
    return Number.isFinite(n) ? n : fallback;
  };
  const clamp = (v, min, max) => Math.min(max, Math.max(min, v));
  const round5 = (v) => Math.round(v * 1e5) / 1e5;

  // Feature data is user-provided: only http(s) links may become clickable (no "javascript:").
  function safeHref(url) {
    if (typeof url !== 'string' || url === '') return '';
    try {
      const u = new URL(url, window.location.href);
      // A static copy opened from disk links to its files with file:.
      const ok = u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === window.location.protocol;
      return ok ? url : '';
    } catch (e) {
      return '';
    }
  }

  // Popup DOM is built with textContent only, never innerHTML, because the text comes from users.
  function popupContent(p) {
    const box = document.createElement('div');
    box.className = 'map-popup';
    const head = document.createElement('strong');
    const title = String(p.title || 'Программа');
    // Static copies give links relative to the copy's top (data-root leads there).
    const root = (document.getElementById('map') || { dataset: {} }).dataset.root || '';
    const href = safeHref(p.url && root && !/^[a-z]+:|^\//i.test(p.url) ? root + p.url : p.url);
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = title;
      head.appendChild(a);
    } else {
      head.textContent = title;
    }
    box.appendChild(head);
    [p.organization, p.group, p.address, p.ages, p.financing].forEach((value) => {
      if (value === undefined || value === null || value === '') return;
      const line = document.createElement('div');
      line.textContent = String(value);
      box.appendChild(line);
    });
    return box;
  }

  function init() {
    const el = document.getElementById('map');
    // No map on this page, or the vendor script failed to load: leave the page as it is.
    if (!el || typeof window.L === 'undefined') return;
    const L = window.L;
    const statusEl = document.getElementById('map-status');
    const setStatus = (text) => { if (statusEl) statusEl.textContent = text; };

    const d = el.dataset;
    // keyboard: true is Leaflet's default; stated explicitly because the map must stay keyboard-usable.
    const map = L.map(el, { keyboard: true })
      .setView([num(d.lat, 0), num(d.lon, 0)], num(d.zoom, 2));
    // Leaflet's own credit without the flag it prefixes by default.
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (d.tiles) L.tileLayer(d.tiles, { attribution: d.attribution || '', maxZoom: 19 }).addTo(map);

    // Fall back to a plain group if markercluster did not load, so points still show.
    const layer = typeof L.markerClusterGroup === 'function'
      ? L.markerClusterGroup({ chunkedLoading: true })
      : L.featureGroup();
    layer.addTo(map);

    function buildUrl() {
      const b = map.getBounds();
      // RFC 7946 bbox order: minLon,minLat,maxLon,maxLat; clamp because the view can extend past the world.
      const bbox = [
        clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
        clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90),
      ].map(round5).join(',');
      const base = d.geojson || '';
      const query = d.query ? d.query + '&' : '';
      return base + (base.indexOf('?') === -1 ? '?' : '&') + query + 'bbox=' + bbox;
    }

    function render(data) {
      if (!data || !Array.isArray(data.features)) throw new Error('not a FeatureCollection');
      const markers = [];
      data.features.forEach((f) => {
        const g = f && f.geometry;
        if (!g || g.type !== 'Point' || !Array.isArray(g.coordinates)) return;
        const lon = g.coordinates[0], lat = g.coordinates[1]; // GeoJSON is [lon, lat]
        if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;
        const p = f.properties || {};
        const label = String(p.title || 'Программа');
        const marker = L.marker([lat, lon], { title: label, alt: label, keyboard: true });
        // Build the popup lazily: thousands of points should not create thousands of DOM trees.
        // Panned clear of the zoom buttons in the top left corner.
        marker.bindPopup(() => popupContent(p), { autoPanPaddingTopLeft: L.point(56, 96) });
        markers.push(marker);
      });
      layer.clearLayers();
      if (typeof layer.addLayers === 'function') layer.addLayers(markers);
      else markers.forEach((m) => layer.addLayer(m));
      const n = markers.length;
      setStatus('На карте: ' + n + ' ' + plural(n, 'место', 'места', 'мест') + ' занятий' +
        (data.truncated === true ? STATUS_TRUNCATED : ''));
    }

    let controller = null;
    let timer = 0;

    async function load() {
      // Only the latest view matters: cancel the request for the previous one.
      if (controller) controller.abort();
      const mine = new AbortController();
      controller = mine;
      setStatus(STATUS_LOADING);
      try {
        const res = await fetch(buildUrl(), {
          signal: mine.signal,
          headers: { Accept: 'application/geo+json, application/json' },
        });
        if (!res.ok) throw new Error('HTTP ' + res.status);
        const data = await res.json();
        if (controller !== mine) return;
        render(data);
      } catch (err) {
        // A superseded request is not an error for the user.
        if ((err && err.name === 'AbortError') || controller !== mine) return;
        if (window.console) console.warn('map: loading points failed', err);
        setStatus(STATUS_ERROR);
      }
    }

    if (d.files) {
      // A static copy: a few whole files, loaded once; the map only pans over them.
      setStatus(STATUS_LOADING);
      const urls = d.files.split(' ').filter(Boolean);
      Promise.all(urls.map((u) => fetch(u).then((res) => {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      }))).then((parts) => {
        const features = [];
        // A loop, not push(...spread): a municipality can have more points than call arguments.
        parts.forEach((part) => {
          if (part && Array.isArray(part.features)) part.features.forEach((f) => features.push(f));
        });
        render({ type: 'FeatureCollection', features: features });
        if (typeof layer.getBounds === 'function' && features.length > 0) {
          const b = layer.getBounds();
          if (b.isValid()) map.fitBounds(b, { maxZoom: 13 });
        }
      }).catch((err) => {
        if (window.console) console.warn('map: loading points failed', err);
        setStatus(STATUS_ERROR);
      });
      return;
    }

    // Panning fires many moveend events in a row; wait for the user to stop.
    map.on('moveend', () => {
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    });
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
