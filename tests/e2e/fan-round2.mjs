// Browser tests of fans round 2 (issue 20). The first load of the dashboard on a phone over a
// slow network: 150 ms round trips and 1.6 Mbit/s down, emulated by Chromium's DevTools protocol,
// against a server whose generator has been playing (a realistic snapshot, live matches, 50 news
// items); it counts the bytes that crossed the network until the first match row showed, and
// the time to it, and checks that the stream opened after the snapshot's id (so it carried
// no snapshot of its own). Favourites pinned first in every section, their rows aligned with
// the others; the LIVE pill's contrast; an undone goal said to be cancelled; one time format.

import {
  ALICE, adminLogin, assertClean, closePage, freePort, openPage, startServer, stopServer, theBrowser,
} from './harness.mjs';
import { DESKTOP, PHONE, expect, rowIds } from './fan-common.mjs';

/** The largest first load, in bytes transferred, the dashboard may cost. */
export const FIRST_LOAD_BYTES = 40 * 1024;
const RTT_MS = 150;
const DOWN_BYTES_PER_S = 1.6e6 / 8;
const UP_BYTES_PER_S = 0.75e6 / 8;

/** Load `url` in a fresh phone context on the slow network: bytes per request and timings. */
export async function slowFirstLoad(url, readySelector) {
  const context = await theBrowser().newContext({ viewport: PHONE });
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: RTT_MS / 2, downloadThroughput: DOWN_BYTES_PER_S, uploadThroughput: UP_BYTES_PER_S,
  });
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', (e) => requests.set(e.requestId, { url: e.request.url, bytes: 0 }));
  cdp.on('Network.dataReceived', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.bytes += e.encodedDataLength;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.bytes = Math.max(r.bytes, e.encodedDataLength);
  });
  const started = Date.now();
  await page.goto(url);
  await page.waitForSelector(readySelector, { timeout: 30000 });
  const firstRowMs = Date.now() - started;
  // What it took to show the feed: every byte received by the time the first row shows (the
  // stream goes on delivering events after that; those are not the first load).
  const list = [...requests.values()].filter((r) => !r.url.startsWith('data:')).map((r) => ({ ...r }));
  const bytes = list.reduce((sum, r) => sum + r.bytes, 0);
  return { page, context, list, bytes, firstRowMs, requests };
}

async function firstLoadIsSmallOnASlowPhone() {
  const server = await startServer(await freePort(), ['--in-memory', '--speed', '1200'], { generator: true });
  try {
    // A played feed: matches under way with timelines, a full news list.
    for (let i = 0; i < 100; i += 1) {
      const state = await (await fetch(`${server.base}/api/snapshot`)).json();
      if (state.news.length >= 25 && state.matches.some((m) => m.status === 'live')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const size = async (query) => (await (await fetch(`${server.base}/api/snapshot${query}`,
      { headers: { 'Accept-Encoding': 'identity' } })).text()).length;
    const whole = await size('');
    const shown = await size('?types=score,status,match,news,archived');
    const load = await slowFirstLoad(`${server.base}/`, '[data-match-id]');
    // The stream opens once the rows show (the module sharing it between tabs loads after them).
    const opened = async () => {
      for (let i = 0; i < 100; i += 1) {
        const found = [...load.requests.values()].find((r) => new URL(r.url).pathname === '/events');
        if (found) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    };
    const stream = await opened();
    if (!stream || !/lastEventId=/.test(stream.url)) throw new Error(`the stream did not start from the snapshot: ${stream && stream.url}`);
    const snapshot = load.list.find((r) => r.url.includes('/api/snapshot'));
    assertClean(load.page, 'dashboard');
    await load.context.close();
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    if (load.bytes > FIRST_LOAD_BYTES) {
      const top = [...load.list].sort((a, b) => b.bytes - a.bytes).slice(0, 6)
        .map((r) => `${new URL(r.url).pathname} ${kb(r.bytes)}`).join(', ');
      throw new Error(`first load ${kb(load.bytes)} > ${kb(FIRST_LOAD_BYTES)}: ${top}`);
    }
    return `${kb(load.bytes)} in ${load.list.length} requests (snapshot ${kb(snapshot.bytes)}: ${kb(shown)} of JSON without timelines, the whole state ${kb(whole)}), first match row after ${load.firstRowMs} ms at ${RTT_MS} ms RTT and 1.6 Mbit/s`;
  } finally {
    await stopServer(server);
  }
}

/** A followed team's match leads its section, under "★ Following", its row aligned. */
async function favouritesArePinnedFirst() {
  const srv = await startServer(await freePort(), ['--in-memory']);
  try {
    // The last fixture of the day, before anything is followed.
    const plain = await openPage(`${srv.base}/`, { viewport: DESKTOP });
    await plain.waitForSelector('[data-section="upcoming"] [data-match-id]', { timeout: 10000 });
    const before = await rowIds(plain, 'upcoming');
    await closePage(plain);
    const last = before[before.length - 1];
    const match = await (await fetch(`${srv.base}/api/matches/${last}`)).json();
    const follow = JSON.stringify({ teams: [match.away], leagues: [] });
    const seen = [];
    for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const page = await openPage(`${srv.base}/`, {
        viewport,
        init: { script: ([key, value]) => { localStorage.setItem(key, value); }, arg: ['livescore.follow.v1', follow] },
      });
      await page.waitForSelector(`[data-section="upcoming"] [data-match-id="${last}"]`, { timeout: 10000 });
      const ids = await rowIds(page, 'upcoming');
      expect(ids[0], last, `${name}: the followed team's match leads the fixtures (${ids}; before ${before})`);
      const line = await page.$eval('[data-section="upcoming"] .league-line', (h) => h.textContent);
      expect(line, '★ Following', `${name}: the first line`);
      const lefts = await page.$$eval('[data-section="upcoming"] [data-match-id]',
        (rows) => [...new Set(rows.map((r) => Math.round(r.getBoundingClientRect().left)))]);
      expect(lefts.length, 1, `${name}: followed and other rows share their left edge (${lefts})`);
      assertClean(page, name);
      await closePage(page);
      seen.push(name);
    }
    return `${seen.join(', ')}: match ${last} (row ${before.length} of ${before.length} unfollowed) first under "★ Following", rows aligned`;
  } finally {
    await stopServer(srv);
  }
}

/** WCAG contrast of two `rgb(…)` colours. */
function contrast(a, b) {
  const lum = (rgb) => {
    const [r, g, bl] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
      const v = c / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** The LIVE pill reads at 4.5:1 at least, light and dark; an empty day says so in plain words. */
async function livePillContrastAndEmptyDays() {
  const srv = await startServer(await freePort(), ['--in-memory', '--admin-tokens', 'alice:alice-token-0001']);
  try {
    await asAlice(srv, { type: 'match.status', match_id: 1, status: 'live' });
    const ratios = [];
    for (const [name, viewport, colorScheme] of [['phone', PHONE, 'light'], ['desktop', DESKTOP, 'dark']]) {
      const page = await openPage(`${srv.base}/`, { viewport, colorScheme });
      await page.waitForSelector('[data-match-id="1"] .status[data-status="live"]', { state: 'attached', timeout: 10000 });
      const [fg, bg] = await page.$eval('[data-match-id="1"] .status[data-status="live"]',
        (pill) => [getComputedStyle(pill).color, getComputedStyle(pill).backgroundColor]);
      const ratio = contrast(fg, bg);
      if (ratio < 4.5) throw new Error(`${name} (${colorScheme}): LIVE ${fg} on ${bg} is ${ratio.toFixed(2)}:1`);
      ratios.push(`${colorScheme} ${ratio.toFixed(1)}:1`);
      // The nav keeps to one line and to the screen: tabs, their count and the day's arrows.
      const nav = await page.evaluate(() => {
        const views = document.querySelector('.views').getBoundingClientRect();
        const next = document.querySelector('#day-next').getBoundingClientRect();
        const live = document.querySelector('#tab-live').getBoundingClientRect();
        return { height: views.height, nextRight: next.right, width: window.innerWidth, liveHeight: live.height };
      });
      if (nav.nextRight > nav.width || nav.liveHeight > 40 || nav.height > 60) {
        throw new Error(`${name}: the nav does not fit: ${JSON.stringify(nav)}`);
      }
      // The day before the feed's first: nothing was played.
      await page.click('#day-prev');
      await page.waitForFunction(() => /No matches yesterday\./.test(document.querySelector('#matches').textContent),
        null, { timeout: 5000 }).catch(async () => {
        throw new Error(`${name}: yesterday reads "${(await page.locator('#matches').textContent()).trim().slice(0, 80)}"`);
      });
      assertClean(page, name);
      await closePage(page);
    }
    return `LIVE pill ${ratios.join(', ')}; "No matches yesterday."`;
  } finally {
    await stopServer(srv);
  }
}

/** Post `command` as alice to `srv` (a server started with alice's token); the reply. */
async function asAlice(srv, command) {
  const response = await fetch(`${srv.base}/api/admin/commands`, {
    method: 'POST', headers: { Authorization: 'Bearer alice-token-0001' }, body: JSON.stringify(command),
  });
  return response.json();
}

/** A goal taken back tells the fans: "Goal cancelled" on the row and out loud. */
async function anUndoneGoalSaysSo() {
  const srv = await startServer(await freePort(), ['--in-memory', '--admin-tokens', 'alice:alice-token-0001']);
  try {
    const page = await openPage(`${srv.base}/`, { viewport: DESKTOP });
    await page.waitForSelector('[data-match-id="1"]', { timeout: 10000 });
    await asAlice(srv, { type: 'match.status', match_id: 1, status: 'live' });
    await asAlice(srv, { type: 'incident.add', match_id: 1, kind: 'goal', team: 'home' });
    await page.waitForFunction(() => document.querySelector('[data-match-id="1"] .home-score').textContent === '1',
      null, { timeout: 5000 });
    const match = await (await fetch(`${srv.base}/api/matches/1`)).json();
    const goal = match.incidents.find((i) => i.kind === 'goal');
    await asAlice(srv, { type: 'incident.remove', match_id: 1, incident_id: goal.id });
    await page.waitForFunction(() => {
      const note = document.querySelector('[data-match-id="1"] .row-note');
      return note && !note.hidden && note.textContent === 'Goal cancelled'
        && /^Goal cancelled: /.test(document.querySelector('#announcer').textContent);
    }, null, { timeout: 5000 }).catch(async () => {
      throw new Error(`no "Goal cancelled": announcer "${await page.locator('#announcer').textContent()}"`);
    });
    assertClean(page, 'dashboard');
    await closePage(page);
    return 'row note "Goal cancelled" and the live region read it';
  } finally {
    await stopServer(srv);
  }
}

/**
 * A basketball clock counts the seconds between the feed's minutes (the feed counts whole ones)
 * on the dashboard and the match page, and starts the next minute when the feed says so.
 */
async function basketballClocksShowSeconds() {
  const srv = await startServer(await freePort(), ['--in-memory', '--admin-tokens', 'alice:alice-token-0001']);
  const pages = [];
  try {
    const dashboard = await openPage(`${srv.base}/`, { viewport: DESKTOP });
    const match = await openPage(`${srv.base}/match/8`, { viewport: PHONE });
    pages.push(dashboard, match);
    await dashboard.waitForSelector('[data-match-id="8"]', { timeout: 10000 });
    await match.waitForFunction(() => document.querySelector('#conn-state').textContent === 'live', null, { timeout: 10000 });
    await asAlice(srv, { type: 'match.status', match_id: 8, status: 'live', period: 2, minute: 12 });
    const clocks = [[dashboard, '[data-match-id="8"] .clock'], [match, '#match-clock']];
    const ticks = async (pattern, what) => {
      for (const [page, selector] of clocks) {
        await page.waitForFunction(({ selector, pattern }) => new RegExp(pattern).test(document.querySelector(selector)?.textContent || ''),
          { selector, pattern }, { timeout: 6000 }).catch(async () => {
          throw new Error(`${what}: ${selector} should match /${pattern}/, reads "${await page.locator(selector).textContent()}"`);
        });
      }
    };
    await ticks('^Q2 11:5[0-8]$', 'seconds counted down from 12:00');
    // "Q2 11:42" keeps to one line of the row's first column, on the desktop and on a phone.
    for (const viewport of [DESKTOP, PHONE]) {
      await dashboard.setViewportSize(viewport);
      const fit = await dashboard.$eval('[data-match-id="8"] .clock', (c) => ({
        wide: c.scrollWidth - c.parentElement.clientWidth,
        lines: c.getClientRects().length,
        text: c.textContent,
      }));
      if (fit.wide > 0 || fit.lines !== 1) throw new Error(`the clock "${fit.text}" does not fit its column at ${viewport.width} px (${JSON.stringify(fit)})`);
    }
    await asAlice(srv, { type: 'match.status', match_id: 8, status: 'live', period: 2, minute: 13 });
    await ticks('^Q2 (11:00|10:5\\d)$', 'the next minute, from the feed');
    const shown = await match.locator('#match-clock').textContent();
    for (const page of pages) assertClean(page, 'clock');
    return `match page reads "${shown}" a moment after the feed's minute 13 (Q2 11:00 left); "Q2 11:5x" on one line of a row on desktop and phone`;
  } finally {
    for (const page of pages) await closePage(page);
    await stopServer(srv);
  }
}

/** Words of `selector`'s text that the layout split across two lines (a break after a hyphen is fine). */
function wordsSplitIn(selector) {
  const split = [];
  for (const node of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const match of text.data.matchAll(/[^\s-]+-?/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}

/** On phones from 320 px wide, team names break between words, never inside one, and nothing overflows (fans' pages and the console). */
async function phoneNamesKeepTheirWords() {
  const srv = await startServer(await freePort(), ['--in-memory']);
  const found = [];
  try {
    for (const width of [320, 360, 390]) {
      const context = await theBrowser().newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      const check = async (what, selector) => {
        const split = await page.evaluate(`(${wordsSplitIn})(${JSON.stringify(selector)})`);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        if (split.length) found.push(`${width} px ${what}: ${split.join(', ')}`);
        if (wide > 0) found.push(`${width} px ${what}: ${wide} px wider than the screen`);
      };
      for (let id = 1; id <= 12; id += 1) {
        await page.goto(`${srv.base}/match/${id}`);
        await page.waitForFunction(() => document.querySelector('#home-name').textContent.length > 0);
        await check(`match ${id}`, '.side-name, .match-meta');
      }
      for (const team of ['PAO', 'RMB', 'GSW']) {
        await page.goto(`${srv.base}/team/${team}`);
        await page.waitForSelector('.team-head h1');
        await check(`team ${team}`, 'h1, td, th, li');
      }
      await page.goto(`${srv.base}/standings?league=euroleague`);
      await page.waitForSelector('table tbody tr');
      await check('EuroLeague table', 'td, th, li');
      await page.goto(`${srv.base}/admin`);
      await adminLogin(page, ALICE);
      await check('console', '.admin-team .team-name');
      await context.close();
    }
  } finally {
    await stopServer(srv);
  }
  if (found.length) throw new Error(found.join(' | '));
  return 'no word split on 12 match pages, 3 team pages, a table and the console at 320, 360 and 390 px ("Panathinaikos" whole)';
}

/** Kick-off times read the same, 24-hour, on the dashboard, the match page and the console. */
async function oneTimeFormatEverywhere() {
  const srv = await startServer(await freePort(), ['--in-memory', '--admin-tokens', 'alice:alice-token-0001']);
  try {
    const dash = await openPage(`${srv.base}/`, { viewport: DESKTOP });
    await dash.waitForSelector('[data-match-id="7"] .kickoff', { state: 'attached', timeout: 10000 });
    const onRow = (await dash.locator('[data-match-id="7"] .kickoff').textContent()).trim();
    await closePage(dash);
    const matchPage = await openPage(`${srv.base}/match/7`, { viewport: DESKTOP });
    await matchPage.waitForFunction(() => document.querySelector('#match-meta').textContent.includes('·'), null, { timeout: 10000 });
    const meta = await matchPage.locator('#match-meta').textContent();
    await closePage(matchPage);
    const console_ = await openPage(`${srv.base}/admin`, { viewport: DESKTOP });
    await adminLogin(console_, 'alice-token-0001');
    const card = await console_.locator('#admin-matches [data-match-id="7"] .admin-league').textContent();
    await closePage(console_);
    for (const [where, text] of [['dashboard', onRow], ['match page', meta], ['console', card]]) {
      if (/AM|PM/i.test(text) || !text.includes(onRow)) throw new Error(`${where} reads "${text}" (dashboard "${onRow}")`);
    }
    return `"${onRow}" on the dashboard, the match page ("${meta.trim()}") and the console ("${card.trim()}")`;
  } finally {
    await stopServer(srv);
  }
}

/** Seen once online, the dashboard opens offline with the last known scores, marked stale. */
async function offlineAtLoadShowsTheLastScores() {
  const srv = await startServer(await freePort(), ['--in-memory', '--admin-tokens', 'alice:alice-token-0001']);
  const context = await theBrowser().newContext({ viewport: PHONE });
  try {
    await asAlice(srv, { type: 'match.status', match_id: 1, status: 'live' });
    await asAlice(srv, { type: 'incident.add', match_id: 1, kind: 'goal', team: 'away' });
    const page = await context.newPage();
    page.problems = [];
    page.dialogs = [];
    page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
    await page.goto(`${srv.base}/`);
    // Installed and in control, with this visit's snapshot kept.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
    await page.waitForSelector('[data-match-id="1"] .away-score', { timeout: 10000 });
    const manifest = await page.$eval('link[rel="manifest"]', (l) => l.href);
    const installable = await (await fetch(manifest)).json();
    if (installable.display !== 'standalone' || !installable.icons.length) throw new Error(`manifest: ${JSON.stringify(installable)}`);
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-match-id="1"] .away-score')?.textContent === '1',
      null, { timeout: 10000 }).catch(() => { throw new Error('the last known score is not shown offline'); });
    await page.waitForFunction(() => !document.querySelector('#stale-banner').hidden, null, { timeout: 15000 })
      .catch(() => { throw new Error('the scores are not marked stale'); });
    const banner = await page.locator('#stale-banner').textContent();
    if (!/may be out of date \(updated \d+ s ago\)/.test(banner)) throw new Error(`banner: "${banner}"`);
    assertClean(page, 'offline dashboard', { allowNetworkErrors: true });
    return `offline reload: the kept snapshot's 0-1 shown, "${banner.trim()}"`;
  } finally {
    await context.close();
    await stopServer(srv);
  }
}

/** While the console cannot reach the server its command buttons are disabled; back, they are not. */
async function consoleButtonsWaitForTheServer() {
  const port = await freePort();
  const flags = ['--in-memory', '--admin-tokens', 'alice:alice-token-0001'];
  let srv = await startServer(port, flags);
  const page = await openPage(`${srv.base}/admin`, { viewport: DESKTOP });
  try {
    await asAlice(srv, { type: 'match.status', match_id: 1, status: 'live' });
    await adminLogin(page, 'alice-token-0001');
    const plus = '#admin-matches [data-match-id="1"] .home-plus';
    await page.waitForSelector(`${plus}:enabled`, { timeout: 5000 });
    await page.fill('#news-headline', 'A draft written offline');
    await stopServer(srv);
    await page.waitForSelector(`${plus}:disabled`, { timeout: 10000 })
      .catch(() => { throw new Error('"+" stays enabled while the server is gone'); });
    if (!(await page.isDisabled('#news-publish'))) throw new Error('Publish stays enabled');
    if (await page.isDisabled('#news-headline')) throw new Error('the draft cannot be edited');
    srv = await startServer(port, flags);
    // A new in-memory feed: the match is put in play again.
    await asAlice(srv, { type: 'match.status', match_id: 1, status: 'live' });
    await page.waitForSelector(`${plus}:enabled`, { timeout: 20000 })
      .catch(() => { throw new Error('"+" is not enabled again after the server came back'); });
    if (await page.isDisabled('#news-publish')) throw new Error('Publish is still disabled');
    if ((await page.inputValue('#news-headline')) !== 'A draft written offline') throw new Error('the draft was lost');
    assertClean(page, 'console', { allowNetworkErrors: true });
    return 'gone: "+" and Publish disabled, the draft editable; back: enabled, the draft kept';
  } finally {
    await closePage(page);
    await stopServer(srv).catch(() => {});
  }
}

/** A link straight to an archived day names the teams, not their codes. */
async function deepLinkToADayNamesTheTeams() {
  const srv = await startServer(await freePort(), ['--in-memory', '--admin-tokens', 'alice:alice-token-0001']);
  try {
    const snapshot = await (await fetch(`${srv.base}/api/snapshot`)).json();
    const day = snapshot.calendar.today;
    await asAlice(srv, { type: 'match.status', match_id: 1, status: 'live' });
    await asAlice(srv, { type: 'match.status', match_id: 1, status: 'final' });
    const later = new Date(Date.parse(`${day}T12:00:00Z`) + 3 * 86400000).toISOString().slice(0, 10);
    await asAlice(srv, { type: 'calendar.roll', today: later });
    const names = [];
    for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const page = await openPage(`${srv.base}/?date=${day}`, { viewport });
      await page.waitForSelector('[data-match-id="1"] .team-name', { timeout: 10000 });
      await page.waitForFunction(() => document.querySelector('[data-match-id="1"] .team-name').textContent === 'Arsenal',
        null, { timeout: 5000 }).catch(async () => {
        throw new Error(`${name}: the archived row reads "${await page.locator('[data-match-id="1"] .team-name').first().textContent()}"`);
      });
      assertClean(page, name);
      await closePage(page);
      names.push(name);
    }
    return `${names.join(', ')}: /?date=${day} (archived) shows "Arsenal"`;
  } finally {
    await stopServer(srv);
  }
}

/** A New York fan's Today is New York's: the evening's NBA games today, the next morning's
 * football tomorrow; times in New York's; the feed's zone one choice away. */
async function daysAreTheViewersOwn() {
  const srv = await startServer(await freePort(), ['--in-memory']);
  const zone = 'America/New_York';
  const context = await theBrowser().newContext({ viewport: DESKTOP, timezoneId: zone });
  try {
    const state = await (await fetch(`${srv.base}/api/snapshot`)).json();
    const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    const nyToday = ymd.format(new Date());
    const expected = state.matches.filter((m) => ymd.format(new Date(m.kickoff)) === nyToday).map((m) => m.id).sort((a, b) => a - b);
    const page = await context.newPage();
    page.problems = [];
    page.dialogs = [];
    page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
    await page.goto(`${srv.base}/`);
    await page.waitForFunction(() => document.querySelector('#conn-state').textContent === 'live', null, { timeout: 10000 });
    await page.waitForFunction(() => !document.querySelector('#matches').getAttribute('aria-busy')
      || document.querySelector('#matches').getAttribute('aria-busy') === 'false', null, { timeout: 10000 });
    const shown = (await rowIds(page)).sort((a, b) => a - b);
    expect(shown, expected, `Today in New York (${nyToday})`);
    const first = state.matches.find((m) => m.id === (expected[0] ?? state.matches[0].id));
    const nyTime = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .format(new Date(first.kickoff));
    const choice = await page.$eval('#zone-select', (s) => s.options[s.selectedIndex].textContent);
    if (!choice.includes(zone)) throw new Error(`the zone choice reads "${choice}"`);
    if (expected.length) {
      const kickoff = (await page.locator(`[data-match-id="${first.id}"] .kickoff`).textContent()).trim();
      if (first.status === 'scheduled' && kickoff !== nyTime) throw new Error(`match ${first.id} kicks off at "${kickoff}", New York ${nyTime}`);
    }
    // The feed's own zone on request.
    await page.selectOption('#zone-select', 'UTC');
    await page.waitForLoadState('load');
    await page.waitForFunction(() => document.querySelector('#conn-state').textContent === 'live', null, { timeout: 10000 });
    const utcToday = new Date().toISOString().slice(0, 10);
    const utcExpected = state.matches.filter((m) => m.kickoff.slice(0, 10) === utcToday).map((m) => m.id).sort((a, b) => a - b);
    await page.waitForFunction((n) => document.querySelectorAll('[data-match-id]').length === n, utcExpected.length, { timeout: 5000 })
      .catch(() => {});
    expect((await rowIds(page)).sort((a, b) => a - b), utcExpected, 'Today in UTC');
    assertClean(page, 'dashboard');
    return `New York's today ${nyToday}: ${expected.length} of ${state.matches.length} fixtures; UTC's ${utcToday}: ${utcExpected.length}`;
  } finally {
    await context.close();
    await stopServer(srv);
  }
}

export const tests = [
  ['fan: days and times in the viewer\'s zone (a New York fan), switchable to UTC', daysAreTheViewersOwn],
  ['fan: a deep link to an archived day names the teams (phone and desktop)', deepLinkToADayNamesTheTeams],
  ['console: command buttons disabled while the server is gone, enabled when it is back', consoleButtonsWaitForTheServer],
  ['fan: installable; offline at load shows the last known scores, marked stale (phone)', offlineAtLoadShowsTheLastScores],
  ['fan: an undone goal says "Goal cancelled" on the row and out loud', anUndoneGoalSaysSo],
  ['fan: phone names break between words, never inside one (320, 360, 390 px; fan pages and console)', phoneNamesKeepTheirWords],
  ['fan: basketball clocks count seconds between the feed\'s minutes, on one line (dashboard on desktop and phone, phone match page)', basketballClocksShowSeconds],
  ['fan: kick-off times in one 24-hour format on the dashboard, match page and console', oneTimeFormatEverywhere],
  ['fan: LIVE pill contrast ≥ 4.5:1, the nav fits on one line (light phone, dark desktop); "No matches yesterday."', livePillContrastAndEmptyDays],
  ['fan: favourites pinned first under "★ Following", rows aligned (phone and desktop)', favouritesArePinnedFirst],
  ['fan: first load on a slow phone network ≤ 40 KB, stream from the snapshot\'s id', firstLoadIsSmallOnASlowPhone],
];
