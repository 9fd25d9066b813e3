// Browser tests of the editor console (/admin, issue 13): full team names, search and filters,
// in-page confirmation of irreversible changes, button styles, the incident dialog, undo as a
// corrective command, roles, the server's audit trail, breaking news and story history.
// These tests run against their own in-memory server (started once, on first use) that knows
// an editor token besides the two admin tokens. Tests marked NEEDS SERVER (desk-server) rely on
// the server side of issue 13 (roles in `ready`, incident.remove, /api/admin/audit, `breaking`,
// story history) and fail against a server without it.

import path from 'node:path';
import {
  ALICE, BOB, ROOT, adminLogin, assertClean, closePage, command, getJson, openPage, waitForText,
} from './harness.mjs';
import {
  CAROL, DESKTOP, PHONE, card, consoleAs, liveMatch, server, waitFor, withGeneratorServer,
} from './editor-common.mjs';
import { tests as deskTests } from './editor-desk.mjs';

const SCREENSHOT = path.join(ROOT, 'docs', 'screenshots', 'editor.png');

async function visibleIds(page) {
  return page.$$eval('#admin-matches [data-match-id]',
    (nodes) => nodes.filter((n) => !n.hidden).map((n) => Number(n.dataset.matchId)).sort((a, b) => a - b));
}

function sameIds(actual, expected, what) {
  const want = [...expected].sort((a, b) => a - b);
  if (JSON.stringify(actual) !== JSON.stringify(want)) {
    throw new Error(`${what}: expected matches ${JSON.stringify(want)}, shown ${JSON.stringify(actual)}`);
  }
}

/** Team names are shown whole (never cut with an ellipsis), and search narrows by team/league. */
async function namesAndSearch(viewport) {
  const s = await server();
  const snapshot = await getJson(s, '/api/snapshot');
  const teams = new Map(snapshot.teams.map((t) => [t.id, t]));
  const page = await consoleAs(ALICE, { viewport });
  const united = snapshot.matches.find((m) => teams.get(m.away).name === 'Manchester United'
    || teams.get(m.home).name === 'Manchester United');
  if (!united) throw new Error('the fixtures have no Manchester United match');
  const names = await page.$$eval(`${card(united.id)} .team-name`, (nodes) => nodes.map((n) => ({
    text: n.textContent, cut: n.scrollWidth > n.clientWidth + 1,
  })));
  if (!names.some((n) => n.text === 'Manchester United')) throw new Error(`names shown: ${JSON.stringify(names)}`);
  const cut = names.filter((n) => n.cut);
  if (cut.length) throw new Error(`team names cut off: ${JSON.stringify(cut)}`);

  const fits = (m, word) => [m.home, m.away].some((t) => teams.get(t).name.toLowerCase().includes(word));
  await page.fill('#match-search', 'manchester');
  sameIds(await visibleIds(page), snapshot.matches.filter((m) => fits(m, 'manchester')).map((m) => m.id), 'search "manchester"');
  await page.fill('#match-search', 'manchester united');
  sameIds(await visibleIds(page), snapshot.matches.filter((m) => fits(m, 'united') && fits(m, 'manchester')).map((m) => m.id),
    'search "manchester united"');
  await page.fill('#match-search', '');
  await page.selectOption('#league-filter', 'nba');
  sameIds(await visibleIds(page), snapshot.matches.filter((m) => m.league === 'nba').map((m) => m.id), 'league NBA');
  await page.fill('#match-search', 'no such team anywhere');
  if (!(await page.locator('#no-matches').isVisible())) throw new Error('no "no match" notice for a search that fits nothing');
  await page.fill('#match-search', '');
  await page.selectOption('#league-filter', '');
  const all = await visibleIds(page);
  if (all.length !== snapshot.matches.length) throw new Error(`after clearing: ${all.length} of ${snapshot.matches.length} shown`);
  assertClean(page, 'console');
  await closePage(page);
  return `${viewport.width}px: full names, search and league filter`;
}

/** Kick-off is the primary action and goes at once; cancel is danger and final asks first. */
async function irreversibleChangesAskFirst() {
  const s = await server();
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  const id = 3;
  const kickoff = page.locator(`${card(id)} .status-live`);
  const cancel = page.locator(`${card(id)} .status-cancelled`);
  const classes = [await kickoff.getAttribute('class'), await cancel.getAttribute('class')];
  if (!/\bprimary\b/.test(classes[0]) || /danger/.test(classes[0])) throw new Error(`Kick off is styled "${classes[0]}"`);
  if (!/\bdanger\b/.test(classes[1])) throw new Error(`Cancel match is styled "${classes[1]}"`);
  const colours = await page.$$eval([`${card(id)} .status-live`, `${card(id)} .status-cancelled`].join(','),
    (nodes) => nodes.map((n) => getComputedStyle(n).backgroundColor));
  if (colours[0] === colours[1]) throw new Error(`Kick off and Cancel match share the colour ${colours[0]}`);

  // Cancel: an in-page dialog, the safe choice focused; Esc keeps the match as it is.
  await cancel.click();
  await page.locator('#confirm-dialog[open]').waitFor({ timeout: 2000 })
    .catch(() => { throw new Error('"Cancel match" did not open the confirmation dialog'); });
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== 'confirm-cancel') throw new Error(`the dialog focused #${focused}, not the safe choice`);
  const text = await page.locator('#confirm-dialog').textContent();
  if (!/Newcastle United v Aston Villa/.test(text)) throw new Error(`the dialog does not name the match: "${text.trim()}"`);
  await page.keyboard.press('Escape');
  await page.locator('#confirm-dialog').waitFor({ state: 'hidden', timeout: 2000 });
  // Had the cancel gone out, kick-off (sent after it) would be refused: a cancelled match stays so.
  await kickoff.click();
  await waitForText(page, `${card(id)} .status`, 'Live', 3000, 'kick-off without a dialog');
  const match = await getJson(s, `/api/matches/${id}`);
  if (match.status !== 'live') throw new Error(`the server has match ${id} ${match.status}`);

  // Final whistle: asked too; confirming with the keyboard ends the match.
  await page.locator(`${card(id)} .status-final`).click();
  await page.locator('#confirm-dialog[open]').waitFor({ timeout: 2000 })
    .catch(() => { throw new Error('"Final whistle" did not open the confirmation dialog'); });
  await page.keyboard.press('Tab');
  const next = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (next !== 'confirm-ok') throw new Error(`Tab moved to #${next}, not the confirm button`);
  await page.keyboard.press('Enter');
  await waitForText(page, `${card(id)} .status`, 'FT', 3000, 'final whistle after confirming');
  assertClean(page, 'console'); // also: no window.confirm/alert opened
  await closePage(page);
  return 'kick-off primary and immediate; cancel danger; cancel and final confirmed in a <dialog>';
}

/** The incident form is a dialog: opening it leaves every card's size alone. */
async function incidentDialogKeepsTheGrid() {
  const s = await server();
  const id = await liveMatch(s, 6);
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  await waitForText(page, `${card(id)} .status`, 'Live', 3000, 'live match');
  const boxes = () => page.$$eval('#admin-matches [data-match-id]', (nodes) => nodes.map((n) => {
    const r = n.getBoundingClientRect();
    return `${n.dataset.matchId}:${Math.round(r.height)}`;
  }).join(' '));
  const before = await boxes();
  const open = page.locator(`${card(id)} .add-incident`);
  await open.focus();
  await page.keyboard.press('Enter');
  await page.locator('#incident-dialog[open]').waitFor({ timeout: 2000 })
    .catch(() => { throw new Error('"Add incident" did not open the incident dialog'); });
  const after = await boxes();
  if (before !== after) throw new Error(`card sizes changed when the form opened:\n  ${before}\n  ${after}`);
  const title = await page.locator('#incident-title').textContent();
  if (!/Villarreal v Atletico Madrid/.test(title)) throw new Error(`dialog title "${title}"`);
  await page.selectOption('#incident-kind', 'yellow_card');
  await page.selectOption('#incident-side', 'away');
  await page.fill('#incident-minute', '12');
  await page.click('#incident-submit');
  await page.locator('#incident-dialog').waitFor({ state: 'hidden', timeout: 2000 });
  await waitFor(page, () => /yellow card/.test(document.querySelector('#log').textContent) && /✓/.test(document.querySelector('#log').textContent),
    null, 'no acknowledged yellow card in the activity log');
  const match = await getJson(s, `/api/matches/${id}`);
  if (!match.incidents.some((i) => i.kind === 'yellow_card' && i.team === 'away' && i.minute === 12)) {
    throw new Error(`the server has no away yellow card at 12': ${JSON.stringify(match.incidents)}`);
  }
  // Esc closes the dialog and gives the focus back to the button that opened it.
  await open.focus();
  await page.keyboard.press('Enter');
  await page.locator('#incident-dialog[open]').waitFor({ timeout: 2000 });
  await page.keyboard.press('Escape');
  await page.locator('#incident-dialog').waitFor({ state: 'hidden', timeout: 2000 });
  const back = await page.evaluate(() => document.activeElement && document.activeElement.classList.contains('add-incident'));
  if (!back) throw new Error('focus did not return to "Add incident" after Esc');
  assertClean(page, 'console');
  await closePage(page);
  return 'card heights unchanged; incident added from the dialog; Esc returns focus';
}

/** The token lives in the page's memory only: not in storage, not in the URL; a reload asks again. */
async function tokenStaysInMemory() {
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  const kept = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
  if (kept.includes(ALICE)) throw new Error('the token is in storage or the URL');
  await page.reload();
  if (!(await page.locator('#token').isVisible())) throw new Error('no login form after a reload');
  assertClean(page, 'console');
  await closePage(page);
  return 'token not stored; reload asks for it again';
}

/** A server whose `ready` names no role (an older server) is taken as an admin's. */
async function roleShownAndAdminControls() {
  return withGeneratorServer(async (s) => {
    const page = await consoleAs(ALICE, { viewport: DESKTOP }, s);
    await waitForText(page, '#role', 'admin', 2000, 'role next to the name');
    await waitForText(page, '#whoami', 'alice', 2000, 'name');
    for (const selector of ['#create-panel', '#generator-panel']) {
      if (!(await page.locator(selector).isVisible())) throw new Error(`an admin does not see ${selector}`);
    }
    // Schedule a match from the form: the server has it, and a card for it appears.
    await page.selectOption('#create-league', 'epl');
    await page.selectOption('#create-home', 'MCI');
    await page.selectOption('#create-away', 'MUN');
    const later = new Date(Date.now() + 3 * 3600 * 1000);
    const local = new Date(later.getTime() - later.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    await page.fill('#create-kickoff', local);
    await page.click('#create-submit');
    await waitFor(page, () => /✓ schedule Manchester City v Manchester United/.test(document.querySelector('#log').textContent),
      null, 'no acknowledged "schedule" in the activity log');
    const created = (await getJson(s, '/api/snapshot')).matches
      .filter((m) => m.home === 'MCI' && m.away === 'MUN');
    if (!created.length) throw new Error('the server has no Manchester City v Manchester United match');
    await page.locator(card(created[created.length - 1].id)).waitFor({ timeout: 3000 })
      .catch(() => { throw new Error('no card for the new match'); });
    assertClean(page, 'console');
    await closePage(page);
    return 'role "admin" shown with generator and scheduling; match scheduled from the console';
  });
}

// NEEDS SERVER (desk-server): `ready` with role/can, and the `forbidden` refusal.
async function editorRoleLimitsTheConsole() {
  return withGeneratorServer(async (s) => {
    const page = await consoleAs(CAROL, { viewport: DESKTOP }, s);
    await waitForText(page, '#role', 'editor', 2000, 'role next to the name');
    for (const selector of ['#create-panel', '#generator-panel']) {
      if (await page.locator(selector).isVisible()) throw new Error(`an editor sees ${selector}`);
    }
    // A stale or tampered page still sends it: the refusal is shown plainly.
    await page.evaluate(() => { document.querySelector('#create-panel').hidden = false; });
    await page.fill('#create-kickoff', '2030-01-01T12:00');
    await page.click('#create-submit');
    await page.locator('#forbidden-notice').waitFor({ timeout: 3000 })
      .catch(() => { throw new Error('no forbidden notice after an editor sent match.create'); });
    const text = await page.locator('#forbidden-notice').textContent();
    if (!/admin/.test(text)) throw new Error(`the notice reads "${text}"`);
    assertClean(page, 'console');
    await closePage(page);
    return 'editor badge; generator and scheduling hidden; forbidden shown';
  });
}

// NEEDS SERVER (desk-server): incident.remove and the incident_removed event.
async function undoAddedIncident() {
  const s = await server();
  const id = await liveMatch(s, 1);
  const page = await consoleAs(CAROL, { viewport: DESKTOP });
  await page.locator(`${card(id)} .add-incident`).click();
  await page.selectOption('#incident-kind', 'goal');
  await page.selectOption('#incident-side', 'home');
  await page.click('#incident-submit');
  await waitForText(page, `${card(id)} .home-score`, '1', 3000, 'score after a goal');
  await page.locator('#toast-undo').click({ timeout: 3000 });
  await waitForText(page, `${card(id)} .home-score`, '0', 3000, 'score after undoing the goal');
  await waitFor(page, () => /^Undone: /.test(document.querySelector('#toast-text').textContent), null,
    'the toast does not report the undo as done');
  const match = await getJson(s, `/api/matches/${id}`);
  if (match.incidents.some((i) => i.kind === 'goal')) throw new Error('the goal is still on the server');
  assertClean(page, 'console');
  await closePage(page);
  return 'goal added and removed with incident.remove; score back to 0';
}

// NEEDS SERVER (desk-server): GET /api/admin/audit.
async function auditTrailFromTheServer() {
  const s = await server();
  const id = await liveMatch(s, 7);
  for (let n = 1; n <= 55; n += 1) await command(s, { type: 'score.set', match_id: id, home: n, away: 0 }, BOB);
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  await waitFor(page, () => document.querySelectorAll('#audit li').length === 50, null, 'the audit trail does not show 50 entries');
  const first = await page.locator('#audit li').first().textContent();
  if (!/bob: score 55-0/.test(first) || !/Real Madrid v Barcelona/.test(first)) {
    throw new Error(`newest audit entry reads "${first}"`);
  }
  await page.click('#audit-older');
  await waitFor(page, () => document.querySelectorAll('#audit li').length > 50, null, '"Older" added no entries');
  const seqs = await page.$$eval('#audit li', (nodes) => nodes.map((n) => Number(n.dataset.seq)));
  if (seqs.some((seq, i) => i && seq >= seqs[i - 1])) throw new Error('audit entries are not newest first without repeats');
  await page.reload();
  await adminLogin(page, ALICE);
  await waitFor(page, () => /bob: score 55-0/.test(document.querySelector('#audit li')?.textContent || ''), null,
    'the audit trail is gone after a reload');
  assertClean(page, 'console');
  await closePage(page);
  return `${seqs.length} entries after "Older"; still there after a reload`;
}

// NEEDS SERVER (desk-server): `breaking` on news and GET /api/admin/news/{id}/history.
async function breakingNewsAndHistory() {
  const s = await server();
  const page = await consoleAs(CAROL, { viewport: DESKTOP });
  const headline = `Breaking from the desk ${Date.now()}`;
  await page.fill('#news-headline', headline);
  await page.check('#news-breaking');
  await page.click('#news-publish');
  await waitFor(page, (h) => [...document.querySelectorAll('#admin-news [data-news-id]')]
    .some((n) => n.querySelector('.headline').textContent === h && !n.querySelector('.breaking-badge').hidden),
  headline, 'the published story has no Breaking mark');
  const item = page.locator('#admin-news [data-news-id]', { hasText: headline });
  await item.locator('.edit').click();
  await item.locator('.edit-headline').fill(`${headline} (updated)`);
  await item.locator('.edit-breaking').uncheck();
  await item.locator('button[type=submit]').click();
  await waitFor(page, (h) => [...document.querySelectorAll('#admin-news .headline')].some((n) => n.textContent === h),
    `${headline} (updated)`, 'the update is not shown');
  await item.locator('.edit').click();
  await waitFor(page, () => document.querySelectorAll('.news-history li').length === 2, null, 'the history does not list 2 versions');
  const history = await item.locator('.news-history').textContent();
  if (!/carol/.test(history) || !/breaking/.test(history)) throw new Error(`history reads "${history}"`);
  const news = await getJson(s, '/api/news');
  const stored = news.find((n) => n.headline === `${headline} (updated)`);
  if (!stored || stored.breaking) throw new Error(`server story: ${JSON.stringify(stored)}`);
  assertClean(page, 'console');
  await closePage(page);
  return 'breaking set on publish and cleared on update; history lists both versions';
}

/** The README's picture of the console: fixed viewport, dark header area and a live match. */
async function editorScreenshot() {
  const s = await server();
  await command(s, { type: 'match.status', match_id: 4, status: 'live', period: 2, minute: 58 });
  await command(s, { type: 'incident.add', match_id: 4, kind: 'goal', team: 'home', minute: 41 });
  const page = await consoleAs(ALICE, { viewport: { width: 1280, height: 800 } });
  await page.locator(`${card(4)} .home-plus`).click();
  await page.locator('#toast-undo').waitFor({ timeout: 3000 });
  await page.fill('#match-search', 'manchester');
  await page.screenshot({ path: SCREENSHOT });
  assertClean(page, 'console');
  await closePage(page);
  return path.relative(ROOT, SCREENSHOT);
}

export const tests = [
  ['editor: full team names, search and league filter (desktop)', () => namesAndSearch(DESKTOP)],
  ['editor: full team names, search and league filter (phone)', () => namesAndSearch(PHONE)],
  ['editor: kick-off is primary, cancel is danger, final and cancel are confirmed in a dialog', irreversibleChangesAskFirst],
  ['editor: "Add incident" opens a dialog and leaves the grid alone', incidentDialogKeepsTheGrid],
  ...deskTests,
  ['editor: the token is kept in memory only', tokenStaysInMemory],
  ['editor: role shown (admin without role in ready), match scheduled from the console', roleShownAndAdminControls],
  ['editor: [needs desk-server] an editor sees the role, no admin controls, and a forbidden refusal', editorRoleLimitsTheConsole],
  ['editor: [needs desk-server] undo of an added goal removes it', undoAddedIncident],
  ['editor: [needs desk-server] audit trail from the server, paged, survives a reload', auditTrailFromTheServer],
  ['editor: [needs desk-server] breaking flag and story history', breakingNewsAndHistory],
  ['editor: screenshot docs/screenshots/editor.png', editorScreenshot],
];
