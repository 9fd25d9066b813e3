// Browser tests of the livescore dashboard and admin console: starts the real server binary,
// drives Debian's Chromium through playwright-core, prints one line per test and exits non-zero
// when any failed. Run from anywhere: `node tests/e2e/run.mjs` (LIVESCORE_BIN picks the binary,
// default target/debug/livescore under the repo root; a relative LIVESCORE_BIN is taken from the
// current directory). Screenshots go to target/screenshots/.

import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const BIN = process.env.LIVESCORE_BIN
  ? path.resolve(process.env.LIVESCORE_BIN)
  : path.join(ROOT, 'target', 'debug', 'livescore');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
const ALICE = 'alice-token-0001';
const BOB = 'bob-token-0002';
const FIXTURE_MATCHES = 12;
const TEST_TIMEOUT_MS = 40000;
const SCORE_LATENCY_LIMIT_MS = 1000;

// ---------------------------------------------------------------- server processes

const children = new Set();

function killAll() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Start the server on `port` and wait for /healthz; retries briefly while the port is still held. */
async function startServer(port) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startServerOnce(port);
    } catch (error) {
      if (attempt >= 5 || !/address|in use|bind/i.test(error.message)) throw error;
      await sleep(300);
    }
  }
}

async function startServerOnce(port) {
  const child = spawn(BIN, ['--bind', `127.0.0.1:${port}`, '--no-generator'], {
    env: { ...process.env, LIVESCORE_ADMIN_TOKENS: `alice:${ALICE},bob:${BOB}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  child.on('error', (error) => { stderr += `\n${error.message}`; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) {
        const health = await response.json();
        return { child, base, port, exited, stream: health.stream, stderr: () => stderr };
      }
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`server ${BIN} did not answer /healthz on port ${port}: ${stderr.trim() || 'no output'}`);
}

async function stopServer(server) {
  server.child.kill('SIGTERM');
  const result = await Promise.race([server.exited, sleep(10000).then(() => null)]);
  if (!result) {
    server.child.kill('SIGKILL');
    throw new Error('server did not stop within 10 s of SIGTERM');
  }
}

/** One admin command over HTTP; throws unless it is acknowledged. */
async function command(server, body, token = ALICE) {
  const response = await fetch(`${server.base}/api/admin/commands`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reply = await response.json();
  if (reply.type !== 'ack') throw new Error(`${body.type} refused (${response.status}): ${JSON.stringify(reply)}`);
  return reply;
}

async function getJson(server, route) {
  const response = await fetch(`${server.base}${route}`);
  if (!response.ok) throw new Error(`GET ${route}: ${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------- browser helpers

let browser;

/** A page that records console errors, uncaught exceptions and dialogs. */
async function openPage(url, options = {}) {
  const context = await browser.newContext({
    viewport: options.viewport || { width: 1280, height: 900 },
    colorScheme: options.colorScheme || 'light',
  });
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => {
    page.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  await page.goto(url);
  return page;
}

async function closePage(page) {
  await page.context().close();
}

/** Fail with the page's console errors, ignoring network errors when `allowNetworkErrors`. */
function assertClean(page, label, { allowNetworkErrors = false } = {}) {
  const network = /Failed to load resource|net::ERR_|WebSocket connection to .* failed|EventSource/i;
  const problems = page.problems.filter((p) => !(allowNetworkErrors && network.test(p)));
  if (problems.length) throw new Error(`${label}: ${problems.join(' | ')}`);
  if (page.dialogs.length) throw new Error(`${label}: a dialog opened: ${page.dialogs.join(' | ')}`);
}

async function waitForText(page, selector, expected, timeout, what) {
  try {
    await page.waitForFunction(({ selector, expected }) => {
      const node = document.querySelector(selector);
      return node !== null && node.textContent.trim() === expected;
    }, { selector, expected }, { timeout });
  } catch {
    const actual = await page.locator(selector).first().textContent({ timeout: 200 }).catch(() => null);
    throw new Error(`${what}: expected ${selector} to read "${expected}" within ${timeout} ms, found ${actual === null ? 'no element' : `"${actual.trim()}"`}`);
  }
}

async function waitForLive(page, what) {
  await waitForText(page, '#conn-state', 'live', 10000, `${what}: connection`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-match-id]').length >= n,
    FIXTURE_MATCHES, { timeout: 10000 })
    .catch(() => { throw new Error(`${what}: fewer than ${FIXTURE_MATCHES} matches shown`); });
}

async function headlineShown(page, headline, timeout, what) {
  try {
    await page.waitForFunction((text) => [...document.querySelectorAll('[data-news-id] .headline')]
      .some((h) => h.textContent === text), headline, { timeout });
  } catch {
    throw new Error(`${what}: news headline "${headline}" not shown within ${timeout} ms`);
  }
}

async function adminLogin(page, token) {
  await page.fill('#token', token);
  await page.click('#login');
  await page.waitForFunction(() => /^connected as /.test(document.querySelector('#admin-conn').textContent)
    && document.querySelectorAll('#admin-matches [data-match-id]').length > 0, null, { timeout: 10000 })
    .catch(async () => {
      const state = await page.locator('#admin-conn').textContent();
      throw new Error(`admin login did not complete: #admin-conn reads "${state}"`);
    });
}

// ---------------------------------------------------------------- tests

let server;
let scoreCounter = 10;

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

  // Two clicks in one task: both commands carry the version shown, so the second is stale.
  await waitForText(admin, `${card} .home-score`, '1', 3000, 'console score');
  await admin.evaluate((selector) => {
    const plus = document.querySelector(`${selector} .home-plus`);
    plus.click();
    plus.click();
  }, card);
  const retry = admin.locator(`${card} .retry`);
  await retry.waitFor({ timeout: 3000 }).catch(() => { throw new Error('no .retry button after a double click'); });
  const notice = (await admin.locator(`${card} .conflict`).textContent()).trim();
  if (!/match changed meanwhile: now 2-0 \(version \d+\)/.test(notice)) throw new Error(`conflict notice reads "${notice}"`);
  const log = await admin.locator('#log').textContent();
  if (!/conflict/.test(log)) throw new Error('the activity log does not show the conflict');
  await retry.click();
  await admin.locator(`${card} .retry`).waitFor({ state: 'detached', timeout: 3000 })
    .catch(() => { throw new Error('the conflict notice stayed after a retry'); });
  await waitForText(dashboard, '[data-match-id="2"] .home-score', '2', 3000, 'score after the double click');

  assertClean(admin, 'admin console');
  assertClean(dashboard, 'dashboard');
  await closePage(admin);
  await closePage(dashboard);
  return 'status, score and news reached the dashboard; conflict shown with retry';
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
  await adminLogin(admin, BOB);
  await admin.waitForFunction(() => document.querySelector('#presence').textContent.includes('bob'), null, { timeout: 3000 });
  assertClean(admin, 'admin console');
  await closePage(admin);
  return `${seen.join(', ')} and the admin console`;
}

async function pagesCarryAStrictCsp() {
  for (const route of ['/', '/admin']) {
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
  return 'CSP present on / and /admin, no inline script or style';
}

async function dashboardRecoversFromServerRestart() {
  const page = await openPage(`${server.base}/`);
  await waitForLive(page, 'dashboard');
  const before = (await page.locator('#last-id').textContent()).trim();
  const oldStream = server.stream;
  await stopServer(server);
  server = await startServer(server.port);
  if (server.stream === oldStream) throw new Error('the restarted server kept its stream id');
  const headline = `After the restart ${Date.now()}`;
  await command(server, { type: 'news.publish', headline, tags: ['laliga'] });
  await command(server, { type: 'match.status', match_id: 5, status: 'live' });
  await command(server, { type: 'score.set', match_id: 5, home: 3, away: 2 });
  if (process.env.E2E_DEBUG) {
    for (let i = 0; i < 12; i += 1) {
      console.log('debug', await page.locator('#conn-state').textContent(), await page.locator('#last-id').textContent(), page.problems);
      await sleep(1000);
    }
  }
  await headlineShown(page, headline, 20000, 'after the restart');
  await waitForText(page, '[data-match-id="5"] .home-score', '3', 5000, 'score after the restart');
  await waitForText(page, '#conn-state', 'live', 5000, 'connection after the restart');
  const after = (await page.locator('#last-id').textContent()).trim();
  if (!after.startsWith(`${server.stream}.`)) throw new Error(`#last-id "${after}" is not from the new stream ${server.stream}`);
  const ids = await page.$$eval('[data-news-id]', (nodes) => nodes.map((n) => n.dataset.newsId));
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (duplicates.length) throw new Error(`duplicate news items: ${[...new Set(duplicates)].join(', ')}`);
  const news = await getJson(server, '/api/news');
  if (ids.length !== news.length) throw new Error(`dashboard shows ${ids.length} news items, the server has ${news.length}`);
  assertClean(page, 'dashboard', { allowNetworkErrors: true });
  await closePage(page);
  return `resumed from ${before} onto stream ${server.stream}; ${ids.length} news items, no duplicates`;
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
  await command(server, { type: 'incident.add', match_id: 5, kind: 'goal', team: 'home', player: 'Nico Arregui', minute: 23 });
  await command(server, { type: 'match.status', match_id: 6, status: 'live', minute: 67 });
  await command(server, { type: 'incident.add', match_id: 6, kind: 'yellow_card', team: 'away', minute: 64 });
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
  ['dashboard shows every fixture match and a score change within 1 s', dashboardShowsMatchesAndScoreChangeQuickly],
  ['admin console edits reach the dashboard; a stale version gets a conflict with retry', adminEditsReachDashboardAndConflictsOfferRetry],
  ['a news headline with markup is shown as text', headlinesAreShownAsText],
  ['no console errors on the dashboard over sse, ws, longpoll, poll, nor on the console', everyPageIsFreeOfConsoleErrors],
  ['pages carry a Content-Security-Policy without unsafe-inline', pagesCarryAStrictCsp],
  ['screenshots of the dashboard (desktop, phone, dark) and the admin console', screenshots],
  ['dashboard reconnects after a server restart without duplicate news', dashboardRecoversFromServerRestart],
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
  let passed = 0;
  let failed = 0;
  try {
    server = await startServer(await freePort());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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
