// The console's stats form: a match's figures for both sides, filled with what the match shows
// now, sent whole as one `stats.set` (the server checks them: on target at most shots, possession
// adding up to 100). Football has shots, shots on target, possession, corners and fouls;
// basketball rebounds, assists and fouls for each quarter played (overtimes included).

import { periodName } from './match-facts.js';
import { el } from './render.js';

const $ = (selector) => document.querySelector(selector);

const FOOTBALL = [
  ['shots', 'Shots'], ['shots_on_target', 'On target'], ['possession', 'Possession %'],
  ['corners', 'Corners'], ['fouls', 'Fouls'],
];
const BASKETBALL = [['rebounds', 'Rebounds'], ['assists', 'Assists']];

/** The form's rows for `match`: `[[key, label, period?]]`, fouls per quarter for basketball. */
export function statFields(match) {
  if (match.sport !== 'basketball') return FOOTBALL.map(([key, label]) => [key, label, null]);
  const periods = Math.max(1, match.period || 1);
  const fouls = Array.from({ length: periods }, (_, i) => ['fouls_by_period', `Fouls ${periodName(i + 1)}`, i]);
  return [...BASKETBALL.map(([key, label]) => [key, label, null]), ...fouls];
}

/**
 * The stats dialog. `open(match)` fills it; on submit `onSave(matchId, {home, away})` sends
 * `stats.set` and the dialog closes (the reply shows in the toast and the log).
 */
export class StatsDialog {
  constructor(store, onSave) {
    this.store = store;
    this.onSave = onSave;
    this.matchId = null;
    this.fields = [];
    this.dialog = $('#stats-dialog');
    $('#stats-cancel').addEventListener('click', () => this.dialog.close());
    $('#stats-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  open(match) {
    this.matchId = match.id;
    const home = this.store.team(match.home).name;
    const away = this.store.team(match.away).name;
    $('#stats-title').textContent = `Stats: ${home} v ${away}`;
    $('#stats-match').textContent = `${this.store.league(match.league).name} · match ${match.id}`;
    $('#stats-home-name').textContent = home;
    $('#stats-away-name').textContent = away;
    this.fields = statFields(match);
    const now = match.stats || { home: {}, away: {} };
    const input = (side, key, period, label) => {
      const box = el('input', `stat-input stat-${side}`);
      box.type = 'number';
      box.min = '0';
      box.max = key === 'possession' ? '100' : '200';
      box.required = true;
      box.name = `${side}.${key}${period === null ? '' : `.${period}`}`;
      box.setAttribute('aria-label', `${side === 'home' ? home : away} ${label}`);
      const shown = period === null ? now[side][key] : (now[side][key] || [])[period];
      box.value = String(shown ?? (key === 'possession' ? 50 : 0));
      const td = el('td');
      td.append(box);
      return td;
    };
    $('#stats-fields').replaceChildren(...this.fields.map(([key, label, period]) => {
      const tr = el('tr');
      const th = el('th', null, label);
      th.scope = 'row';
      tr.append(th, input('home', key, period, label), input('away', key, period, label));
      return tr;
    }));
    this.dialog.showModal();
    this.dialog.querySelector('input').focus();
  }

  submit() {
    const figures = { home: {}, away: {} };
    for (const box of this.dialog.querySelectorAll('input.stat-input')) {
      const [side, key, period] = box.name.split('.');
      const value = Number(box.value);
      if (period === undefined) figures[side][key] = value;
      else (figures[side][key] ||= [])[Number(period)] = value;
    }
    this.dialog.close();
    this.onSave(this.matchId, figures);
  }
}
