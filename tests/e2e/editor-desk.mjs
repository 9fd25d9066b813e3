// Browser tests of the desk at work on a goal (issue 18): "+" records a goal and "−" takes one
// back, a goal with its scorer from the keyboard, naming a quick goal's scorer afterwards
// (incident.amend), matches in play first, and per-match presence ("bob is editing").

import {
  ALICE, BOB, assertClean, closePage, command, getJson, waitForText,
} from './harness.mjs';
import { DESKTOP, card, consoleAs, liveMatch, server, waitFor } from './editor-common.mjs';

/**
 * The score follows the timeline: "+" records a goal (which Undo takes back), "−" takes back the
 * side's latest goal, and neither leaves the score apart from the incidents behind it.
 */
async function plusRecordsAGoal() {
  const s = await server();
  const id = await liveMatch(s, 5);
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  const goals = async () => (await getJson(s, `/api/matches/${id}`)).incidents
    .filter((i) => i.kind === 'goal').map((i) => i.team);
  await page.locator(`${card(id)} .home-plus:not([disabled])`).click({ timeout: 3000 });
  await waitForText(page, `${card(id)} .home-score`, '1', 3000, 'score after +');
  if ((await goals()).join() !== 'home') throw new Error(`"+" did not record a goal: ${await goals()}`);
  const undo = page.locator('#toast-undo');
  await undo.waitFor({ timeout: 3000 }).catch(() => { throw new Error('no Undo in the toast after a goal'); });
  const offered = await page.locator('#toast-text').textContent();
  if (!/Sevilla v Real Sociedad/.test(offered)) throw new Error(`toast reads "${offered}"`);
  await undo.click();
  await waitForText(page, `${card(id)} .home-score`, '0', 3000, 'score after Undo');
  await waitFor(page, () => /^Undone: /.test(document.querySelector('#toast-text').textContent), null,
    'the toast does not report the undo as done');
  if ((await goals()).length) throw new Error(`the undone goal is still there: ${await goals()}`);

  // "−" takes back the latest goal of that side, from the keyboard too.
  await page.locator(`${card(id)} .away-plus:not([disabled])`).click({ timeout: 3000 });
  await waitForText(page, `${card(id)} .away-score`, '1', 3000, 'score after away +');
  await page.locator(`${card(id)} .away-minus:not([disabled])`).focus();
  await page.keyboard.press('Enter');
  await waitForText(page, `${card(id)} .away-score`, '0', 3000, 'score after away −');
  const match = await getJson(s, `/api/matches/${id}`);
  if (match.incidents.some((i) => i.kind === 'goal' || i.kind === 'correction')) {
    throw new Error(`"−" left ${JSON.stringify(match.incidents)}`);
  }
  assertClean(page, 'console');
  await closePage(page);
  return '"+" records a goal and its Undo removes it; "−" takes back the latest goal; no corrections';
}

/** A goal with its scorer from the keyboard: g, h, the shirt number, Enter. */
async function goalFromTheKeyboard() {
  const s = await server();
  const id = await liveMatch(s, 6);
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  const match = await getJson(s, `/api/matches/${id}`);
  const teams = await getJson(s, '/api/teams');
  const squad = teams.find((t) => t.id === match.home).squad;
  // A one-digit shirt number no other number starts with: one keystroke picks the player.
  const scorer = squad.find((p) => p.number < 10
    && !squad.some((q) => q !== p && String(q.number).startsWith(String(p.number))));
  if (!scorer) throw new Error('no single-keystroke shirt number in the squad');
  await page.locator(`${card(id)} .add-incident`).focus();
  const keys = ['g', 'h', String(scorer.number), 'Enter'];
  for (const key of keys) await page.keyboard.press(key);
  await waitForText(page, `${card(id)} .home-score`, '1', 3000, 'score after the keyboard goal');
  const goals = (await getJson(s, `/api/matches/${id}`)).incidents.filter((i) => i.kind === 'goal');
  if (goals.length !== 1 || goals[0].player !== scorer.name || goals[0].team !== 'home') {
    throw new Error(`recorded ${JSON.stringify(goals)}`);
  }
  assertClean(page, 'console');
  await closePage(page);
  return `${keys.length} keystrokes (${keys.join(' ')}): goal for ${scorer.name}`;
}

/** Matches in play come first in the console, whatever their league or kick-off. */
async function liveMatchesFirst() {
  const s = await server();
  await liveMatch(s, 12);
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  const stages = await page.$$eval('#admin-matches [data-match-id]:not([hidden])',
    (cards) => cards.map((c) => [Number(c.dataset.matchId), c.dataset.status]));
  const live = (status) => ['live', 'halftime', 'break'].includes(status);
  const firstOther = stages.findIndex(([, status]) => !live(status));
  const lateLive = stages.slice(firstOther).filter(([, status]) => live(status));
  if (!live(stages[0][1]) || lateLive.length) throw new Error(`order: ${JSON.stringify(stages)}`);
  if (!stages.slice(0, firstOther).some(([id]) => id === 12)) throw new Error(`match 12 is not among the first: ${JSON.stringify(stages)}`);
  assertClean(page, 'console');
  await closePage(page);
  return `${firstOther} matches in play first, then ${stages.length - firstOther} others`;
}

/** A goal from "+" names nobody; "Name scorer…", the shirt number and Enter name the scorer. */
async function quickGoalGetsItsScorer() {
  const s = await server();
  const id = await liveMatch(s, 2);
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  await page.locator(`${card(id)} .home-plus:not([disabled])`).click({ timeout: 3000 });
  await waitForText(page, `${card(id)} .home-score`, '1', 3000, 'score after +');
  const name = page.locator(`${card(id)} .unnamed-goal .name-scorer`);
  await name.waitFor({ timeout: 3000 }).catch(() => { throw new Error('no "Name scorer…" after a quick goal'); });
  const match = await getJson(s, `/api/matches/${id}`);
  const squad = (await getJson(s, '/api/teams')).find((t) => t.id === match.home).squad;
  const scorer = squad.find((p) => p.number < 10
    && !squad.some((q) => q !== p && String(q.number).startsWith(String(p.number))));
  await name.click();
  await page.keyboard.press(String(scorer.number));
  await page.keyboard.press('Enter');
  await waitFor(page, (sel) => !document.querySelector(sel), `${card(id)} .unnamed-goal`,
    'the card still says the scorer is not named');
  const after = await getJson(s, `/api/matches/${id}`);
  const goal = after.incidents.find((i) => i.kind === 'goal');
  if (!goal || goal.player !== scorer.name) throw new Error(`goal reads ${JSON.stringify(goal)}`);
  if (after.score.home !== 1 || after.score.away !== 0) throw new Error(`score moved: ${JSON.stringify(after.score)}`);
  assertClean(page, 'console');
  await closePage(page);
  return `"+" then "Name scorer…", ${scorer.number}, Enter: ${scorer.name}, score still 1-0`;
}

/** Team sheets from the console: a new fixture's home XI and bench, chosen per player. */
async function teamSheetFromTheConsole() {
  const s = await server();
  const kickoff = new Date(Date.now() + 26 * 3600 * 1000).toISOString();
  const { match_id: id } = await command(s, { type: 'match.create', league: 'epl', home: 'ARS', away: 'CHE', kickoff });
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  await page.locator(`${card(id)} .edit-lineup`).click({ timeout: 5000 });
  const starting = [1, 2, 5, 12, 24, 10, 17, 25, 28, 14, 30];
  const bench = [22, 47];
  for (const n of starting) await page.selectOption(`#lineup-home select[data-number="${n}"]`, 'starting');
  for (const n of bench) await page.selectOption(`#lineup-home select[data-number="${n}"]`, 'bench');
  await waitForText(page, '#lineup-home-count', '11 of 11 starting, 2 on the bench', 2000, 'the count');
  await page.click('#lineup-submit');
  // The server's copy, polled until the command has landed (5 s at most).
  let sheet = null;
  for (let i = 0; i < 50 && !sheet; i += 1) {
    sheet = (await getJson(s, `/api/matches/${id}`)).lineups?.home || null;
    if (!sheet) await new Promise((r) => setTimeout(r, 100));
  }
  if (!sheet || JSON.stringify([...sheet.starting].sort((a, b) => a - b)) !== JSON.stringify([...starting].sort((a, b) => a - b))) {
    throw new Error(`home sheet: ${JSON.stringify(sheet)}`);
  }
  // Opened again, the dialog shows the sheet the match has.
  await page.locator(`${card(id)} .edit-lineup`).click();
  const shown = await page.$eval('#lineup-home select[data-number="14"]', (sel) => sel.value);
  if (shown !== 'starting') throw new Error(`#14 shows "${shown}" when the dialog opens again`);
  await page.click('#lineup-cancel');
  assertClean(page, 'console');
  await closePage(page);
  return `match ${id}: 11 starting and 2 on the bench chosen in the dialog, kept by the server`;
}

/** A refused story stays in the form to be fixed; the refusal's text is isolated (bidi). */
async function refusedStoryStaysInTheForm() {
  const page = await consoleAs(ALICE, { viewport: DESKTOP });
  const headline = 'שלום \u202eabc';
  await page.fill('#news-headline', headline);
  await page.fill('#news-body', 'Kept for a second try.');
  await page.click('#news-publish');
  await page.waitForFunction(() => document.querySelector('#toast').dataset.kind === 'error'
    && /bidirectional override/.test(document.querySelector('#toast-text').textContent), null, { timeout: 5000 })
    .catch(() => { throw new Error('no refusal in the toast'); });
  const text = await page.locator('#toast-text').textContent();
  if (!text.includes('\u2068') || !text.includes('\u2069')) throw new Error(`the refusal is not isolated: ${JSON.stringify(text)}`);
  const kept = [await page.inputValue('#news-headline'), await page.inputValue('#news-body')];
  if (kept[0] !== headline || kept[1] !== 'Kept for a second try.') throw new Error(`the form was cleared: ${JSON.stringify(kept)}`);
  // Fixed and sent again, it goes out and the form clears.
  await page.fill('#news-headline', 'שלום abc');
  await page.click('#news-publish');
  await page.waitForFunction(() => document.querySelector('#news-headline').value === '', null, { timeout: 5000 })
    .catch(() => { throw new Error('the form was not cleared after the story went out'); });
  assertClean(page, 'console');
  await closePage(page);
  return 'refused: form kept, message isolated (FSI…PDI); fixed: published and cleared';
}

/** Per-match presence: bob's focus in a card shows "bob is editing" on alice's copy of it. */
async function othersSeeWhoIsEditing() {
  const alice = await consoleAs(ALICE, { viewport: DESKTOP });
  const bob = await consoleAs(BOB, { viewport: DESKTOP });
  await bob.locator(`${card(10)} .status-actions button`).first().focus();
  await waitForText(alice, `${card(10)} .editing-by`, 'bob is editing', 5000, "alice's card 10");
  if (await bob.locator(`${card(10)} .editing-by`).count()) throw new Error('bob is told he is editing');
  // Focus on another card moves him; focus out of the cards ends it.
  await bob.locator(`${card(11)} .status-actions button`).first().focus();
  await waitForText(alice, `${card(11)} .editing-by`, 'bob is editing', 5000, "alice's card 11");
  if (await alice.locator(`${card(10)} .editing-by`).count()) throw new Error('card 10 still says bob');
  await bob.locator('#logout').focus();
  await alice.waitForFunction(() => !document.querySelector('.editing-by'), null, { timeout: 5000 })
    .catch(() => { throw new Error('"bob is editing" stayed after he left the cards'); });
  assertClean(alice, 'alice');
  assertClean(bob, 'bob');
  await closePage(bob);
  await closePage(alice);
  return '"bob is editing" follows his focus from card to card and goes when he leaves them';
}

export const tests = [
  ['editor: "+" records a goal (undoable), "−" takes back the latest one', plusRecordsAGoal],
  ['editor: a goal with its scorer in 4 keystrokes (g, h, shirt number, Enter)', goalFromTheKeyboard],
  ['editor: matches in play come first', liveMatchesFirst],
  ['editor: a quick "+" goal gets its scorer named afterwards (incident.amend)', quickGoalGetsItsScorer],
  ['editor: team sheets chosen per player before kick-off', teamSheetFromTheConsole],
  ['editor: a refused story stays in the form; the refusal is bidi-isolated', refusedStoryStaysInTheForm],
  ['editor: per-match presence: "bob is editing" on the card he is at work on', othersSeeWhoIsEditing],
];
