// Every person's home: each demo role signs in and lands on what concerns them, and every link
// they are shown, two levels deep from there, opens (no 4xx, no 5xx: a link someone cannot use
// is a link they should not have been shown). New pages are covered by being linked. Each
// role's home is saved at 1280 px and 390 px wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, checkAccessibility, signIn } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

// The demo's people, one of each kind (README: demo accounts).
const ROLES = [
  ['s.taylor', 'receptionist'],
  ['a.nwosu', 'practice nurse'],
  ['j.green', 'line manager'],
  ['r.ahmed', 'practice manager'],
  ['m.kowalski', 'information asset owner and system administrator'],
  ['dr.hughes', 'Caldicott Guardian and SIRO'],
  ['t.obrien', 'data protection lead'],
  ['dr.locum', 'locum in two practices'],
  ['admin', 'provider administrator'],
  ['c.okafor', 'IG consultant (DPO)'],
  ['auditor', 'auditor'],
];

// What each person's home lists, in the demo: their own tasks with their dates, and the
// practice's problems only for those responsible for them.
const DATE = /\d{1,2} [A-Z][a-z]{2} \d{4}/.source;
const HOMES = {
  's.taylor': { tasks: [/Nothing for you to do here today/], attention: [], not: [/Needs attention/, /login task/, /Collect LT-/] },
  'a.nwosu': { tasks: [/Nothing for you to do here today/], attention: [], not: [/Needs attention/] },
  'j.green': { tasks: [/Nothing for you to do here today/], attention: [], not: [/login task/, /risk review/] },
  'r.ahmed': {
    tasks: [new RegExp(`1 starter or mover request waiting for your approval due ${DATE}`), /2 login tasks in other systems to do/,
      new RegExp(`Collect LT-003 \\(laptop\\) from Ada Nwosu, who is leaving due ${DATE}`)],
    attention: [/4 gaps in the asset register/, /1 risk review overdue/, /1 risk action overdue/, /1 incident reported, waiting for triage/],
    not: [/Sign off the/],
  },
  'm.kowalski': {
    tasks: [new RegExp(`Review 1 risk you own overdue since ${DATE}`), new RegExp(`1 action given to you past their due date overdue since ${DATE}`), /login tasks/],
    attention: [],
    not: [/gaps in the asset register/, /risk review overdue/, /incident reported/],
  },
  'dr.hughes': {
    tasks: [/Sign off the Q\d \d{4} .* threats and vulnerabilities report/],
    attention: [/1 incident reported, waiting for triage/],
    not: [/login task/, /gaps in the asset register/],
  },
  't.obrien': {
    tasks: [/waiting for your approval/, /login tasks/],
    attention: [/gaps in the asset register/, /incident reported/],
    not: [/Sign off the/],
  },
};

// WCAG 2.2 AA on every page: each kind of page (its path with the ids taken out) that any role's
// crawl reaches is checked with axe-core once, as the first role to reach it sees it.
const axeChecked = new Set();
const pageKind = (path) => path.split('?')[0]
  .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id')
  .replace(/\/\d+(?=\/|$)/g, '/:n');

/** The same-site links of a page's HTML, without fragments. */
function links(html, base) {
  const found = new Set();
  for (const m of html.matchAll(/<a\s[^>]*href="([^"]+)"/g)) {
    const href = m[1].replaceAll('&amp;', '&');
    if (href.startsWith('#') || href.startsWith('mailto:')) continue;
    const url = new URL(href, base);
    if (url.origin !== new URL(base).origin) continue;
    url.hash = '';
    found.add(url.pathname + url.search);
  }
  return found;
}

for (const [username, who] of ROLES) {
  test(`the ${who} (${username}) lands on their home, and every link two levels deep opens`, async () => {
    const page = await app.newPage();
    await signIn(page, username);
    await page.waitForLoadState('domcontentloaded');
    const home = new URL(page.url()).pathname;
    await checkAccessibility(page);
    const main = await page.locator('main').innerText();
    assert.ok(main.trim().length > 0, 'never an empty page');
    // Everyone on a practice's staff can report an incident from their home.
    if (home.startsWith('/practices/')) {
      assert.ok(await page.getByRole('link', { name: 'Report an incident' }).count() > 0, 'Report an incident');
    }
    const tasks = page.getByRole('region', { name: 'Your tasks' });
    const problems = page.getByRole('region', { name: 'Needs attention' });
    const text = async (region) => ((await region.count()) ? region.innerText() : '');
    const expected = HOMES[username];
    if (expected) {
      const [mine, practice] = [await text(tasks), await text(problems)];
      for (const want of expected.tasks) assert.match(mine, want, `${username}'s tasks`);
      for (const want of expected.attention) assert.match(practice, want, `${username}'s needs attention`);
      for (const not of expected.not) assert.doesNotMatch(mine + practice, not, `${username} is not shown ${not}`);
    }
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await app.screenshot(page, `home-${username}-${width}`);
    }

    const seen = new Map();
    let level = new Set([home]);
    for (let depth = 0; depth <= 2; depth++) {
      const next = new Set();
      for (const path of level) {
        if (seen.has(path)) continue;
        const res = await page.request.get(path, { maxRedirects: 5 });
        assert.ok(res.status() < 400, `${username}: ${path} answered ${res.status()}`);
        const type = res.headers()['content-type'] ?? '';
        seen.set(path, type.startsWith('text/html'));
        if (depth < 2 && type.startsWith('text/html')) {
          for (const l of links(await res.text(), app.url + path)) {
            // Signing out ends the crawl's session; the rest is fair game.
            if (!seen.has(l) && !l.startsWith('/sign-out')) next.add(l);
          }
        }
      }
      level = next;
    }
    assert.ok(seen.size > 5, `${username}: only ${seen.size} pages reached`);
    let checked = 0;
    for (const [path, html] of seen) {
      if (!html || axeChecked.has(pageKind(path))) continue;
      axeChecked.add(pageKind(path));
      await page.goto(path);
      await checkAccessibility(page);
      checked++;
    }
    console.log(`${username}: axe-core found nothing on ${checked} new kinds of page (${axeChecked.size} in all)`);
    console.log(`${username}: ${seen.size} pages opened from ${home}`);
  });
}

test('a receptionist signs in and reaches an incident report with the keyboard alone, focus always visible', async () => {
  const page = await app.newPage();
  await page.goto('/sign-in');
  // Tab from the top of the page: every stop shows where the focus is.
  const focused = async () => page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return { tag: el.tagName, text: (el.innerText || el.getAttribute('name') || el.id || '').trim().slice(0, 40),
      visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 };
  });
  const tabTo = async (match, most = 30) => {
    for (let i = 0; i < most; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      assert.ok(f.visible, `focus not visible on ${f.tag} “${f.text}”`);
      if (match(f)) return f;
    }
    assert.fail('never reached');
  };
  const first = await tabTo(() => true);
  assert.equal(first.text, 'Skip to main content', 'the first stop skips to the content');
  await tabTo((f) => f.tag === 'INPUT' && f.text === 'login');
  await page.keyboard.type('s.taylor');
  await tabTo((f) => f.tag === 'INPUT' && f.text === 'password');
  await page.keyboard.type('demo-custodian-2026');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Riverside Medical Centre', level: 1 }).waitFor();
  // From her home, Tab to "Report an incident" and open it with Enter.
  await tabTo((f) => f.tag === 'A' && f.text === 'Report an incident');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Report an incident/ }).waitFor();
  await tabTo((f) => f.tag === 'TEXTAREA' || f.tag === 'INPUT');
  await checkAccessibility(page);
});
