// The parent journey in a real browser (Debian's Chromium, driven by playwright-core), at
// 1280 and at 390 px: home → catalog → program → registration → the confirmation mail's
// link → login → a child → «Записаться» → the applications → cancelling → the cabinet's
// other tabs → «Версия для слабовидящих» in both schemes and back. Every page is checked for horizontal overflow and by axe-core (WCAG 2.1 AA
// rules), and must have no violation at all. Run by run.sh, which starts the server:
//
//   BASE=http://smolensk.localhost:PORT MAIL_DIR=DATA/mail node walk.mjs
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.BASE;
const mailDir = process.env.MAIL_DIR;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const axeSource = fs.readFileSync(
  new URL('./node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
);
const PASSWORD = 'Смоленск-лето-2026';
const problems = [];
let checked = 0;

/** Overflow and axe on the page as it is now; `what` names it in the report. */
async function check(page, what) {
  checked += 1;
  const wide = await page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const over = document.documentElement.scrollWidth - limit;
    if (over <= 0) return null;
    // The outermost elements that stick out, to say where.
    const culprits = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > limit + 1)
      .filter((e) => !(e.parentElement && e.parentElement.getBoundingClientRect().right > limit + 1))
      .slice(0, 3)
      .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
    return `${over} px wider than the screen (${culprits.join(', ')})`;
  });
  if (wide) problems.push(`${what}: ${wide}`);
  // Dates as ДД.ММ.ГГГГ, times without «UTC», phones as people read them.
  const text = await page.evaluate(() => document.body.innerText);
  for (const [pattern, rule] of [
    [/\b\d{4}-\d{2}-\d{2}\b/, 'a date not as ДД.ММ.ГГГГ'],
    [/\bUTC\b/, 'a time labelled UTC'],
    [/\+7\d{10}\b/, 'an unformatted phone'],
  ]) {
    const found = text.match(pattern);
    if (found) problems.push(`${what}: ${rule}: «${found[0]}»`);
  }
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  );
  for (const v of result.violations) {
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
    problems.push(`${what}: axe ${v.id} (${v.impact}): ${v.help} — ${where}`);
  }
}

async function visit(page, url, what) {
  const response = await page.goto(base + url);
  if (!response || response.status() >= 400) {
    problems.push(`${what}: ${url} answered ${response && response.status()}`);
  }
  await check(page, what);
}

/** A raw message with its base64 and quoted-printable parts decoded, to search in. */
function readable(raw) {
  const parts = [raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=')];
  const base64 = /Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi;
  for (const m of raw.matchAll(base64)) {
    parts.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('utf8'));
  }
  return parts.join('\n');
}

/** The link in the newest mail to `address` that contains `part`. */
function linkInMail(address, part) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir) : [];
    const mails = files
      .map((f) => path.join(mailDir, f))
      .map((f) => ({ f, t: fs.statSync(f).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .map(({ f }) => readable(fs.readFileSync(f, 'utf8')))
      .filter((m) => m.includes(address));
    for (const m of mails) {
      const found = m.match(new RegExp(`https?://[^\\s"<>]*${part}[^\\s"<>]*`));
      if (found) return found[0];
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  throw new Error(`no mail to ${address} with ${part} in ${mailDir}`);
}

async function journey(width) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ru-RU' });
  const page = await context.newPage();
  const at = (what) => `${what} @${width}px`;
  const email = `walk-${width}-${Date.now()}@example.ru`;

  await visit(page, '/', at('home'));
  await visit(page, '/programs?municipality=', at('catalog'));
  if (width < 600) {
    // On a phone the filters fold behind «Фильтры», which opens them.
    const form = page.locator('form.filters');
    if (await form.isVisible()) problems.push(at('catalog: the filters are not folded'));
    await page.getByText('Фильтры', { exact: true }).click();
    if (!(await form.isVisible())) problems.push(at('catalog: «Фильтры» does not open them'));
    await check(page, at('catalog, filters open'));
  }
  await visit(page, '/map', at('map'));

  // A program with enrollment open for a child of 10 that a family pays or that is free.
  await visit(page, '/programs?municipality=&age=10&open=1&financing=free', at('catalog, filtered'));
  const programs = await page.locator('a[href^="/programs/"]').evaluateAll((links) =>
    [...new Set(links.map((a) => a.getAttribute('href')).filter((h) => /^\/programs\/\d+$/.test(h)))],
  );
  if (programs.length === 0) throw new Error('no free program with enrollment open for a child of 10');
  await visit(page, programs[0], at('program'));
  const apply = page.locator('a[href^="/apply/"]').first();
  const box = await apply.boundingBox();
  if (!box || box.x < 0 || box.x + box.width > width) {
    problems.push(at(`program: «Записаться» is off the screen (${JSON.stringify(box)})`));
  }

  await visit(page, '/register', at('registration'));
  await page.selectOption('#f-municipality', { index: 1 });
  await page.fill('#f-last_name', 'Кузнецова');
  await page.fill('#f-first_name', 'Ирина');
  await page.fill('#f-phone', '+79161234567');
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await page.check('#f-consent');
  await Promise.all([page.waitForLoadState('load'), page.locator('form[action="/register"] button[type=submit]').click()]);
  await check(page, at('registration sent'));

  const link = new URL(linkInMail(email, '/verify/email'));
  await visit(page, link.pathname + link.search, at('address confirmed'));
  await visit(page, '/login', at('login'));
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.locator('form[action="/login"] button[type=submit]').click()]);
  await check(page, at('after login'));

  await visit(page, '/cabinet/children/new', at('new child'));
  await page.fill('#f-last_name', 'Кузнецов');
  await page.fill('#f-first_name', 'Миша');
  const born = new Date();
  born.setFullYear(born.getFullYear() - 10);
  await page.fill('#f-birth_date', born.toISOString().slice(0, 10));
  await page.check('#f-sex-m');
  await Promise.all([page.waitForURL((u) => u.pathname === '/cabinet'), page.locator('main form button[type=submit]').first().click()]);
  await check(page, at('cabinet'));

  await visit(page, programs[0], at('program, logged in'));
  await page.locator('a[href^="/apply/"]').first().click();
  await page.waitForLoadState('load');
  await check(page, at('apply'));
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Подтвердить запись' }).click()]);
  if (!page.url().includes('/cabinet/applications')) {
    problems.push(at(`apply: ended at ${page.url()}`));
  }
  await check(page, at('applications'));
  const cancel = page.getByRole('button', { name: /Отменить/ }).first();
  if (await cancel.count()) {
    await Promise.all([page.waitForLoadState('load'), cancel.click()]);
    await check(page, at('application cancelled'));
  } else {
    problems.push(at('applications: no «Отменить» for a new application'));
  }
  for (const [url, what] of [
    ['/cabinet/profile', 'profile'],
    ['/cabinet/timetable', 'timetable'],
    ['/cabinet/favourites', 'favourites'],
    ['/cabinet/applications', 'applications again'],
  ]) {
    await visit(page, url, at(what));
  }

  // «Версия для слабовидящих» from the header: large type, no images, both schemes, and back.
  await visit(page, programs[0], at('program again'));
  const choose = async (name) => {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name, exact: true }).click()]);
  };
  await choose('Версия для слабовидящих');
  if (!page.url().endsWith(programs[0])) problems.push(at(`accessible version: came back to ${page.url()}`));
  if (await page.locator('img:visible').count()) problems.push(at('accessible version: images shown'));
  await check(page, at('program, accessible version'));
  await visit(page, '/programs?municipality=', at('catalog, accessible version'));
  await choose('Белым по чёрному');
  await check(page, at('catalog, white on black'));
  await visit(page, '/cabinet', at('cabinet, white on black'));
  await choose('Обычная версия');
  if (await page.locator('html.a11y').count()) problems.push(at('«Обычная версия» kept the accessible version'));
  await context.close();
}

/** The static copy as a CDN serves it: its pages, and its filter finding by word starts. */
async function copy(width) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ru-RU' });
  const page = await context.newPage();
  const at = (what) => `copy: ${what} @${width}px`;
  const open = async (url, what) => {
    const response = await page.goto(copyBase + url);
    if (!response || response.status() >= 400) problems.push(`${at(what)}: ${url} answered ${response && response.status()}`);
    await check(page, at(what));
  };
  await open('index.html', 'home');
  await open('programs/index.html', 'catalog');
  const filter = page.locator('#static-filter');
  await filter.waitFor({ state: 'visible' });
  await page.fill('#f-q', 'шахматы');
  await filter.locator('button[type=submit]').click();
  await page.locator('#static-results .program-card').first().waitFor();
  const count = await page.locator('#results-count').textContent();
  const cards = await page.locator('#static-results .program-card').allTextContents();
  if (!cards.length || !cards.every((t) => /шахмат/i.test(t))) problems.push(at(`filter «шахматы»: ${count}`));
  const titles = await page.locator('#static-results .program-card h3').allTextContents();
  const inView = await page.locator('#results-count').evaluate((e) => {
    const r = e.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  if (!inView) problems.push(at('filter: the result count is not scrolled into view'));
  // The pages' order (site.rs title_key): lowercase, ё as е, by code point.
  const key = (t) => t.toLowerCase().replace(/ё/g, 'е');
  const sorted = [...titles].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (titles.join('|') !== sorted.join('|')) problems.push(at('filter: results not in title order'));
  await check(page, at('catalog filtered'));
  await page.fill('#f-q', 'мир');
  await filter.locator('button[type=submit]').click();
  const inside = await page.locator('#static-results .program-card h3').allTextContents();
  if (inside.some((t) => /программир/i.test(t) && !/(^|[^а-яё])мир/i.test(t))) {
    problems.push(at('filter «мир» matches inside «Программирование»'));
  }
  const first = await page.locator('a[href$=".html"][href*="programs/"]').first().getAttribute('href');
  await open('programs/' + first.split('programs/').pop(), 'program');
  await open('map.html', 'map');
  // A CDN serves 404.html at whatever address was missing; a file server only at its own.
  await open('404.html', '404');
  // «Версия для слабовидящих» by script, in the same cookie, kept from page to page.
  await page.getByRole('button', { name: 'Версия для слабовидящих' }).click();
  if (!(await page.locator('html.a11y').count())) problems.push(at('the accessible version did not switch on'));
  await open('programs/index.html', 'catalog, accessible version');
  if (!(await page.locator('html.a11y').count())) problems.push(at('the accessible version was not kept'));
  if (await page.locator('img:visible').count()) problems.push(at('accessible version: images shown'));
  await page.getByRole('button', { name: 'Обычная версия' }).click();
  if (await page.locator('html.a11y').count()) problems.push(at('«Обычная версия» kept the accessible version'));
  await context.close();
}

const copyBase = process.env.COPY;
const browser = await chromium.launch({
  executablePath,
  // A closed network: nothing of Chromium's own reaches out.
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  for (const width of [1280, 390]) {
    await journey(width);
    if (copyBase) await copy(width);
  }
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(`browser: ${problems.length} problem(s) on ${checked} page checks:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`browser: ${checked} page checks at 1280 and 390 px, no overflow, no axe violation`);
