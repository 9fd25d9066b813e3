// The console's two in-page dialogs (native <dialog>, so focus is trapped and given back and Esc
// closes them): the confirmation asked before an irreversible change, and the form for adding an
// incident, shared by every match card so that opening it never changes a card's size. For a team
// with a lineup the player lists follow it: a substitution offers the players on the pitch to take
// off and those who may come on, any other incident the players on the pitch.

import { INCIDENT_KINDS, INCIDENT_LABELS } from './incidents.js';
import { whoIsOn } from './match-lineups.js';
import { el } from './render.js';

const $ = (selector) => document.querySelector(selector);

function option(value, text) {
  const o = el('option', null, text);
  o.value = value;
  return o;
}

/**
 * Ask before an irreversible change; resolves true only when the person chose `confirmText`.
 * Esc, "Keep as is" or closing in any other way resolves false. The safe choice has the focus.
 */
export function confirmAction({ title, text, confirmText }) {
  const dialog = $('#confirm-dialog');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = confirmText;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    $('#confirm-cancel').focus();
  });
}

/**
 * The incident form. `open(match)` fills it for one match; on submit `onAdd(matchId, fields)`
 * sends the command and the dialog closes (the reply shows in the toast and the log).
 */
export class IncidentDialog {
  constructor(store, squadOf, onAdd) {
    this.store = store;
    this.squadOf = squadOf;
    this.onAdd = onAdd;
    this.matchId = null;
    this.dialog = $('#incident-dialog');
    this.kind = $('#incident-kind');
    this.side = $('#incident-side');
    this.player = $('#incident-player');
    this.playerOut = $('#incident-player-out');
    this.minute = $('#incident-minute');
    this.points = $('#incident-points');
    this.side.addEventListener('change', () => this.fillPlayers());
    this.kind.addEventListener('change', () => {
      this.showPoints();
      this.fillPlayers();
    });
    $('#incident-cancel').addEventListener('click', () => this.dialog.close());
    $('#incident-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    // A select takes Enter as nothing by itself: here it records the incident, so a goal with
    // its scorer is g, h (or a), the shirt number, Enter.
    this.player.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      this.submit();
    });
  }

  /**
   * Open the form for `match`; with `preset` ({kind, side}) those are chosen already and the
   * player list has the focus, where typing a shirt number picks the player.
   */
  open(match, preset = null) {
    this.matchId = match.id;
    const home = this.store.team(match.home).name;
    const away = this.store.team(match.away).name;
    $('#incident-title').textContent = `Add incident: ${home} v ${away}`;
    $('#incident-match').textContent = `${this.store.league(match.league).name} · match ${match.id}`;
    this.kind.replaceChildren(...(INCIDENT_KINDS[match.sport] || [])
      .map((k) => option(k, INCIDENT_LABELS[k])));
    this.side.replaceChildren(option('home', `${home} (home)`), option('away', `${away} (away)`));
    this.minute.value = '';
    if (preset) {
      this.kind.value = preset.kind;
      this.side.value = preset.side;
    }
    this.fillPlayers();
    this.showPoints();
    this.dialog.showModal();
    (preset ? this.player : this.kind).focus();
  }

  fillPlayers() {
    const match = this.store.matches.get(this.matchId);
    if (!match) return;
    const squad = this.squadOf(match[this.side.value]);
    const sheet = whoIsOn(match, this.side.value, squad);
    const sub = this.kind.value === 'substitution';
    const choices = (players) => players.map((p) => option(p.name, `${p.number} ${p.name} (${p.position})`));
    let coming = squad;
    if (sheet) coming = sub ? sheet.available : sheet.on;
    this.player.replaceChildren(option('', '— no player —'), ...choices(coming));
    this.playerOut.replaceChildren(option('', '— no player —'), ...choices(sheet ? sheet.on : squad));
    $('#incident-player-label').textContent = sub ? 'Player on' : 'Player';
  }

  showPoints() {
    $('#incident-points-field').hidden = this.kind.value !== 'points';
    $('#incident-player-out-field').hidden = this.kind.value !== 'substitution';
  }

  submit() {
    const fields = { kind: this.kind.value, team: this.side.value };
    if (this.player.value) fields.player = this.player.value;
    if (this.kind.value === 'substitution' && this.playerOut.value) fields.player_out = this.playerOut.value;
    if (this.minute.value !== '') fields.minute = Number(this.minute.value);
    if (this.kind.value === 'points') fields.points = Number(this.points.value);
    this.dialog.close();
    this.onAdd(this.matchId, fields);
  }
}
