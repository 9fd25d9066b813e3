// The console's team sheets: before kick-off, each side's squad with a choice per player
// (starting, bench, or out), filled with the sheet the match has, sent as one `lineup.set` per
// side that changed. The server checks the rest (11 starters with a goalkeeper, or 5 in
// basketball; a bench of at most 12, or 10) and its refusal shows in the toast.

import { el } from './render.js';

const $ = (selector) => document.querySelector(selector);
const CHOICES = [['', '—'], ['starting', 'Starting'], ['bench', 'Bench']];
const STARTERS = { football: 11, basketball: 5 };

/** Who is chosen where: `{starting: [numbers], bench: [numbers]}` from the form of one side. */
function chosen(list) {
  const sheet = { starting: [], bench: [] };
  for (const select of list.querySelectorAll('select')) {
    if (select.value) sheet[select.value].push(Number(select.dataset.number));
  }
  return sheet;
}

export class LineupDialog {
  /** `onSet(matchId, side, {starting, bench})` sends `lineup.set` for one side. */
  constructor(store, squadOf, onSet) {
    this.store = store;
    this.squadOf = squadOf;
    this.onSet = onSet;
    this.match = null;
    this.dialog = $('#lineup-dialog');
    $('#lineup-cancel').addEventListener('click', () => this.dialog.close());
    $('#lineup-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.dialog.addEventListener('change', () => this.count());
  }

  open(match) {
    this.match = match;
    const home = this.store.team(match.home);
    const away = this.store.team(match.away);
    $('#lineup-title').textContent = `Team sheets: ${home.name} v ${away.name}`;
    for (const [side, team] of [['home', home], ['away', away]]) {
      $(`#lineup-${side}-name`).textContent = team.name;
      const sheet = (match.lineups && match.lineups[side]) || { starting: [], bench: [] };
      const list = $(`#lineup-${side}`);
      list.replaceChildren(...this.squadOf(team.id).map((p) => {
        const li = el('li');
        const select = el('select', 'lineup-choice');
        select.dataset.number = String(p.number);
        select.setAttribute('aria-label', `${team.name}: ${p.number} ${p.name}`);
        select.append(...CHOICES.map(([value, text]) => {
          const o = el('option', null, text);
          o.value = value;
          return o;
        }));
        select.value = sheet.starting.includes(p.number) ? 'starting' : sheet.bench.includes(p.number) ? 'bench' : '';
        li.append(el('span', 'shirt', p.number), ' ', el('span', 'lineup-name', `${p.name} (${p.position})`), ' ', select);
        return li;
      }));
      list.dataset.before = JSON.stringify(chosen(list));
    }
    this.count();
    this.dialog.showModal();
    $('#lineup-home select').focus();
  }

  /** "9 of 11 starting, 3 on the bench" under each side. */
  count() {
    if (!this.match) return;
    const needed = STARTERS[this.match.sport] || 11;
    for (const side of ['home', 'away']) {
      const sheet = chosen($(`#lineup-${side}`));
      $(`#lineup-${side}-count`).textContent = `${sheet.starting.length} of ${needed} starting, ${sheet.bench.length} on the bench`;
    }
  }

  submit() {
    const match = this.match;
    this.dialog.close();
    for (const side of ['home', 'away']) {
      const list = $(`#lineup-${side}`);
      const sheet = chosen(list);
      if (JSON.stringify(sheet) === list.dataset.before || !sheet.starting.length) continue;
      this.onSet(match.id, side, {
        starting: sheet.starting.map((n) => `#${n}`),
        bench: sheet.bench.map((n) => `#${n}`),
      });
    }
  }
}
