// Match page tests of lineups and stats: both sheets with shirt numbers and names (resolved from
// the squads of /api/teams), substitutions and a sending-off marked as they happen, the stats
// bars and basketball's fouls by quarter, all updating live from the feed; and the console's
// substitution and stats forms.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ALICE, ROOT, adminLogin, assertClean, closePage, command, getJson, openPage, waitForText,
} from './harness.mjs';
import { PHONE, expect, server } from './fan-common.mjs';

const load = (file) => import(pathToFileURL(path.join(ROOT, 'frontend', 'js', file)).href);

/** The DOM-free parts: sheets named from squads with their marks, the bars, who may come on. */
async function lineupAndStatsViewsAreWorkedOutRight() {
  const { lineupView, whoIsOn } = await load('match-lineups.js');
  const { statRows, foulsByPeriod } = await load('match-stats.js');
  const squad = [1, 2, 3, 4].map((number) => ({ number, name: `P${number}`, position: number === 1 ? 'GK' : 'MF' }));
  const match = {
    sport: 'football',
    lineups: { home: { starting: [1, 2], bench: [3, 4] } },
    incidents: [
      { id: 1, kind: 'substitution', team: 'home', player: 'P3', player_out: 'P2', period: 2, minute: 60 },
      { id: 2, kind: 'red_card', team: 'home', player: 'P3', period: 2, minute: 92 },
    ],
    stats: { home: { shots: 3, possession: 60 }, away: { shots: 1, possession: 40 } },
  };
  const view = lineupView(match, { home: squad, away: [] });
  expect(view.away, null, 'a side without a sheet');
  expect(view.home.starting[1], { number: 2, name: 'P2', marks: [{ kind: 'off', text: "↓ 60'" }] }, 'subbed off');
  expect(view.home.bench[0].marks.map((m) => m.text), ["↑ 60'", "🟥 90+2'"], 'came on, then sent off');
  expect(whoIsOn(match, 'home', squad), { on: [squad[0]], available: [squad[3]] }, 'on the pitch and may come on');
  const rows = statRows(match);
  expect(rows.find((r) => r.key === 'shots'), { key: 'shots', label: 'Shots', home: '3', away: '1', homeShare: 0.75 }, 'shots bar');
  expect(rows.find((r) => r.key === 'possession').home, '60%', 'possession in percent');
  const fouls = foulsByPeriod({ stats: { home: { fouls_by_period: [3, 1] }, away: { fouls_by_period: [2] } } });
  expect(fouls, { periods: [1, 2], home: [3, 1], away: [2, 0] }, 'fouls by quarter');
  return 'sheets with ↑/↓/🟥 marks, who may come on, bars, fouls by quarter';
}

/** Shirt numbers and names of one side's starters (or bench) as the page shows them. */
function listed(page, side, list) {
  return page.$$eval(`#lineups-section .lineup[data-side="${side}"] .${list} li`, (items) => items.map((li) =>
    `${li.querySelector('.shirt').textContent} ${li.querySelector('.name').textContent}`));
}

async function waitFor(page, what, fn, arg) {
  await page.waitForFunction(fn, arg, { timeout: 5000 }).catch(() => { throw new Error(`no ${what}`); });
}

/** Match 7 (football) and 9 (basketball): both sheets, subs, a red card and stats, live. */
async function matchPageShowsLineupsAndStatsLive() {
  const srv = await server();
  const teams = new Map((await getJson(srv, '/api/teams')).map((t) => [t.id, t]));
  const match = await getJson(srv, '/api/matches/7');
  const sheet = (team) => {
    const squad = teams.get(team).squad;
    return { squad, starting: squad.slice(0, 11), bench: squad.slice(11) };
  };
  const home = sheet(match.home);
  const away = sheet(match.away);
  const page = await openPage(`${srv.base}/match/7`, { viewport: PHONE });
  await waitForText(page, '#conn-state', 'live', 5000, 'match page');
  expect(await page.locator('#lineups-section').isHidden(), true, 'no lineups section before a sheet');
  for (const [team, side] of [[home, 'home'], [away, 'away']]) {
    await command(srv, {
      type: 'lineup.set', match_id: 7, team: side,
      starting: team.starting.map((p) => `#${p.number}`), bench: team.bench.map((p) => p.name),
    });
  }
  await waitFor(page, 'away lineup', () => document.querySelectorAll('.lineup[data-side="away"] .starting li').length === 11);
  expect(await listed(page, 'home', 'starting'), home.starting.map((p) => `${p.number} ${p.name}`), 'home starters by number and name');
  expect(await listed(page, 'away', 'bench'), away.bench.map((p) => `${p.number} ${p.name}`), 'away bench');

  await command(srv, { type: 'match.status', match_id: 7, status: 'live', minute: 30 });
  const off = home.starting[10];
  const on = home.bench[0];
  await command(srv, {
    type: 'incident.add', match_id: 7, kind: 'substitution', team: 'home', player: on.name, player_out: off.name,
  });
  await waitFor(page, 'substitution marks', ([offNumber, onNumber]) => {
    const row = (n) => document.querySelector(`.lineup[data-side="home"] li[data-number="${n}"]`);
    return row(offNumber)?.querySelector('.mark-off')?.textContent === "↓ 30'"
      && row(onNumber)?.querySelector('.mark-on')?.textContent === "↑ 30'";
  }, [off.number, on.number]);
  await command(srv, { type: 'incident.add', match_id: 7, kind: 'red_card', team: 'away', player: away.starting[5].name });
  await waitFor(page, 'sending-off mark', (n) => document.querySelector(`.lineup[data-side="away"] li[data-number="${n}"] .mark-red`), away.starting[5].number);
  const timeline = await page.$eval('.kind-substitution', (li) => li.textContent);
  if (!timeline.includes(`↑ ${on.name} ↓ ${off.name}`)) throw new Error(`timeline substitution reads "${timeline}"`);

  expect(await page.locator('#stats-section').isHidden(), true, 'no stats section before stats');
  const figures = (shots, possession) => ({
    type: 'stats.set', match_id: 7,
    home: { shots, shots_on_target: 2, possession, corners: 3, fouls: 5 },
    away: { shots: 4, shots_on_target: 1, possession: 100 - possession, corners: 1, fouls: 9 },
  });
  await command(srv, figures(6, 61));
  await waitForText(page, '[data-stat="shots"] .stat-home', '6', 5000, 'home shots');
  expect(await page.textContent('[data-stat="possession"] .stat-away'), '39%', 'away possession');
  const share = await page.$eval('[data-stat="shots"] .bar-home', (bar) => bar.style.width);
  expect(share, '60%', 'home share of the shots bar');
  await command(srv, figures(8, 57));
  await waitForText(page, '[data-stat="shots"] .stat-home', '8', 5000, 'updated shots');
  expect(await page.textContent('[data-stat="possession"] .stat-home'), '57%', 'updated possession');
  assertClean(page, 'football lineups and stats');
  await closePage(page);

  // Basketball (match 9, in play since the quarter test): fouls by quarter in a table.
  const nine = await getJson(srv, '/api/matches/9');
  const quarters = Math.max(1, nine.period);
  const fouls = (n) => Array.from({ length: quarters }, (_, i) => n + i);
  await command(srv, {
    type: 'stats.set', match_id: 9,
    home: { rebounds: 20, assists: 11, fouls_by_period: fouls(3) },
    away: { rebounds: 18, assists: 9, fouls_by_period: fouls(1) },
  });
  const basketball = await openPage(`${srv.base}/match/9`);
  await basketball.locator('.fouls-by-period tbody tr').first().waitFor({ timeout: 5000 });
  const table = await basketball.$$eval('.fouls-by-period tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  expect(table, [fouls(3), fouls(1)], 'fouls by quarter');
  expect(await basketball.textContent('[data-stat="rebounds"] .stat-home'), '20', 'rebounds');
  assertClean(basketball, 'basketball stats');
  await closePage(basketball);
  return `match 7: 11+${home.bench.length} a side, ↑/↓ and 🟥 marks, bars live; match 9: ${quarters} quarters of fouls`;
}

/** The console: a substitution picked from the sheet (off: on the pitch; on: the bench) and the stats form. */
async function consoleSubstitutesFromTheSheetAndSetsStats() {
  const srv = await server();
  const page = await openPage(`${srv.base}/admin`);
  await adminLogin(page, ALICE);
  const card = page.locator('[data-match-id="7"]');
  await card.locator('.add-incident').click();
  await page.selectOption('#incident-kind', 'substitution');
  await page.selectOption('#incident-side', 'home');
  const choices = async (selector) => page.$$eval(`${selector} option`, (options) => options.map((o) => o.value).filter(Boolean));
  const comingOn = await choices('#incident-player');
  const goingOff = await choices('#incident-player-out');
  expect(goingOff.length, 11, 'players on the pitch to take off');
  const before = await getJson(srv, '/api/matches/7');
  const subs = before.incidents.filter((i) => i.kind === 'substitution').length;
  await page.selectOption('#incident-player', comingOn[0]);
  await page.selectOption('#incident-player-out', goingOff[3]);
  await page.click('#incident-submit');
  let after = before;
  for (let i = 0; i < 50 && after.incidents.filter((x) => x.kind === 'substitution').length === subs; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await getJson(srv, '/api/matches/7');
  }
  const made = after.incidents.filter((x) => x.kind === 'substitution').at(-1);
  expect([made.player, made.player_out], [comingOn[0], goingOff[3]], 'the substitution sent');

  await card.locator('.edit-stats').click();
  const shots = page.locator('#stats-fields input[name="home.shots"]');
  expect(await shots.inputValue(), '8', 'the form starts from the figures shown');
  await shots.fill('12');
  await page.click('#stats-submit');
  for (let i = 0; i < 50 && after.stats.home.shots !== 12; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await getJson(srv, '/api/matches/7');
  }
  expect(after.stats.home.shots, 12, 'stats saved from the console');
  assertClean(page, 'console substitution and stats');
  await closePage(page);
  return `${made.player} on for ${made.player_out}; home shots 8 → 12`;
}

export const tests = [
  ['fan: lineups and stats views (pure modules)', lineupAndStatsViewsAreWorkedOutRight],
  ['fan: match page shows both lineups and the stats, live (subs ↑/↓, red card, bars, fouls by quarter)', matchPageShowsLineupsAndStatsLive],
  ['console: substitution from the sheet (player off and on) and the stats form', consoleSubstitutesFromTheSheetAndSetsStats],
];
