// Browser tests of the livescore dashboard and admin console: starts the real server binary,
// drives Debian's Chromium through playwright-core, prints one line per test and exits non-zero
// when any failed. Run from anywhere: `node tests/e2e/run.mjs` (LIVESCORE_BIN picks the binary,
// default target/debug/livescore under the repo root; a relative LIVESCORE_BIN is taken from the
// current directory). Screenshots go to target/screenshots/.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ALICE, BOB, FIXTURE_MATCHES, ROOT, adminLogin, assertClean, closePage, command, freePort, getJson,
  headlineShown, killAll, launchBrowser, openPage, sleep, startServer, stopServer, waitForLive, waitForText,
} from './harness.mjs';
import { tests as editorTests } from './editor.mjs';
import { tests as fanTests } from './fan.mjs';

const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
const TEST_TIMEOUT_MS = 40000;
const SCORE_LATENCY_LIMIT_MS = 1000;

let server;
let scoreCounter = 10;

/** The DOM-free modules, loaded straight into Node: clocks, SSE framing, seq dedupe. */
async function pureModulesBehave() {
  const frontend = (file) => pathToFileURL(path.join(ROOT, 'frontend', 'js', file)).href;
  const { clockText } = await import(frontend('format.js'));
  const { parseSseFrames } = await import(frontend('feed-transports.js'));
  const { FeedStore } = await import(frontend('store.js'));
  const expect = (actual, expected, what) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  };
  const clock = (sport, status, period, minute) => clockText({ sport, status, period, minute, kickoff: '' });
  expect(clock('football', 'live', 1, 34), "34'", 'football clock');
  expect(clock('football', 'halftime', 1, 45), 'HT', 'half-time');
  expect(clock('basketball', 'live', 3, 29), 'Q3 7:00', 'quarter clock');
  expect(clock('basketball', 'live', 5, 50), 'OT1 3:00', 'overtime clock');
  expect(clock('basketball', 'break', 2, 24), 'Break', 'quarter break');
  expect(clock('basketball', 'final', 4, 48), 'FT', 'final');
  expect(clockText({ sport: 'basketball', status: 'live', period: 3, minute: 29 }, 18), 'Q3 6:42', 'seconds into a minute');
  expect(clockText({ sport: 'basketball', status: 'live', period: 5, minute: 50 }, 59), 'OT1 2:01', 'overtime seconds');

  // The game clock counts a minute's seconds at the pace of the last, and waits at its end.
  const { GameClock } = await import(frontend('format.js'));
  const gameClock = new GameClock();
  const at = (minute, ms) => gameClock.secondsInto({ id: 8, sport: 'basketball', status: 'live', period: 3, minute }, ms);
  expect([at(29, 0), at(29, 30000), at(29, 90000)], [0, 30, 59], 'seconds, held at the minute\'s last');
  expect([at(30, 100000), at(30, 110000)], [0, 10], 'real time while the pace is unknown');
  expect([at(31, 104000), at(31, 105000)], [0, 15], 'a minute in 4 s: 15 game seconds a second');
  expect([at(32, 105500), at(32, 105900)], [0, 0], 'a minute in 1.5 s: whole minutes only');

  const frames = parseSseFrames('id: s.2\nevent: score\ndata: {"a":1}\n\n: ping\n\nid: s.3\nevent: news\ndata: {"b":\ndata: 2}\n\n');
  expect(frames, [{ id: 's.2', event: 'score', data: '{"a":1}' }, { id: 's.3', event: 'news', data: '{"b":\n2}' }], 'SSE frames');

  const store = new FeedStore();
  const match = { id: 1, home: 'A', away: 'B', score: { home: 0, away: 0 }, incidents: [], version: 1 };
  store.applySnapshot({ type: 'snapshot', id: 's.5', seq: 5, stream: 's', leagues: [], teams: [], matches: [match], news: [] });
  expect(store.applyEvent({ type: 'score', id: 's.6', seq: 6, match_id: 1, home: 1, away: 0, version: 2 }), true, 'new event');
  expect(store.applyEvent({ type: 'score', id: 's.6', seq: 6, match_id: 1, home: 9, away: 9, version: 2 }), false, 'replayed event');
  expect(store.applyEvent({ type: 'score', id: 't.7', seq: 7, match_id: 1, home: 9, away: 9, version: 3 }), false, 'foreign stream');
  expect(store.matches.get(1).score, { home: 1, away: 0 }, 'score after dedupe');

  // What tabs sharing one stream ask of it and take from it.
  const { Known, covers, follows, unionFilters } = await import(frontend('feed-scope.js'));
  expect(unionFilters([{ leagues: ['nba'], types: ['score'] }, { leagues: ['epl'], types: ['news'] }]),
    { matches: [], leagues: ['epl', 'nba'], types: ['match', 'news', 'score'] }, 'union of two league filters');
  expect(unionFilters([{ leagues: ['nba'] }, { matches: [1] }]), { matches: [], leagues: [], types: [] }, 'union with a match page');
  expect([covers({}, { leagues: ['nba'] }), covers({ leagues: ['nba'] }, {}), covers({ types: ['score', 'match'] }, { types: ['score'] })],
    [true, false, true], 'covers');
  expect([follows('s.4', 's.5'), follows('s.6', 's.5'), follows('t.4', 's.5'), follows(null, 's.5')],
    [true, false, false, false], 'a relayed frame follows on from a cursor');
  const known = new Known();
  known.learn({ type: 'snapshot', matches: [{ id: 8, league: 'nba' }], news: [] });
  const nbaOnly = { leagues: ['nba'], types: ['score', 'match'] };
  expect([
    known.admits({ type: 'score', match_id: 8 }, nbaOnly),
    known.admits({ type: 'score', match_id: 1 }, nbaOnly),
    known.admits({ type: 'incident', match_id: 8 }, nbaOnly),
    known.admits({ type: 'archived', matches: [1] }, nbaOnly),
  ], [true, false, false, true], 'a tab takes its own filter\'s frames');
  known.learn({ type: 'match', match: { id: 13, league: 'nba' } });
  expect(known.admits({ type: 'score', match_id: 13 }, nbaOnly), true, 'a match created later');
  return 'clocks, SSE frames, seq dedupe, shared-stream filters';
}

async function dashboardShowsMatchesAndScoreChangeQuickly() {
  const page = await openPage(`${server.base}/`);
  await waitForLive(page, 'dashboard');
  const count = await page.locator('[data-match-id]').count();
  if (count < FIXTURE_MATCHES) throw new Error(`expected ≥ ${FIXTURE_MATCHES} matches, saw ${count}`);
  await command(server, { type: 'match.status', match_id: 1, status: 'live' });
  await page.evaluate(() => {
    const score = document.querySelector('[data-match-id="1"] .home-score');
    window.scoreChangedAt = null;
    new MutationObserver(() => {
      if (score.textContent === '2' && window.scoreChangedAt === null) window.scoreChangedAt = Date.now();
    }).observe(score, { childList: true, characterData: true, subtree: true });
  });
  await command(server, { type: 'score.set', match_id: 1, home: 2, away: 1 });
  const answeredAt = Date.now();
  await waitForText(page, '[data-match-id="1"] .home-score', '2', 5000, 'score change');
  await waitForText(page, '[data-match-id="1"] .away-score', '1', 1000, 'score change');
  const changedAt = await page.evaluate(() => window.scoreChangedAt);
  const latency = Math.max(0, changedAt - answeredAt);
  if (latency > SCORE_LATENCY_LIMIT_MS) throw new Error(`score appeared after ${latency} ms (limit ${SCORE_LATENCY_LIMIT_MS} ms)`);
  assertClean(page, 'dashboard');
  await closePage(page);
  return `${count} matches, score shown ${latency} ms after the POST answered`;
}

async function adminEditsReachDashboardAndConflictsOfferRetry() {
  const admin = await openPage(`${server.base}/admin`);
  const dashboard = await openPage(`${server.base}/`);
  await adminLogin(admin, ALICE);
  await waitForLive(dashboard, 'dashboard');
  const card = '#admin-matches [data-match-id="2"]';

  await admin.click(`${card} .status-live`);
  await waitForText(dashboard, '[data-match-id="2"] .status', 'Live', 3000, 'status from the console');
  await admin.locator(`${card} .home-plus:not([disabled])`).click({ timeout: 3000 });
  await waitForText(dashboard, '[data-match-id="2"] .home-score', '1', 3000, 'score from the console');

  const headline = `Console headline ${Date.now()}`;
  await admin.fill('#news-headline', headline);
  await admin.fill('#news-body', 'Written in the admin console by the browser tests.');
  await admin.fill('#news-tags', 'epl, e2e');
  await admin.click('#news-publish');
  await headlineShown(dashboard, headline, 3000, 'news from the console');

  // Two clicks in one task: both goals carry the version shown, so the second is stale and
  // refused (one goal, not two); Retry records it on purpose.
  await waitForText(admin, `${card} .home-score`, '1', 3000, 'console score');
  await admin.evaluate((selector) => {
    const plus = document.querySelector(`${selector} .home-plus`);
    plus.click();
    plus.click();
  }, card);
  const retry = admin.locator(`${card} .retry`);
  await retry.waitFor({ timeout: 3000 }).catch(() => { throw new Error('no .retry button after a double click'); });
  // The refusal comes at once; the winning edit's event follows once it is committed to disk,
  // and the notice shows the value as it then stands.
  await admin.waitForFunction((selector) => /match changed meanwhile: now 2-0 \(version \d+\)/
    .test(document.querySelector(`${selector} .conflict`)?.textContent || ''), card, { timeout: 3000 })
    .catch(async () => {
      const notice = (await admin.locator(`${card} .conflict`).textContent()).trim();
      throw new Error(`conflict notice reads "${notice}"`);
    });
  const log = await admin.locator('#log').textContent();
  if (!/conflict/.test(log)) throw new Error('the activity log does not show the conflict');
  await retry.click();
  await admin.locator(`${card} .retry`).waitFor({ state: 'detached', timeout: 3000 })
    .catch(() => { throw new Error('the conflict notice stayed after a retry'); });
  await waitForText(dashboard, '[data-match-id="2"] .home-score', '3', 3000, 'score after the retried goal');

  // A row opens the match page, which shows the timeline the console made.
  await dashboard.click('[data-match-id="2"] .match-open');
  await dashboard.waitForURL(/\/match\/2$/, { timeout: 3000 })
    .catch(() => { throw new Error(`clicking a match went to ${dashboard.url()}, not /match/2`); });
  await dashboard.locator('#timeline .tl-row.marker').filter({ hasText: 'Kick-off' }).waitFor({ timeout: 3000 })
    .catch(async () => { throw new Error(`the match page lacks the kick-off marker: "${(await dashboard.locator('#timeline').textContent()).slice(0, 200)}"`); });
  await waitForText(dashboard, '#big-score', '3 – 0', 3000, 'match page score');

  assertClean(admin, 'admin console');
  assertClean(dashboard, 'dashboard');
  await closePage(admin);
  await closePage(dashboard);
  return 'status, score and news reached the dashboard; match page opens with its timeline; conflict shown with retry';
}

async function headlinesAreShownAsText() {
  const page = await openPage(`${server.base}/`);
  await waitForLive(page, 'dashboard');
  const headline = '<img src=x onerror=alert(1)>';
  await command(server, { type: 'news.publish', headline, body: '<script>alert(2)</script>', tags: ['epl'] });
  await headlineShown(page, headline, 3000, 'XSS headline');
  await sleep(300);
  const images = await page.locator('#news img').count();
  if (images) throw new Error(`${images} img element(s) were created in the news list`);
  const scripts = await page.locator('#news script').count();
  if (scripts) throw new Error('a script element was created in the news list');
  assertClean(page, 'dashboard');
  await closePage(page);
  return 'markup shown literally, no img, no dialog';
}

async function everyPageIsFreeOfConsoleErrors() {
  const seen = [];
  for (const transport of ['sse', 'ws', 'longpoll', 'poll']) {
    const page = await openPage(`${server.base}/?transport=${transport}`);
    await waitForLive(page, transport);
    await waitForText(page, '#transport', transport, 1000, transport);
    scoreCounter += 1;
    await command(server, { type: 'score.set', match_id: 1, home: scoreCounter, away: 1 });
    await waitForText(page, '[data-match-id="1"] .home-score', String(scoreCounter), 3000, `${transport}: score`);
    const lastId = (await page.locator('#last-id').textContent()).trim();
    if (!/^[a-z0-9]+\.\d+$/.test(lastId)) throw new Error(`${transport}: #last-id reads "${lastId}"`);
    assertClean(page, `dashboard over ${transport}`);
    await closePage(page);
    seen.push(transport);
  }
  const admin = await openPage(`${server.base}/admin`);
  await admin.fill('#token', 'not-a-real-token');
  await admin.click('#login');
  await waitForText(admin, '#admin-conn', 'closed 4001: unauthorized: unknown token', 3000, 'bad token');
  if (!(await admin.locator('#token').isVisible())) throw new Error('the login form is not shown again after 4001');
  await adminLogin(admin, BOB);
  await admin.waitForFunction(() => document.querySelector('#presence').textContent.includes('bob'), null, { timeout: 3000 });
  assertClean(admin, 'admin console');
  await closePage(admin);
  return `${seen.join(', ')} and the admin console`;
}

async function refusedSavedFilterFallsBackToEverything() {
  const saved = JSON.stringify({ leagues: ['no-such-league'], teams: [], onlyFollowed: true });
  const plant = ([key, value]) => localStorage.setItem(key, value);
  for (const transport of ['sse', 'ws', 'longpoll']) {
    const page = await openPage(`${server.base}/?transport=${transport}`, {
      init: { script: plant, arg: ['livescore.follow.v1', saved] },
    });
    await waitForLive(page, `${transport} with a refused filter`);
    const notice = page.locator('#filter-notice');
    if (!(await notice.isVisible())) throw new Error(`${transport}: no notice about the refused filter`);
    const text = await notice.textContent();
    if (!text.includes('no-such-league')) throw new Error(`${transport}: the notice reads "${text}"`);
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('livescore.follow.v1')));
    if (kept.onlyFollowed !== false || kept.leagues.length !== 0) throw new Error(`${transport}: the saved follows are still ${JSON.stringify(kept)}`);
    assertClean(page, `${transport} with a refused filter`, { allowNetworkErrors: true });
    await closePage(page);
  }
  return 'sse, ws, longpoll: notice shown, every match listed, unknown followed league and "following only" cleared';
}

async function pagesCarryAStrictCsp() {
  for (const route of ['/', '/admin', '/match/1']) {
    const response = await fetch(`${server.base}${route}`);
    const csp = response.headers.get('content-security-policy');
    if (!csp) throw new Error(`${route}: no Content-Security-Policy header`);
    if (/unsafe-inline|unsafe-eval/.test(csp)) throw new Error(`${route}: CSP allows unsafe code: ${csp}`);
    if (!/script-src 'self'/.test(csp)) throw new Error(`${route}: CSP lacks script-src 'self': ${csp}`);
    const html = await response.text();
    if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) throw new Error(`${route}: inline <script>`);
    if (/\sstyle\s*=|<style/i.test(html)) throw new Error(`${route}: inline style`);
    if (/\son[a-z]+\s*=/i.test(html)) throw new Error(`${route}: inline event handler`);
  }
  return 'CSP present on /, /admin and /match/1, no inline script or style';
}

/** The default transport (SSE) is the one the brief insists on; the others must recover too. */
async function dashboardRecoversFromServerRestart() {
  const transports = ['sse', 'ws', 'longpoll', 'poll'];
  const pages = [];
  for (const transport of transports) {
    const page = await openPage(`${server.base}/?transport=${transport}`);
    await waitForLive(page, transport);
    pages.push([transport, page]);
  }
  const admin = await openPage(`${server.base}/admin`);
  await adminLogin(admin, BOB);
  const oldStream = server.stream;
  await stopServer(server);
  await admin.waitForFunction(() => /\(1001\).*reconnecting in/.test(document.querySelector('#admin-conn').textContent),
    null, { timeout: 3000 }).catch(() => { throw new Error('the console did not report the 1001 close'); });
  server = await startServer(server.port);
  // The store keeps the stream across restarts, so pages resume with their Last-Event-ID.
  if (server.stream !== oldStream) throw new Error(`the restarted server lost its stream (${oldStream} → ${server.stream})`);
  const headline = `After the restart ${Date.now()}`;
  await command(server, { type: 'news.publish', headline, tags: ['laliga'] });
  await command(server, { type: 'match.status', match_id: 5, status: 'live' });
  await command(server, { type: 'score.set', match_id: 5, home: 3, away: 2 });
  const news = await getJson(server, '/api/news');
  const notes = [];
  for (const [transport, page] of pages) {
    const started = Date.now();
    await headlineShown(page, headline, 20000, `${transport} after the restart`);
    await waitForText(page, '[data-match-id="5"] .home-score', '3', 5000, `${transport}: score after the restart`);
    await waitForText(page, '#conn-state', 'live', 5000, `${transport}: connection after the restart`);
    const lastId = (await page.locator('#last-id').textContent()).trim();
    if (!lastId.startsWith(`${server.stream}.`)) {
      throw new Error(`${transport}: #last-id "${lastId}" is not from the stream ${server.stream}`);
    }
    const ids = await page.$$eval('[data-news-id]', (nodes) => nodes.map((n) => n.dataset.newsId));
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (duplicates.length) throw new Error(`${transport}: duplicate news items: ${[...new Set(duplicates)].join(', ')}`);
    if (ids.length !== news.length) {
      throw new Error(`${transport}: the dashboard shows ${ids.length} news items, the server has ${news.length}`);
    }
    // The server was down for a moment: failed requests are expected, exceptions are not.
    assertClean(page, `dashboard over ${transport}`, { allowNetworkErrors: true });
    await closePage(page);
    notes.push(`${transport} +${Date.now() - started} ms`);
  }
  await waitForText(admin, '#admin-conn', 'connected as bob', 20000, 'console after the restart');
  await waitForText(admin, '#admin-matches [data-match-id="5"] .home-score', '3', 5000, 'console state after the restart');
  assertClean(admin, 'admin console', { allowNetworkErrors: true });
  await closePage(admin);
  return `console and dashboards caught up on stream ${server.stream} (${notes.join(', ')}); ${news.length} news items, no duplicates`;
}

/**
 * A page on another site reads the feed (fetch and EventSource) from a server that lists that
 * site in --cors-origins, and cannot from one that does not list it.
 */
async function otherSitesReadTheFeedOnlyWhenListed() {
  // Pages are on the main server's JSON routes: they carry no CSP to stop them connecting out.
  const listing = await startServer(await freePort(), ['--in-memory', '--cors-origins', server.base]);
  const read = async (site, feed) => {
    const page = await openPage(`${site}/api/news`);
    try {
      return await page.evaluate(async (base) => {
        const json = await fetch(`${base}/api/snapshot`)
          .then((r) => r.json()).then((s) => typeof s.seq === 'number').catch(() => false);
        const sse = await new Promise((resolve) => {
          const source = new EventSource(`${base}/events`);
          source.addEventListener('snapshot', () => { source.close(); resolve(true); });
          source.onerror = () => { source.close(); resolve(false); };
        });
        return { json, sse };
      }, feed);
    } finally {
      await closePage(page);
    }
  };
  try {
    const listed = await read(server.base, listing.base);
    if (!listed.json || !listed.sse) throw new Error(`a listed site could not read the feed: ${JSON.stringify(listed)}`);
    const unlisted = await read(listing.base, server.base);
    if (unlisted.json || unlisted.sse) throw new Error(`an unlisted site read the feed: ${JSON.stringify(unlisted)}`);
  } finally {
    await stopServer(listing);
  }
  return 'listed: fetch and EventSource read; unlisted: both refused by the browser';
}

async function screenshots() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A little activity so the pictures show live cards, a timeline and an edited news item.
  await command(server, { type: 'match.status', match_id: 8, status: 'live' });
  for (const [team, points] of [['home', 3], ['away', 2], ['home', 2], ['away', 3], ['home', 1]]) {
    await command(server, { type: 'incident.add', match_id: 8, kind: 'points', team, points });
  }
  await command(server, { type: 'match.status', match_id: 8, status: 'live', period: 2, minute: 17 });
  await command(server, { type: 'match.status', match_id: 5, status: 'live', minute: 31 });
  await command(server, { type: 'incident.add', match_id: 5, kind: 'goal', team: 'home', player: 'Ignacio Cabral', minute: 23 });
  await command(server, { type: 'match.status', match_id: 6, status: 'live', minute: 37 });
  await command(server, { type: 'incident.add', match_id: 6, kind: 'yellow_card', team: 'away', minute: 34 });
  const shots = [
    ['dashboard.png', {}],
    ['dashboard-phone.png', { viewport: { width: 390, height: 844 } }],
    ['dashboard-dark.png', { colorScheme: 'dark' }],
  ];
  for (const [file, options] of shots) {
    const page = await openPage(`${server.base}/`, options);
    await waitForLive(page, file);
    // Events seen by this page, so its activity chart has a bar to draw.
    for (const points of [2, 3, 2]) {
      await command(server, { type: 'incident.add', match_id: 8, kind: 'points', team: 'away', points });
    }
    await sleep(1300);
    await page.screenshot({ path: path.join(SCREENSHOTS, file), fullPage: true });
    assertClean(page, file);
    await closePage(page);
  }
  const admin = await openPage(`${server.base}/admin`);
  await adminLogin(admin, ALICE);
  await sleep(300);
  await admin.screenshot({ path: path.join(SCREENSHOTS, 'admin.png'), fullPage: true });
  assertClean(admin, 'admin.png');
  await closePage(admin);
  return `saved in ${path.relative(process.cwd(), SCREENSHOTS) || '.'}`;
}

// ---------------------------------------------------------------- runner

const TESTS = [
  ['frontend modules without a DOM: clocks, SSE frames, seq dedupe', pureModulesBehave],
  ['dashboard shows every fixture match and a score change within 1 s', dashboardShowsMatchesAndScoreChangeQuickly],
  ['admin console edits reach the dashboard; a stale version gets a conflict with retry', adminEditsReachDashboardAndConflictsOfferRetry],
  ['a news headline with markup is shown as text', headlinesAreShownAsText],
  ['no console errors on the dashboard over sse, ws, longpoll, poll, nor on the console', everyPageIsFreeOfConsoleErrors],
  ['a saved filter the server refuses falls back to every match, with a notice', refusedSavedFilterFallsBackToEverything],
  ['pages carry a Content-Security-Policy without unsafe-inline', pagesCarryAStrictCsp],
  ['a page on another site reads the feed only when --cors-origins lists it', otherSitesReadTheFeedOnlyWhenListed],
  ['screenshots of the dashboard (desktop, phone, dark) and the admin console', screenshots],
  ['dashboards and console reconnect after a server restart, without duplicate news', dashboardRecoversFromServerRestart],
  ...editorTests,
  ...fanTests,
];

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${name} took longer than ${ms / 1000} s`)), ms); }),
  ]);
}

async function main() {
  const started = Date.now();
  let browser;
  let passed = 0;
  let failed = 0;
  try {
    server = await startServer(await freePort());
    browser = await launchBrowser();
  } catch (error) {
    console.log(`FAILED setup: ${error.message}`);
    killAll();
    process.exit(1);
  }
  for (const [name, test] of TESTS) {
    const t0 = Date.now();
    try {
      const note = await withTimeout(test(), TEST_TIMEOUT_MS, name);
      passed += 1;
      console.log(`ok     ${name} (${Date.now() - t0} ms)${note ? `: ${note}` : ''}`);
    } catch (error) {
      failed += 1;
      console.log(`FAILED ${name}: ${error.message.split('\n')[0]}`);
      if (server && server.child.exitCode !== null) console.log(`       server exited; its last output:\n${server.stderr()}`);
    }
  }
  await browser.close().catch(() => {});
  if (server) await stopServer(server).catch(() => {});
  killAll();
  console.log(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
