// Static catalog filter: reads the copy's compact index (data/programs.json) and shows the
// programs matching direction, municipality, child's age and text, without a server. Without
// JavaScript the form stays hidden and the page is the plain first page of the catalog.
// Plain ES2017, no build step. Text from the index is set with textContent only.
(function () {
  'use strict';

  const PAGE = 50;

  function plural(n, one, few, many) {
    const m10 = n % 10, m100 = n % 100;
    if (m10 === 1 && m100 !== 11) return one;
    if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
    return many;
  }

  // Case and ё do not matter when searching.
  const fold = (s) => String(s).toLowerCase().replace(/ё/g, 'е');
  const titleKey = fold;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function card(p, idx, root, host) {
    // Same markup as _program_card.html (the copy's own cards, without «Идёт набор»: a
    // copy shows nothing that depends on the day).
    const li = el('li', 'program-card');
    if (p[14]) {
      const img = el('img', 'cover');
      img.src = root + 'media/' + p[14];
      img.width = 480;
      img.height = 320;
      img.loading = 'lazy';
      img.alt = '';
      li.appendChild(img);
    }
    const h = el('h3');
    const a = el('a', '', p[1]);
    a.href = root + 'programs/' + p[0] + '.html';
    h.appendChild(a);
    li.appendChild(h);
    const org = idx.organizations[p[4]];
    const meta = el('p', 'meta');
    const oa = el('a', '', org[1]);
    oa.href = root + 'organizations/' + org[0] + '/index.html';
    meta.appendChild(oa);
    meta.appendChild(document.createTextNode(' · ' + idx.municipalities[p[3]][1]));
    li.appendChild(meta);
    const facts = [idx.directions[p[2]][1]];
    if (p[10] !== null) facts.push(idx.profiles[p[10]][1]);
    if (p[11] !== null) facts.push(idx.levels[p[11]][1]);
    facts.push(p[5] + '–' + p[6] + ' лет');
    li.appendChild(el('p', 'meta', facts.join(' · ')));
    if (p[13]) {
      const rating = el('p', 'rating');
      const star = el('span', '', '★');
      star.setAttribute('aria-hidden', 'true');
      rating.appendChild(star);
      rating.appendChild(document.createTextNode(' ' + p[13]));
      li.appendChild(rating);
    }
    const badges = el('p', 'badges');
    badges.appendChild(el('span', 'badge', p[8]));
    // p[9]: every financing the program offers, as bits by idx.financing's order.
    const cert = idx.financing.findIndex((f) => f[0] === 'certificate');
    if (p[9] & (1 << cert)) badges.appendChild(el('span', 'badge badge-cert', 'Доступна оплата сертификатом'));
    if (p[12]) badges.appendChild(el('span', 'badge', 'Для детей с ОВЗ'));
    li.appendChild(badges);
    // «В избранное» is the dynamic site's, as on the copy's own cards.
    const actions = el('p', 'card-actions');
    const fav = el('a');
    fav.href = host + 'programs/' + p[0] + '/favourite';
    fav.rel = 'nofollow';
    const star = el('span', '', '☆');
    star.setAttribute('aria-hidden', 'true');
    fav.appendChild(star);
    fav.appendChild(document.createTextNode(' В избранное'));
    fav.appendChild(el('span', 'visually-hidden', ': ' + p[1]));
    actions.appendChild(fav);
    li.appendChild(actions);
    return li;
  }

  function init() {
    const form = document.getElementById('static-filter');
    const results = document.getElementById('static-results');
    const status = document.getElementById('results-count');
    if (!form || !results || !window.fetch) return;
    const root = form.dataset.root || '';
    const host = form.dataset.host || '/';
    const params = new URLSearchParams(window.location.search);
    ['q', 'direction', 'municipality', 'age'].forEach((k) => {
      if (params.get(k) && form.elements[k]) form.elements[k].value = params.get(k);
    });
    let index = null;
    let stopWords = new Set();

    function show(limit) {
      const q = fold(form.elements.q.value.trim());
      const dir = form.elements.direction.value;
      const mun = form.elements.municipality.value;
      const age = parseInt(form.elements.age.value, 10);
      const words = q.split(/[^0-9a-zа-я]+/).filter((w) => w && !stopWords.has(w));
      const found = index.programs.filter((p) => {
        if (dir && index.directions[p[2]][0] !== dir) return false;
        if (mun && index.municipalities[p[3]][0] !== mun) return false;
        if (Number.isFinite(age) && (age < p[5] || age > p[6])) return false;
        if (words.length) {
          // The server's stems of the title, the profile and the organization's names
          // (data.rs). A word matches the start of one, never the inside of a word:
          // whole («шахмат» finds «Шахматный»), with its ending off as the server's stemmer
          // would take it («шахматы» → «шахма», «танцы» → «танц»: the query is not stemmed
          // here), or as a longer form of the stem itself.
          const stems = (p[15] + ' ' + index.organizations[p[4]][2]).split(' ');
          return words.every((w) => {
            const start = w.slice(0, Math.max(4, w.length - 2));
            return stems.some((s) => s.startsWith(w) || s.startsWith(start) || (s.length >= 3 && w.startsWith(s)));
          });
        }
        return true;
      });
      // By title as the pages list them (site.rs `title_key`: lowercase, ё as е, by code
      // point, then id); the index is in id order.
      found.sort((a, b) => {
        const ka = titleKey(a[1]), kb = titleKey(b[1]);
        return ka < kb ? -1 : ka > kb ? 1 : a[0] - b[0];
      });
      const list = el('ul', 'cards');
      found.slice(0, limit).forEach((p) => list.appendChild(card(p, index, root, host)));
      results.replaceChildren(list);
      if (found.length > limit) {
        const more = el('button', 'button', 'Показать ещё');
        more.type = 'button';
        more.addEventListener('click', () => show(limit + PAGE));
        results.appendChild(more);
      }
      if (found.length === 0) results.appendChild(el('p', '', 'По этим условиям программ нет. Попробуйте убрать часть фильтров.'));
      status.textContent = 'Найдено ' + found.length + ' ' + plural(found.length, 'программа', 'программы', 'программ');
    }

    fetch(form.dataset.index).then((res) => {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    }).then((data) => {
      index = data;
      stopWords = new Set(data.stop_words);
      form.hidden = false;
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const next = new URLSearchParams();
        ['q', 'direction', 'municipality', 'age'].forEach((k) => {
          if (form.elements[k].value) next.set(k, form.elements[k].value);
        });
        history.replaceState(null, '', '?' + next.toString());
        show(PAGE);
        // On a phone the results are screens below the form: bring their count into view.
        status.scrollIntoView({ block: 'start' });
      });
      if (['q', 'direction', 'municipality', 'age'].some((k) => params.get(k))) show(PAGE);
    }).catch((err) => {
      // Opened from disk in a browser that forbids reading files: the plain pages remain.
      if (window.console) console.warn('catalog: index not loaded', err);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
