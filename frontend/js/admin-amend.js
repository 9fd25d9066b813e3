// Naming the scorer of a goal recorded in a hurry: a card whose latest goal has no scorer says
// so, with "Name scorer…", which opens a small dialog (the side's squad, focused, so the shirt
// number then Enter does it) and sends `incident.amend`. The score does not move; the timeline
// and the scorers' lists read right.

import { footballMinute } from './format.js';
import { el } from './render.js';

const $ = (selector) => document.querySelector(selector);
const SCORED = new Set(['goal', 'penalty_goal']);

function option(value, text) {
  const o = el('option', null, text);
  o.value = value;
  return o;
}

/** The latest goal of `match` that names nobody (football only), or null. */
export function unnamedGoal(match) {
  if (match.sport !== 'football') return null;
  const goals = (match.incidents || []).filter((i) => SCORED.has(i.kind));
  const last = goals[goals.length - 1];
  return last && !last.player ? last : null;
}

export class AmendDialog {
  /** `onAmend(matchId, incident, fields)` sends the command. */
  constructor(store, squadOf, onAmend) {
    this.store = store;
    this.squadOf = squadOf;
    this.onAmend = onAmend;
    this.target = null;
    this.dialog = $('#amend-dialog');
    this.player = $('#amend-player');
    this.minute = $('#amend-minute');
    $('#amend-cancel').addEventListener('click', () => this.dialog.close());
    $('#amend-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.player.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      this.submit();
    });
  }

  open(match, incident) {
    this.target = { matchId: match.id, incident };
    const team = this.store.team(incident.team === 'away' ? match.away : match.home);
    $('#amend-title').textContent = `Name the scorer: ${team.name}, ${footballMinute(incident.period, incident.minute)}`;
    this.player.replaceChildren(...this.squadOf(team.id)
      .map((p) => option(p.name, `${p.number} ${p.name} (${p.position})`)));
    this.minute.value = String(incident.minute);
    this.dialog.showModal();
    this.player.focus();
  }

  submit() {
    if (!this.target || !this.player.value) return;
    const { matchId, incident } = this.target;
    const fields = { player: this.player.value };
    const minute = Number(this.minute.value);
    if (this.minute.value !== '' && minute !== incident.minute) fields.minute = minute;
    this.dialog.close();
    this.onAmend(matchId, incident, fields);
  }
}

/** Mark each card whose latest goal names nobody, with its "Name scorer…" button. */
export function showUnnamed(board, store, open) {
  for (const card of board.querySelectorAll('[data-match-id]')) {
    const match = store.matches.get(Number(card.dataset.matchId));
    const goal = match ? unnamedGoal(match) : null;
    let line = card.querySelector(':scope > .unnamed-goal');
    if (!goal) {
      if (line) line.remove();
      continue;
    }
    if (!line) {
      line = el('p', 'unnamed-goal');
      card.append(line);
    }
    if (line.dataset.incidentId === String(goal.id)) continue;
    line.dataset.incidentId = String(goal.id);
    const team = store.team(goal.team === 'away' ? match.away : match.home);
    const button = el('button', 'name-scorer', 'Name scorer…');
    button.type = 'button';
    button.setAttribute('aria-haspopup', 'dialog');
    button.addEventListener('click', () => {
      const current = store.matches.get(match.id);
      const still = current ? unnamedGoal(current) : null;
      if (still) open(current, still);
    });
    line.replaceChildren(`${team.short_name || team.name} goal ${footballMinute(goal.period, goal.minute)}: scorer not named `, button);
  }
}
