// Browser tests of the sports tables (issue 18): the Standings view (/standings) and a team's
// page (/team/{id}), on a phone and a desktop, kept live by the league's feed: a goal moves the
// table "as it stands", the final whistle puts the result in the form, the team page follows its
// match from fixture to result. Their own server (in memory, fixtures, no generator).

import path from 'node:path';
import {
  assertClean, closePage, command, freePort, openPage, startServer, stopServer, waitForText,
} from './harness.mjs';
import { SCREENSHOTS, VIEWPORTS, expect } from './fan-common.mjs';

let own = null;

async function tablesServer() {
  if (!own) own = await startServer(await freePort(), ['--in-memory']);
  return own;
}

/** The table's rows as `[team, points, playing]`. */
function rows(page) {
  return page.$$eval('#standings tbody tr', (trs) => trs.map((tr) => [
    tr.dataset.team, tr.querySelector('.col-points')?.textContent, tr.classList.contains('playing')]));
}

async function waitForRow(page, team, points, playing, what) {
  await page.waitForFunction(({ team, points, playing }) => {
    const tr = document.querySelector(`#standings tbody tr[data-team="${team}"]`);
    return tr && tr.querySelector('.col-points').textContent === points && tr.classList.contains('playing') === playing;
  }, { team, points, playing }, { timeout: 8000 }).catch(async () => {
    throw new Error(`${what}: ${team} never showed ${points} pts (playing ${playing}); rows ${JSON.stringify(await rows(page))}`);
  });
}

async function standingsViewIsLive() {
  const server = await tablesServer();
  const seen = [];
  for (const [name, viewport] of VIEWPORTS) {
    const page = await openPage(`${server.base}/standings?league=epl`, { viewport });
    await waitForText(page, '#table-title', 'Premier League table', 8000, `${name}: title`);
    await waitForText(page, '#conn-state', 'live', 8000, `${name}: connection`);
    expect((await rows(page)).length, 8, `${name}: a row per Premier League team`);
    if (name === 'phone') {
      // The table scrolls inside its card; the page itself does not scroll sideways.
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      expect(wide, false, 'phone: no sideways page scroll');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'standings-phone.png'), fullPage: true });
      await closePage(page);
      continue;
    }
    await command(server, { type: 'match.status', match_id: 1, status: 'live', minute: 20 });
    await command(server, { type: 'incident.add', match_id: 1, kind: 'goal', team: 'home', player: '#14' });
    await waitForRow(page, 'ARS', '3', true, 'goal under way');
    await waitForText(page, '#table-note', 'Live: as it stands, with the matches under way at their current score.', 3000, 'live note');
    expect(await page.locator('#standings tbody tr:first-child').getAttribute('data-team'), 'ARS', 'ARS top as it stands');
    await waitForText(page, '#scorers li:first-child .scorer-name', 'Ricardo Seabra', 3000, 'top scorer');
    await command(server, { type: 'match.status', match_id: 1, status: 'final' });
    await waitForRow(page, 'ARS', '3', false, 'final whistle');
    await waitForText(page, '#standings tr[data-team="ARS"] .form', 'W', 3000, 'form after the final');
    await waitForText(page, '#standings tr[data-team="CHE"] .form', 'L', 3000, 'loser form');
    const href = await page.locator('#standings tr[data-team="ARS"] a.team-link').getAttribute('href');
    expect(href, '/team/ARS', 'team link');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'standings-desktop.png'), fullPage: true });
    // Another league from the tabs: basketball columns.
    await page.click('#league-tabs [data-league="nba"]');
    await waitForText(page, '#table-title', 'NBA table', 5000, 'NBA tab');
    const heads = await page.$$eval('#standings thead th', (ths) => ths.map((th) => th.textContent));
    if (!heads.includes('Pct') || !heads.includes('GB')) throw new Error(`NBA columns: ${heads}`);
    expect(new URL(page.url()).search, '?league=nba', 'the address names the league');
    assertClean(page, `standings ${name}`);
    await closePage(page);
    seen.push(name);
  }
  return 'a goal moved ARS to the top "as it stands" and the final put W in the form, phone and desktop';
}

async function teamPageFollowsItsMatch() {
  const server = await tablesServer();
  for (const [name, viewport] of VIEWPORTS) {
    const page = await openPage(`${server.base}/team/LIV`, { viewport });
    await waitForText(page, '#team-title', 'Liverpool', 8000, `${name}: title`);
    await waitForText(page, '#conn-state', 'live', 8000, `${name}: connection`);
    const squad = await page.locator('#squad li').count();
    if (squad < 11) throw new Error(`${name}: squad of ${squad}`);
    if (name === 'phone') {
      await page.screenshot({ path: path.join(SCREENSHOTS, 'team-phone.png'), fullPage: true });
      await closePage(page);
      continue;
    }
    await page.waitForSelector('#fixtures [data-match-id="2"]', { timeout: 5000 });
    await command(server, { type: 'match.status', match_id: 2, status: 'live', minute: 10 });
    await command(server, { type: 'incident.add', match_id: 2, kind: 'goal', team: 'home' });
    await waitForText(page, '#fixtures [data-match-id="2"] .team-score', '1 – 0', 8000, 'live score on the team page');
    await command(server, { type: 'match.status', match_id: 2, status: 'final' });
    await waitForText(page, '#results [data-match-id="2"] .team-score', '1 – 0', 8000, 'the result');
    await waitForText(page, '#team-form .form', 'W', 3000, 'form');
    const standing = (await page.locator('#team-standing').textContent()).trim();
    if (!/^(1st|2nd) in Premier League · 3 pts from 1 game$/.test(standing)) throw new Error(`standing: "${standing}"`);
    await page.click('#follow-team');
    await waitForText(page, '#follow-team', '★ Following Liverpool', 3000, 'follow');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'team-desktop.png'), fullPage: true });
    assertClean(page, `team ${name}`);
    await closePage(page);
  }
  const missing = await openPage(`${server.base}/team/XYZ`);
  await waitForText(missing, '#team-error', 'There is no team XYZ.', 5000, 'unknown team');
  await closePage(missing);
  const match = await openPage(`${server.base}/match/1`);
  await match.waitForSelector('#home-name[href="/team/ARS"]', { timeout: 5000 });
  await closePage(match);
  await stopServer(own);
  own = null;
  return 'fixture → live 1 – 0 → result with W and "1st in Premier League · 3 pts", squad, follow, 404; match page links the teams';
}

export const tests = [
  ['tables: Standings view live as it stands, tabs, form, scorers (phone and desktop)', standingsViewIsLive],
  ['tables: team page /team/{id} follows its match; squad, follow, unknown team (phone and desktop)', teamPageFollowsItsMatch],
];
