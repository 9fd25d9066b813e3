// Browser tests of one feed connection for many tabs (issue 20): eight tabs of one browser
// (dashboards that follow the NBA only, two match pages, the EPL table, a team page; phone and
// desktop sizes) hold one SSE stream between them, counted by the server's own gauge; each takes
// what its own filter would have brought (a match created in a league a dashboard does not follow
// stays off it, one in the NBA shows and scores); when the tab holding the stream closes another
// takes it over and nothing is missed; a server restart is weathered by all of them together; a
// holder that goes silent (paused in the debugger, as a frozen background tab) is taken over by a
// visible tab.

import {
  FIXTURE_MATCHES, assertClean, command, freePort, getJson, startServer, stopServer, theBrowser,
} from './harness.mjs';
import { DESKTOP, PHONE, expect } from './fan-common.mjs';

const FOLLOW = JSON.stringify({ teams: [], leagues: ['nba'], onlyFollowed: true });

/** The server's count of SSE viewers, waited for until it reads `n`. */
async function waitForViewers(srv, n, what) {
  let seen = null;
  for (let i = 0; i < 100; i += 1) {
    const text = await (await fetch(`${srv.base}/metrics`)).text();
    seen = Number((/^livescore_viewers (\d+)$/m.exec(text) || [])[1]);
    if (seen === n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: expected ${n} SSE viewers on the server, it counts ${seen}`);
}

async function roles(pages) {
  return Promise.all(pages.map((p) => p.locator('#conn-state').getAttribute('data-via')));
}

async function allLive(pages, what) {
  for (const page of pages) {
    await page.waitForFunction(() => document.querySelector('#conn-state')?.textContent === 'live',
      null, { timeout: 15000 }).catch(async () => {
      throw new Error(`${what}: ${page.url()} reads "${await page.locator('#conn-state').textContent()}"`);
    });
  }
}

async function rowScore(page, id) {
  return page.$eval(`[data-match-id="${id}"]`, (row) =>
    `${row.querySelector('.home-score').textContent}-${row.querySelector('.away-score').textContent}`);
}

async function waitForRowScore(pages, id, score, what) {
  for (const page of pages) {
    await page.waitForFunction(({ id, score }) => {
      const row = document.querySelector(`[data-match-id="${id}"]`);
      return row && `${row.querySelector('.home-score').textContent}-${row.querySelector('.away-score').textContent}` === score;
    }, { id, score }, { timeout: 8000 }).catch(async () => {
      const shown = await rowScore(page, id).catch(() => 'no row');
      throw new Error(`${what}: match ${id} should read ${score} on ${page.url()}, reads ${shown}`);
    });
  }
}

async function waitForMatchScore(page, score, what) {
  await page.waitForFunction((score) => document.querySelector('#big-score')?.textContent.replace(/[\s–—]/g, '-').replace(/-+/g, '-') === score,
    score, { timeout: 8000 }).catch(async () => {
    throw new Error(`${what}: the match page should read ${score}, reads "${await page.locator('#big-score').textContent()}"`);
  });
}

async function eightTabsShareOneConnection() {
  // Heartbeats every second: a stream the holder reopened wider is counted until a write finds it closed.
  const flags = ['--in-memory', '--heartbeat-secs', '1'];
  let srv = await startServer(await freePort(), flags);
  const context = await theBrowser().newContext({ viewport: DESKTOP });
  await context.addInitScript(([key, value]) => { if (!localStorage.getItem(key)) localStorage.setItem(key, value); },
    ['livescore.follow.v1', FOLLOW]);
  const open = async (route, viewport = DESKTOP) => {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    page.problems = [];
    page.dialogs = [];
    page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
    page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console error: ${m.text()}`); });
    await page.goto(`${srv.base}${route}`);
    return page;
  };
  try {
    const start = (await getJson(srv, '/api/snapshot')).id;
    const first = await open('/');
    await allLive([first], 'the first tab');
    await waitForViewers(srv, 1, 'one tab');
    expect(await roles([first]), ['holder'], 'the first tab holds the stream');

    // `?transport=sse` opens "About this feed", whose chart counts the events the tab took.
    const counting = await open('/?transport=sse');
    const dashboards = [first, counting, await open('/', PHONE), await open('/', PHONE)];
    const matchEpl = await open('/match/1', PHONE);
    const matchNba = await open('/match/8');
    const table = await open('/standings?league=epl');
    const team = await open('/team/ARS');
    const pages = [...dashboards, matchEpl, matchNba, table, team];
    await allLive(pages, 'eight tabs');
    await waitForViewers(srv, 1, 'eight tabs');
    const via = await roles(pages);
    expect(via.filter((v) => v === 'holder').length, 1, `one holder among ${via}`);
    expect(via.filter((v) => v === 'shared').length, 7, `seven through it (${via})`);
    const title = await first.locator('#conn-state').getAttribute('title');
    if (!/serves 7 other/.test(title)) throw new Error(`the holder's pill title: "${title}"`);
    const nbaRows = await dashboards[1].locator('[data-match-id]').count();
    if (nbaRows !== 3) throw new Error(`an NBA-only dashboard should list the 3 NBA fixtures, lists ${nbaRows}`);

    // Each tab takes what its own filter brings, from the one stream.
    await command(srv, { type: 'match.status', match_id: 1, status: 'live' });
    await command(srv, { type: 'incident.add', match_id: 1, kind: 'goal', team: 'home' });
    await command(srv, { type: 'match.status', match_id: 8, status: 'live' });
    await command(srv, { type: 'incident.add', match_id: 8, kind: 'points', team: 'away', points: 3 });
    await waitForMatchScore(matchEpl, '1-0', 'EPL goal');
    await waitForMatchScore(matchNba, '0-3', 'NBA basket');
    await waitForRowScore(dashboards, 8, '0-3', 'NBA basket on the dashboards');
    await matchEpl.waitForFunction(() => document.querySelectorAll('#timeline .tl-row:not(.marker)').length >= 1,
      null, { timeout: 5000 });
    const snapshot = await getJson(srv, '/api/snapshot');
    const kickoff = (id) => snapshot.matches.find((m) => m.id === id).kickoff;
    const epl = await command(srv, { type: 'match.create', league: 'epl', home: 'MCI', away: 'LIV', kickoff: kickoff(1) });
    const nba = await command(srv, { type: 'match.create', league: 'nba', home: 'BOS', away: 'NYK', kickoff: kickoff(8) });
    const newId = (reply) => reply.match_id;
    const [eplId, nbaId] = [newId(epl), newId(nba)];
    await command(srv, { type: 'match.status', match_id: nbaId, status: 'live' });
    await command(srv, { type: 'incident.add', match_id: nbaId, kind: 'points', team: 'home', points: 2 });
    await waitForRowScore(dashboards, nbaId, '2-0', 'a new NBA match, scored');
    for (const page of dashboards) {
      const leaked = await page.locator(`[data-match-id="${eplId}"]`).count();
      if (leaked) throw new Error(`the EPL match ${eplId} showed on an NBA-only dashboard`);
    }

    // The holder closes: another tab takes the stream over from where it was.
    const holder = pages[via.indexOf('holder')];
    if (holder === counting) throw new Error('the counting tab held the stream; it was to be a follower');
    await holder.close();
    const left = pages.filter((p) => p !== holder);
    await command(srv, { type: 'incident.add', match_id: 8, kind: 'points', team: 'home', points: 2 });
    await waitForMatchScore(matchNba, '2-3', 'after the holder closed');
    await waitForRowScore(left.filter((p) => dashboards.includes(p)), 8, '2-3', 'dashboards after the holder closed');
    await allLive(left, 'seven tabs');
    await waitForViewers(srv, 1, 'seven tabs');
    const after = await roles(left);
    expect(after.filter((v) => v === 'holder').length, 1, `a new holder among ${after}`);

    // The counting tab took exactly what the server sends its own filter, under both holders.
    const own = new URLSearchParams({ since: start, wait: '0', leagues: 'nba', types: 'score,status,match,news,archived' });
    const expected = (await getJson(srv, `/api/events?${own}`)).length;
    const label = `Feed activity: ${expected} events in the last 15 minutes`;
    await counting.waitForFunction((label) => document.querySelector('#activity-chart').getAttribute('aria-label') === label,
      label, { timeout: 8000 }).catch(async () => {
      throw new Error(`the NBA-only tab should have taken ${expected} events: "${await counting.locator('#activity-chart').getAttribute('aria-label')}"`);
    });

    // The server restarts with a new stream (in memory): the holder's resume is answered with a
    // snapshot, and every tab starts over from a snapshot of its own filter.
    await stopServer(srv);
    await left[0].waitForFunction(() => document.querySelector('#conn-state').dataset.state !== 'live', null, { timeout: 10000 });
    srv = await startServer(srv.port, flags);
    await allLive(left, 'after the restart');
    await waitForRowScore(left.filter((p) => dashboards.includes(p)), 8, '-', 'the new server\'s state (match 8 not started: no score)');
    await command(srv, { type: 'match.status', match_id: 8, status: 'live' });
    await command(srv, { type: 'incident.add', match_id: 8, kind: 'points', team: 'home', points: 1 });
    await waitForMatchScore(matchNba, '1-0', 'after the restart');
    await waitForRowScore(left.filter((p) => dashboards.includes(p)), 8, '1-0', 'dashboards after the restart');
    await waitForViewers(srv, 1, 'after the restart');

    for (const page of left) assertClean(page, page.url(), { allowNetworkErrors: true });
    return `8 tabs, 1 SSE viewer on the server; an NBA-only tab took its ${expected} events; handed over on close (${left.length} tabs, 1 viewer); a restart weathered together`;
  } finally {
    await context.close();
    if (srv.child.exitCode === null) await stopServer(srv);
  }
}

/**
 * A holder the browser froze (a background tab on a phone) relays nothing: a visible tab that
 * stops hearing from it takes the stream over, and the frozen one, woken, steps down and catches up.
 */
async function aFrozenHolderIsTakenOver() {
  const srv = await startServer(await freePort(), ['--in-memory', '--heartbeat-secs', '1']);
  const context = await theBrowser().newContext({ viewport: DESKTOP });
  try {
    const pages = [];
    for (let i = 0; i < 3; i += 1) {
      const page = await context.newPage();
      page.problems = [];
      page.dialogs = [];
      page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
      await page.goto(`${srv.base}/`);
      pages.push(page);
    }
    await allLive(pages, 'three tabs');
    const via = await roles(pages);
    const holder = pages[via.indexOf('holder')];
    const others = pages.filter((p) => p !== holder);
    const cdp = await context.newCDPSession(holder);
    // Paused in the debugger: its script runs no more, as in a tab the browser froze.
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    const frozenAt = Date.now();
    await command(srv, { type: 'match.status', match_id: 8, status: 'live' });
    await command(srv, { type: 'incident.add', match_id: 8, kind: 'points', team: 'home', points: 2 });
    for (const page of others) {
      await page.waitForFunction(() => document.querySelector('[data-match-id="8"] .home-score')?.textContent === '2',
        null, { timeout: 25000 }).catch(async () => {
        throw new Error(`the basket never reached a tab while the holder was frozen (${await rowScore(page, 8)})`);
      });
    }
    const tookOver = Date.now() - frozenAt;
    const after = await roles(others);
    expect(after.filter((v) => v === 'holder').length, 1, `one of the others holds the stream (${after})`);
    await cdp.send('Debugger.resume');
    await command(srv, { type: 'incident.add', match_id: 8, kind: 'points', team: 'home', points: 1 });
    await waitForRowScore(pages, 8, '3-0', 'all three, the woken one too');
    await holder.waitForFunction(() => document.querySelector('#conn-state').dataset.via === 'shared', null, { timeout: 5000 })
      .catch(() => { throw new Error('the woken holder did not step down'); });
    await waitForViewers(srv, 1, 'after the takeover');
    for (const page of pages) assertClean(page, page.url());
    return `a tab took the stream over ${tookOver} ms after the holder froze; the woken one stepped down and caught up`;
  } finally {
    await context.close();
    await stopServer(srv);
  }
}

export const tests = [
  ['fan: eight tabs share one connection, each with its own filter; the holder hands over on close', eightTabsShareOneConnection],
  ['fan: a frozen holder (a background tab) is taken over by a visible tab', aFrozenHolderIsTakenOver],
];
