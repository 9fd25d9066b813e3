// Fan page tests of follows and alerts: teams and leagues followed across reloads, and a title
// badge, a notification and a beep on a goal or final of what is followed, over SSE and polling.

import {
  assertClean, closePage, command, getJson, openPage, waitForLive, waitForText,
} from './harness.mjs';
import { expect, rowIds, server } from './fan-common.mjs';

/** Init script: record notifications and beeps (the browser's own APIs, wrapped). */
const spies = () => {
  window.notified = [];
  window.beeps = 0;
  window.Notification = class {
    constructor(title, options) { window.notified.push(title, options && options.tag); }
    static get permission() { return 'granted'; }
    static requestPermission() { return Promise.resolve('granted'); }
  };
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function counted() {
    window.beeps += 1;
    return create.call(this);
  };
};

/** Follows are teams and leagues (kept on reload); goals of followed matches badge the title, notify and beep. */
async function followTeamsAndLeaguesWithAlerts() {
  const srv = await server();
  const page = await openPage(`${srv.base}/match/4`, { init: { script: spies } });
  await waitForText(page, '#conn-state', 'live', 5000, 'match page');
  await page.locator('#follow-buttons [data-team="MCI"]').click();
  await page.locator('#follow-buttons [data-team="MCI"][aria-pressed="true"]').waitFor({ timeout: 2000 });
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('livescore.follow.v1')));
  expect(saved.teams, ['MCI'], 'followed team saved by id');
  await page.goto(`${srv.base}/`);
  await waitForLive(page, 'dashboard');
  if (!(await page.locator('[data-match-id="4"].followed').count())) throw new Error('the followed team\'s row is not marked');
  // A league follow, from the Following card, survives a reload.
  await page.locator('.follow-league[data-league="laliga"]').click();
  await page.reload();
  await waitForLive(page, 'dashboard after reload');
  await page.locator('.follow-league[data-league="laliga"][aria-pressed="true"]').waitFor({ timeout: 2000 })
    .catch(() => { throw new Error('the league follow was lost on reload'); });
  await page.check('#following-only');
  await page.waitForFunction(() => !document.querySelector('[data-match-id="1"]'), null, { timeout: 2000 });
  const shown = await rowIds(page);
  const { calendar } = await getJson(srv, '/api/snapshot');
  const wanted = (await getJson(srv, `/api/matches?date=${calendar.today}`))
    .filter((m) => m.home === 'MCI' || m.away === 'MCI' || m.league === 'laliga')
    .map((m) => m.id).sort((a, b) => a - b);
  expect([...shown].sort((a, b) => a - b), wanted, 'following only: today\'s MCI and La Liga matches');

  await page.click('#alerts-toggle');
  await page.locator('#alerts-toggle[aria-pressed="true"]').waitFor({ timeout: 2000 });
  await page.click('#sound-toggle');
  await page.locator('#sound-toggle[aria-pressed="true"]').waitFor({ timeout: 2000 });
  const beepsBefore = await page.evaluate(() => window.beeps);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await command(srv, { type: 'match.status', match_id: 4, status: 'live', minute: 5 });
  await command(srv, { type: 'score.set', match_id: 4, home: 1, away: 0 });
  await page.waitForFunction(() => document.title.startsWith('(1) '), null, { timeout: 3000 })
    .catch(async () => { throw new Error(`no title badge after a goal: "${await page.title()}"`); });
  const notified = await page.evaluate(() => window.notified);
  if (!notified.some((t) => /^Goal! Manchester City 1-0 Tottenham Hotspur$/.test(t))) throw new Error(`notifications: ${JSON.stringify(notified)}`);
  if (!((await page.evaluate(() => window.beeps)) > beepsBefore)) throw new Error('no beep for the goal');
  const spoken = await page.locator('#announcer').textContent();
  if (!spoken.includes('Goal!')) throw new Error(`the live region reads "${spoken}"`);
  // Not followed: no alert.
  await command(srv, { type: 'match.status', match_id: 1, status: 'live', minute: 5 });
  await command(srv, { type: 'score.set', match_id: 1, home: 1, away: 0 });
  await command(srv, { type: 'match.status', match_id: 4, status: 'final' });
  await page.waitForFunction(() => document.title.startsWith('(2) '), null, { timeout: 3000 })
    .catch(async () => { throw new Error(`no badge for the final whistle: "${await page.title()}"`); });
  const all = await page.evaluate(() => window.notified.filter((t) => typeof t === 'string' && !t.startsWith('livescore-')));
  expect(all.length, 2, `alerts for followed matches only (${JSON.stringify(all)})`);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForFunction(() => !document.title.startsWith('('), null, { timeout: 2000 });

  // With only followed items shown, an empty news list says that other news exists.
  await page.evaluate(() => {
    localStorage.setItem('livescore.follow.v1', JSON.stringify({ teams: ['NOPE'], leagues: [], onlyFollowed: true }));
  });
  await page.reload();
  await waitForText(page, '#conn-state', 'live', 5000, 'following a team with no news');
  const empty = await page.locator('#news .empty').textContent();
  if (!/No news about what you follow \(\d+ stor(y|ies) in all/.test(empty)) throw new Error(`empty news reads "${empty}"`);
  assertClean(page, 'follow');
  await closePage(page);
  return 'team followed by id from the match page, league from the card, kept on reload; title badge, notification, beep, live region; followed-only news empty state';
}

/** Over the poll transport goals come inside snapshots, and still raise alerts. */
async function alertsOverPollTransport() {
  const srv = await server();
  const match = await getJson(srv, '/api/matches/5');
  const follow = JSON.stringify({ teams: [match.home], leagues: [], onlyFollowed: false, notify: true, sound: false });
  const page = await openPage(`${srv.base}/?transport=poll`, {
    init: { script: ([key, value]) => { localStorage.setItem(key, value); }, arg: ['livescore.follow.v1', follow] },
  });
  await page.evaluate(spies);
  await waitForLive(page, 'poll');
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  });
  await command(srv, { type: 'match.status', match_id: 5, status: 'live', minute: 3 });
  await command(srv, { type: 'score.set', match_id: 5, home: 0, away: 1 });
  await page.waitForFunction(() => document.title.startsWith('(1) '), null, { timeout: 5000 })
    .catch(async () => { throw new Error(`no title badge over poll: "${await page.title()}"`); });
  const notified = await page.evaluate(() => window.notified.filter((t) => /^Goal!/.test(t)));
  expect(notified.length, 1, `one goal notification over poll (${JSON.stringify(notified)})`);
  assertClean(page, 'poll alerts');
  await closePage(page);
  return `${notified[0]}`;
}

export const tests = [
  ['fan: follow teams and leagues; title badge, notification and beep on goal and final', followTeamsAndLeaguesWithAlerts],
  ['fan: goal alerts also over the poll transport (goals inside snapshots)', alertsOverPollTransport],
];
