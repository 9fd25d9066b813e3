// Browser tests of the fan pages (issue 13): the dashboard's Live / Today / day views backed by the
// archive API, compact rows on a phone, the stale state, the match page at /match/{id}, following
// teams and leagues with alerts, the "About this feed" panel and breaking news. They run against
// their own server (in memory, fixtures, no generator), started on first use, so the shared
// server of run.mjs keeps its state; the stale-state test stops it, the day test starts a fresh
// one, and the last entry stops that.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  FIXTURE_MATCHES, ROOT, assertClean, closePage, command, getJson, openPage, stopServer, waitForLive,
  waitForText,
} from './harness.mjs';

import {
  DESKTOP, PHONE, SCREENSHOTS, VIEWPORTS, dropServer, expect, rowIds, server,
} from './fan-common.mjs';
import { tests as alertTests } from './fan-alerts.mjs';
import { tests as tableTests } from './fan-tables.mjs';
import { tests as roundTwoTests } from './fan-round2.mjs';
import { tests as lineupTests } from './fan-lineups.mjs';
import { tests as tabTests } from './fan-tabs.mjs';

/** The pure modules behind the pages: stoppage time, day maths, scorers, quarters, markers. */
async function factsAreWorkedOutRight() {
  const load = (file) => import(pathToFileURL(path.join(ROOT, 'frontend', 'js', file)).href);
  const { footballMinute, clockText } = await load('format.js');
  const { dayOf, addDays, dayLabel } = await load('days.js');
  const { scorers, periodScores, timelineEntries } = await load('match-facts.js');
  expect(footballMinute(1, 23), "23'", 'first half');
  expect(footballMinute(1, 47), "45+2'", 'first-half stoppage');
  expect(footballMinute(2, 92), "90+2'", 'second-half stoppage');
  expect(footballMinute(2, 90), "90'", 'ninety');
  expect(clockText({ sport: 'football', status: 'live', period: 2, minute: 93 }), "90+3'", 'live clock in stoppage');
  expect(clockText({ sport: 'football', status: 'halftime', period: 1, minute: 46 }), 'HT', 'half-time is HT, not 46');
  expect(dayOf('2026-11-26T23:30:00Z', 'Europe/Madrid'), '2026-11-27', 'day in the feed time zone');
  expect(dayOf('2026-11-26T23:30:00Z', 'UTC'), '2026-11-26', 'day in UTC');
  expect(addDays('2026-12-31', 1), '2027-01-01', 'next day');
  expect(dayLabel('2026-11-25', '2026-11-26'), 'Yesterday', 'yesterday label');
  const football = {
    sport: 'football',
    incidents: [
      { id: 1, kind: 'period', period: 1, minute: 0, detail: 'Kick-off' },
      { id: 2, kind: 'goal', team: 'home', player: 'Ann', period: 1, minute: 12 },
      { id: 3, kind: 'period', period: 1, minute: 45, detail: 'Half-time' },
      { id: 4, kind: 'own_goal', team: 'home', player: 'Bob', period: 2, minute: 60 },
      { id: 5, kind: 'penalty_goal', team: 'home', player: 'Ann', period: 2, minute: 92 },
      { id: 6, kind: 'substitution', team: 'away', player: 'Cy', detail: 'replaces #9', period: 2, minute: 70 },
      { id: 7, kind: 'period', period: 2, minute: 94, detail: 'Full-time' },
    ],
  };
  expect(scorers(football), {
    home: [{ player: 'Ann', marks: ["12'", "90+2' pen"] }],
    away: [{ player: 'Bob', marks: ["60' og"] }],
  }, 'scorers under each side');
  const entries = timelineEntries(football);
  expect(entries.filter((e) => e.marker).map((e) => e.text), ['FT 2-1', 'HT 1-0', 'Kick-off'], 'markers with the score');
  const sub = entries.find((e) => e.kind === 'substitution');
  expect([sub.side, sub.player, sub.detail], ['away', 'Cy', 'replaces #9'], 'substitution keeps player and detail');
  const basketball = {
    sport: 'basketball', period: 5,
    incidents: [
      { id: 1, kind: 'points', team: 'home', points: 3, period: 1, minute: 2 },
      { id: 2, kind: 'points', team: 'away', points: 2, period: 1, minute: 3 },
      { id: 3, kind: 'points', team: 'home', points: 2, period: 3, minute: 30 },
      { id: 4, kind: 'points', team: 'away', points: 1, period: 5, minute: 50 },
    ],
  };
  expect(periodScores(basketball), { periods: [1, 2, 3, 4, 5], home: [3, 0, 2, 0, 0], away: [2, 0, 0, 0, 1] }, 'quarter scores with overtime');
  return "stoppage 45+2'/90+2', HT, feed days, scorers, markers, quarters";
}

/** Fixtures show a kick-off time, results FT, live matches come first; the Live tab has only them. */
async function fixturesResultsAndLiveFirst() {
  const srv = await server();
  await command(srv, { type: 'match.status', match_id: 3, status: 'live', minute: 12 });
  await command(srv, { type: 'match.status', match_id: 8, status: 'live' });
  await command(srv, { type: 'match.status', match_id: 8, status: 'final' });
  const notes = [];
  for (const [name, viewport] of VIEWPORTS) {
    const page = await openPage(`${srv.base}/`, { viewport });
    await waitForLive(page, name);
    const sections = await page.$$eval('[data-section]', (s) => s.map((x) => x.dataset.section));
    expect(sections, ['live', 'upcoming', 'results'], `${name}: section order`);
    expect(await rowIds(page, 'live'), [3], `${name}: live section`);
    const fixture = await page.$eval('[data-match-id="1"]', (row) => ({
      home: row.querySelector('.home-score').textContent,
      away: row.querySelector('.away-score').textContent,
      scoresShown: row.querySelector('.scores').checkVisibility(),
      kickoff: row.querySelector('.kickoff').textContent,
      kickoffShown: row.querySelector('.kickoff').checkVisibility(),
    }));
    if (fixture.home || fixture.away || fixture.scoresShown) throw new Error(`${name}: a fixture shows a score: ${JSON.stringify(fixture)}`);
    if (!/^\d{2}:\d{2}$/.test(fixture.kickoff) || !fixture.kickoffShown) throw new Error(`${name}: fixture kick-off reads "${fixture.kickoff}"`);
    const result = await page.$eval('[data-section="results"] [data-match-id="8"] .status', (s) => s.textContent);
    expect(result, 'FT', `${name}: result status`);
    const liveClock = await page.$eval('[data-match-id="3"] .clock', (c) => c.textContent);
    expect(liveClock, "12'", `${name}: live clock`);
    await page.click('#tab-live');
    await page.waitForFunction(() => document.querySelectorAll('[data-match-id]').length === 1, null, { timeout: 3000 })
      .catch(async () => { throw new Error(`${name}: Live tab shows ${JSON.stringify(await rowIds(page))}`); });
    expect(await rowIds(page), [3], `${name}: Live tab`);
    if (!page.url().includes('view=live')) throw new Error(`${name}: the Live view is not in the address (${page.url()})`);
    await page.keyboard.press('Tab');
    assertClean(page, name);
    await closePage(page);
    notes.push(name);
  }
  return `${notes.join(', ')}: live first, fixtures with kick-off time, results FT, Live tab`;
}

/** A dozen rows fit a 390×844 phone screen, and the News tab shows news without scrolling. */
async function phoneShowsADozenRowsAndNewsTab() {
  const srv = await server();
  const page = await openPage(`${srv.base}/`, { viewport: PHONE });
  await waitForLive(page, 'phone');
  const boxes = await page.$$eval('[data-match-id]', (rows) => rows.map((r) => r.getBoundingClientRect().toJSON()));
  const onScreen = boxes.filter((b) => b.top >= 0 && b.bottom <= 844).length;
  const tallest = Math.max(...boxes.map((b) => b.height));
  if (onScreen < FIXTURE_MATCHES) throw new Error(`only ${onScreen} rows fit the first phone screen (rows up to ${tallest}px tall)`);
  await page.click('#tab-news');
  const firstHeadline = page.locator('[data-news-id] .headline').first();
  await firstHeadline.waitFor({ state: 'visible', timeout: 2000 });
  const box = await firstHeadline.boundingBox();
  if (box.y + box.height > 844) throw new Error(`the first headline is at y=${box.y} after tapping News`);
  if (await page.locator('#matches').isVisible()) throw new Error('the match list still shows under the News tab');
  await page.click('#tab-today');
  await page.locator('#matches').waitFor({ state: 'visible', timeout: 2000 });
  assertClean(page, 'phone');
  await closePage(page);
  return `${onScreen} rows on the first screen (tallest ${Math.round(tallest)}px); News tab shows news at the top`;
}

/** "Developer words" live in a closed panel; ?transport= still works and opens it. */
async function developerDetailsInAboutPanel() {
  const srv = await server();
  const page = await openPage(`${srv.base}/`);
  await waitForLive(page, 'dashboard');
  const outside = await page.evaluate(() => {
    const clone = document.body.cloneNode(true);
    clone.querySelector('#about-feed').remove();
    return clone.textContent;
  });
  for (const word of ['last event', 'via sse', 'Transport', 'events per minute']) {
    if (outside.includes(word)) throw new Error(`"${word}" is on the page outside "About this feed"`);
  }
  if (await page.locator('#activity-chart').isVisible()) throw new Error('the activity chart shows with the panel closed');
  await page.click('#about-feed summary');
  await page.locator('#activity-chart').waitFor({ state: 'visible', timeout: 2000 });
  const stream = (await page.locator('#stream-id').textContent()).trim();
  expect(stream, srv.stream, 'stream id in the panel');
  await closePage(page);
  const ws = await openPage(`${srv.base}/?transport=ws`);
  await waitForLive(ws, 'ws');
  await waitForText(ws, '#transport', 'ws', 2000, 'transport');
  if (!(await ws.locator('#about-feed').evaluate((d) => d.open))) throw new Error('?transport= did not open the panel');
  assertClean(ws, 'ws');
  await closePage(ws);
  return 'stream, transport, chart only in the closed panel; ?transport=ws works and opens it';
}

/** The match page: sides, scorers, stoppage time, HT/FT markers, substitution, tagged news, reload. */
async function matchPageShowsTheMatch() {
  const srv = await server();
  const headline = `Match page story ${Date.now()}`;
  await command(srv, { type: 'match.status', match_id: 2, status: 'live', minute: 10 });
  await command(srv, { type: 'incident.add', match_id: 2, kind: 'goal', team: 'home', player: 'Thijs Engel', minute: 23 });
  await command(srv, { type: 'match.status', match_id: 2, status: 'live', minute: 47 });
  await command(srv, { type: 'incident.add', match_id: 2, kind: 'yellow_card', team: 'away', player: 'Nicolas Sosa', minute: 47 });
  await command(srv, { type: 'match.status', match_id: 2, status: 'halftime' });
  await command(srv, { type: 'match.status', match_id: 2, status: 'live', period: 2, minute: 46 });
  await command(srv, { type: 'incident.add', match_id: 2, kind: 'substitution', team: 'home', player: 'Ben Brindley', detail: 'replaces #9', minute: 70 });
  await command(srv, { type: 'news.publish', headline, body: 'Tagged to match 2.', tags: ['epl'], match_id: 2 });
  const notes = [];
  for (const [name, viewport] of VIEWPORTS) {
    const page = await openPage(`${srv.base}/`, { viewport });
    await waitForLive(page, name);
    await page.click('[data-match-id="2"] .match-open');
    await page.waitForURL(/\/match\/2$/, { timeout: 3000 });
    await waitForText(page, '#conn-state', 'live', 5000, `${name}: match page connection`);
    await page.waitForFunction(() => document.querySelector('#home-scorers')?.textContent.includes("Thijs Engel 23'"), null, { timeout: 3000 })
      .catch(async () => { throw new Error(`${name}: home scorers read "${await page.locator('#home-scorers').textContent()}"`); });
    expect((await page.locator('#big-score').textContent()).trim(), '1 – 0', `${name}: score`);
    const card = await page.$eval('[data-side="away"].kind-yellow_card', (li) => li.textContent);
    if (!card.includes("45+2'") || !card.includes('Nicolas Sosa')) throw new Error(`${name}: first-half stoppage card reads "${card}"`);
    const markers = await page.$$eval('.tl-row.marker', (rows) => rows.map((r) => r.textContent));
    if (!markers.includes('HT 1-0')) throw new Error(`${name}: markers ${JSON.stringify(markers)}`);
    const sub = await page.$eval('.kind-substitution', (li) => ({ side: li.dataset.side, text: li.textContent }));
    if (sub.side !== 'home' || !sub.text.includes('Ben Brindley') || !sub.text.includes('replaces #9')) throw new Error(`${name}: substitution ${JSON.stringify(sub)}`);
    // Home incidents sit left of the clock, away ones right of it.
    const homeCell = await page.locator('.kind-substitution .tl-home').boundingBox();
    const awayCell = await page.locator('.kind-yellow_card .tl-away').boundingBox();
    if (!(homeCell.x < awayCell.x)) throw new Error(`${name}: home incidents are not left of away ones`);
    const stories = await page.$$eval('[data-news-id] .headline', (h) => h.map((x) => x.textContent));
    if (!stories.includes(headline)) throw new Error(`${name}: the match's news is missing: ${JSON.stringify(stories)}`);
    if (name === 'desktop') {
      // Live: a goal in second-half stoppage time arrives while the page is open.
      await command(srv, { type: 'match.status', match_id: 2, status: 'live', minute: 92 });
      await command(srv, { type: 'incident.add', match_id: 2, kind: 'goal', team: 'away', player: 'Luke Gosling', minute: 92 });
      await page.waitForFunction(() => document.querySelector('#away-scorers').textContent.includes("Luke Gosling 90+2'"), null, { timeout: 3000 })
        .catch(() => { throw new Error('the stoppage-time goal did not reach the away scorers'); });
      await command(srv, { type: 'match.status', match_id: 2, status: 'final' });
      await page.waitForFunction(() => [...document.querySelectorAll('.tl-row.marker')].some((r) => r.textContent === 'FT 1-1'), null, { timeout: 3000 })
        .catch(() => { throw new Error('no "FT 1-1" marker after the final whistle'); });
    }
    await page.reload();
    await page.locator('#home-scorers').filter({ hasText: "Thijs Engel 23'" }).waitFor({ timeout: 5000 })
      .catch(() => { throw new Error(`${name}: /match/2 did not load on reload`); });
    assertClean(page, name);
    await closePage(page);
    notes.push(name);
  }
  const missing = await openPage(`${srv.base}/match/99999`);
  await missing.locator('#match-error').filter({ hasText: 'There is no match 99999' }).waitFor({ timeout: 3000 });
  assertClean(missing, '/match/99999', { allowNetworkErrors: true });
  await closePage(missing);
  const bad = await fetch(`${srv.base}/match/abc`);
  expect(bad.status, 404, '/match/abc');
  const body = await bad.json();
  expect(body.error.code, 'not_found', '/match/abc error code');
  return `${notes.join(', ')}: scorers, 45+2'/90+2', HT/FT markers, two sides, substitution detail, news, reload; unknown id says so; /match/abc 404`;
}

/** Basketball: the score by quarter sums the points incidents and totals the score. */
async function basketballQuarterScores() {
  const srv = await server();
  await command(srv, { type: 'match.status', match_id: 9, status: 'live' });
  await command(srv, { type: 'incident.add', match_id: 9, kind: 'points', team: 'home', points: 3 });
  await command(srv, { type: 'incident.add', match_id: 9, kind: 'points', team: 'away', points: 2 });
  await command(srv, { type: 'match.status', match_id: 9, status: 'break' });
  await command(srv, { type: 'match.status', match_id: 9, status: 'live', period: 2, minute: 13 });
  await command(srv, { type: 'incident.add', match_id: 9, kind: 'points', team: 'home', points: 2 });
  const match = await getJson(srv, '/api/matches/9');
  const expected = [1, 2, 3, 4].map((q) => ['home', 'away'].map((side) => match.incidents
    .filter((i) => i.kind === 'points' && i.period === q && i.team === side)
    .reduce((sum, i) => sum + i.points, 0)));
  const page = await openPage(`${srv.base}/match/9`, { viewport: PHONE });
  await page.locator('#quarters tbody tr').first().waitFor({ timeout: 5000 });
  const table = await page.$$eval('#quarters tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  expect(expected, [[3, 2], [2, 0], [0, 0], [0, 0]], 'points incidents per quarter');
  expect(table[0], [...expected.map((q) => q[0]), match.score.home], 'home quarters and total');
  expect(table[1], [...expected.map((q) => q[1]), match.score.away], 'away quarters and total');
  assertClean(page, 'basketball');
  await closePage(page);
  return `match 9: ${table[0].join('/')} v ${table[1].join('/')}`;
}

/** Breaking news (`"breaking": true`) is visibly marked. */
async function breakingNewsIsHighlighted() {
  const srv = await server();
  const page = await openPage(`${srv.base}/`);
  await waitForLive(page, 'dashboard');
  const headline = `Breaking ${Date.now()}`;
  const reply = await command(srv, { type: 'news.publish', headline, tags: ['epl'], breaking: true }).catch((e) => e);
  const item = (await getJson(srv, '/api/news?limit=5')).find((n) => n.headline === headline);
  if (reply instanceof Error || !item || item.breaking !== true) {
    await closePage(page);
    return 'SKIPPED: this server does not carry "breaking" yet (desk-server branch adds it)';
  }
  const article = page.locator(`[data-news-id="${item.id}"]`);
  await article.waitFor({ timeout: 3000 });
  if (!(await article.evaluate((a) => a.classList.contains('breaking')))) throw new Error('no .breaking class');
  if (!(await article.locator('.breaking-flag').isVisible())) throw new Error('no visible Breaking flag');
  const plain = page.locator('[data-news-id]:not(.breaking) .breaking-flag').first();
  if (await plain.isVisible()) throw new Error('a plain story shows the Breaking flag');
  assertClean(page, 'breaking');
  await closePage(page);
  return 'breaking story flagged, others not';
}

/** Day navigation follows the feed's calendar; other days come from the archive, archived matches too. */
async function dayNavigationAndArchive() {
  const srv = await server();
  const snapshot = await getJson(srv, '/api/snapshot');
  const today = snapshot.calendar.today;
  const next = (day, n) => {
    const d = new Date(`${day}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };
  await command(srv, { type: 'match.create', league: 'epl', home: 'ARS', away: 'LIV', kickoff: `${next(today, 1)}T19:00:00Z` });
  for (const id of [10, 11]) {
    await command(srv, { type: 'match.status', match_id: id, status: 'live' });
    await command(srv, { type: 'match.status', match_id: id, status: 'final' });
  }
  const page = await openPage(`${srv.base}/`, { viewport: PHONE });
  await waitForLive(page, 'dashboard');
  expect(await page.inputValue('#day-input'), today, 'the date picker starts on the feed\'s day');
  await page.click('#day-next');
  const tomorrow = (await getJson(srv, `/api/matches?date=${next(today, 1)}`)).map((m) => m.id).sort((a, b) => a - b);
  await page.waitForFunction((n) => document.querySelectorAll('[data-match-id]').length === n, tomorrow.length, { timeout: 3000 });
  expect((await rowIds(page)).sort((a, b) => a - b), tomorrow, 'tomorrow\'s matches');
  expect((await page.locator('#day-label').textContent()).trim(), 'Tomorrow', 'day label');
  if (!page.url().includes(`date=${next(today, 1)}`)) throw new Error(`the day is not in the address: ${page.url()}`);
  // Two days on, the first day's results leave the live state (an `archived` event) ...
  await page.click('#tab-today');
  const finals = (await getJson(srv, '/api/snapshot')).matches.filter((m) => m.status === 'final').map((m) => m.id);
  if (finals.length === 0) throw new Error('no finished matches to archive');
  await command(srv, { type: 'calendar.roll', today: next(today, 2) });
  await page.waitForFunction((ids) => ids.every((id) => !document.querySelector(`[data-match-id="${id}"]`)), finals, { timeout: 3000 })
    .catch(() => { throw new Error('archived matches stayed on Today'); });
  await waitForText(page, '#day-label', 'Today', 2000, 'label after the roll');
  expect(await page.inputValue('#day-input'), next(today, 2), 'Today follows the feed\'s new day');
  // ... and are still there, as results, when that day is picked.
  await page.fill('#day-input', today);
  await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`[data-section="results"] [data-match-id="${id}"]`)), finals, { timeout: 3000 })
    .catch(() => { throw new Error(`archived results ${finals} not shown for ${today}`); });
  const statuses = await page.$$eval('[data-section="results"] .status', (s) => [...new Set(s.map((x) => x.textContent))]);
  expect(statuses, ['FT'], 'archived results read FT');
  // An archived match's page still works.
  await page.click(`[data-match-id="${finals[0]}"] .match-open`);
  await page.locator('#big-score').filter({ hasText: '–' }).waitFor({ timeout: 3000 });
  await page.locator('#quarters tbody tr').first().waitFor({ timeout: 3000 })
    .catch(() => { throw new Error('the archived basketball match page has no quarter table'); });
  await page.goBack();
  await page.locator('#day-label').filter({ hasText: /\w/ }).waitFor({ timeout: 3000 });
  assertClean(page, 'days');
  await closePage(page);
  return `today ${today} from the feed; tomorrow ${tomorrow.length} matches; after a roll, ${finals.length} archived results shown for ${today} with FT; archived match page`;
}

/** Screenshots for the README (fixed viewport, not full page). */
async function fanScreenshots() {
  const srv = await server();
  mkdirSync(SCREENSHOTS, { recursive: true });
  await command(srv, { type: 'match.status', match_id: 10, status: 'live' });
  await command(srv, { type: 'score.set', match_id: 10, home: 98, away: 91 });
  await command(srv, { type: 'match.status', match_id: 10, status: 'final' });
  await command(srv, { type: 'match.status', match_id: 6, status: 'live', minute: 31 });
  await command(srv, { type: 'incident.add', match_id: 6, kind: 'goal', team: 'home', player: 'Kojo Asiedu', minute: 31 });
  await command(srv, { type: 'match.status', match_id: 6, status: 'live', minute: 38 });
  await command(srv, { type: 'match.status', match_id: 11, status: 'live', minute: 17, period: 2 });
  await command(srv, { type: 'incident.add', match_id: 11, kind: 'points', team: 'home', points: 3 });
  for (const [file, url, viewport] of [
    ['fan-desktop.png', '/', DESKTOP], ['fan-phone.png', '/', PHONE], ['match-page.png', '/match/2', DESKTOP],
  ]) {
    const page = await openPage(`${srv.base}${url}`, { viewport });
    await waitForText(page, '#conn-state', 'live', 5000, file);
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(SCREENSHOTS, file) });
    assertClean(page, file);
    await closePage(page);
  }
  return `fan-desktop.png, fan-phone.png, match-page.png in ${path.relative(process.cwd(), SCREENSHOTS) || '.'}`;
}

/** With the server gone the data stays, live clocks dim and the page says how old it is. */
async function staleStateWhenServerGoes() {
  const srv = await server();
  await command(srv, { type: 'match.status', match_id: 12, status: 'live', minute: 30 });
  const notes = [];
  const pages = [];
  for (const [name, viewport] of VIEWPORTS) {
    const page = await openPage(`${srv.base}/`, { viewport });
    await waitForText(page, '#conn-state', 'live', 5000, name);
    await page.locator('[data-match-id="12"][data-status="live"]').waitFor({ timeout: 3000 });
    pages.push([name, page, await page.locator('[data-match-id]').count()]);
  }
  const match = await openPage(`${srv.base}/match/12`);
  await waitForText(match, '#conn-state', 'live', 5000, 'match page');
  await stopServer(srv);
  dropServer();
  for (const [name, page, rows] of [...pages, ['match page', match, null]]) {
    await page.locator('#stale-banner').waitFor({ state: 'visible', timeout: 5000 })
      .catch(() => { throw new Error(`${name}: no stale banner with the server gone`); });
    await page.waitForFunction(() => /updated \d+ s ago/.test(document.querySelector('#freshness').textContent), null, { timeout: 3000 });
    const banner = await page.locator('#stale-banner').textContent();
    if (rows !== null) {
      expect(await page.locator('[data-match-id]').count(), rows, `${name}: rows kept`);
      const opacity = await page.$eval('[data-match-id="12"] .clock', (c) => Number(getComputedStyle(c).opacity));
      if (!(opacity < 0.6)) throw new Error(`${name}: the live clock is not dimmed (opacity ${opacity})`);
    } else {
      const opacity = await page.$eval('#match-clock', (c) => Number(getComputedStyle(c).opacity));
      if (!(opacity < 0.6)) throw new Error('match page: the clock is not dimmed');
    }
    notes.push(`${name}: "${banner.trim()}"`);
    assertClean(page, name, { allowNetworkErrors: true });
    await closePage(page);
  }
  return notes.join('; ');
}

export const tests = [
  ['fan: stoppage time, feed days, scorers, HT/FT markers and quarter sums (pure modules)', factsAreWorkedOutRight],
  ['fan: live first, fixtures show kick-off (no 0 0), results FT, Live tab (phone and desktop)', fixturesResultsAndLiveFirst],
  ['fan: a dozen compact rows on a 390x844 phone, News tab', phoneShowsADozenRowsAndNewsTab],
  ['fan: developer details only in "About this feed"; ?transport= works', developerDetailsInAboutPanel],
  ['fan: match page /match/{id}: sides, scorers, 90+2\', HT/FT, substitution, news, reload, 404', matchPageShowsTheMatch],
  ['fan: basketball match page sums quarter scores', basketballQuarterScores],
  ...alertTests,
  ...tableTests,
  ...roundTwoTests,
  ...tabTests,
  // After the basketball test: match 9 is in play.
  ...lineupTests,
  ['fan: breaking news is highlighted', breakingNewsIsHighlighted],
  ['fan: screenshots (desktop, phone, match page)', fanScreenshots],
  ['fan: server gone: data kept, clocks dimmed, "updated N s ago" (phone, desktop, match page)', staleStateWhenServerGoes],
  // After the stale test: a fresh server (rolling the calendar archives the day's matches).
  ['fan: day navigation on the feed\'s calendar; archived results and match pages', dayNavigationAndArchive],
  ['fan: stop the fan server', async () => { await dropServer(true); return 'stopped'; }],
];
