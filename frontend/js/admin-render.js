// The admin console's match cards: full team names, score buttons, the allowed status changes
// (irreversible ones asked for again first), a button opening the incident dialog, conflict
// notices; and the search that narrows the cards down by team, league and status. Cards are
// built once per id and updated in place, so focus survives live updates.

import { clockText, inPlay, kickoffTime, statusLabel } from './format.js';
import { incidentDelta } from './incidents.js';
import { el, placeInOrder, teamBadge } from './render.js';

/** Status changes the server allows from each status (live → live, a clock update, is left out). */
const TRANSITIONS = {
  scheduled: ['live', 'postponed', 'cancelled'],
  live: ['halftime', 'break', 'final', 'cancelled'],
  halftime: ['live'],
  break: ['live'],
  postponed: ['scheduled', 'cancelled'],
  final: [],
  cancelled: [],
};

const ACTION_LABELS = {
  live: { scheduled: 'Kick off', halftime: 'Resume', break: 'Resume' },
  halftime: 'Half-time',
  break: 'Quarter break',
  final: 'Final whistle',
  postponed: 'Postpone',
  cancelled: 'Cancel match',
  scheduled: 'Reschedule',
};

/** Changes that cannot be taken back (the server allows nothing after them): asked for again. */
const IRREVERSIBLE = {
  final: { title: 'Blow the final whistle?', confirmText: 'Final whistle',
    text: 'The result will stand: no further score, incident or status change is possible.' },
  cancelled: { title: 'Cancel this match?', confirmText: 'Cancel match',
    text: 'A cancelled match cannot be played or rescheduled.' },
};

/** Button style by what the change does: starting play is the main action, ending it for good is dangerous. */
function actionStyle(from, to) {
  if (to === 'cancelled') return 'danger';
  if (to === 'final') return 'danger-outline';
  if (to === 'live') return 'primary';
  return '';
}

/** Lower-case words a search matches against: full and short team names, codes, league. */
function searchText(store, match) {
  const parts = [];
  for (const id of [match.home, match.away]) {
    const team = store.team(id);
    parts.push(team.name, team.short_name, team.id, team.city || '');
  }
  const league = store.league(match.league);
  parts.push(league.name, league.id, league.country || '');
  return parts.join(' ').toLowerCase();
}

const STATUS_GROUPS = {
  inplay: (s) => inPlay(s),
  scheduled: (s) => s === 'scheduled',
  done: (s) => s === 'final' || s === 'cancelled' || s === 'postponed',
};

/** `{text, league, status}` → whether the match is shown; every word of `text` must match. */
export function matchFits(store, match, filter) {
  if (filter.league && match.league !== filter.league) return false;
  if (filter.status && !STATUS_GROUPS[filter.status](match.status)) return false;
  const words = (filter.text || '').toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const haystack = searchText(store, match);
  return words.every((w) => haystack.includes(w));
}

function allowedTransitions(match) {
  return (TRANSITIONS[match.status] || [])
    .filter((to) => !(to === 'break' && match.sport !== 'basketball'));
}

function actionLabel(from, to) {
  const label = ACTION_LABELS[to];
  return typeof label === 'string' ? label : (label && label[from]) || to;
}

/** A plain button (never a form submit) that runs `onClick`. */
export function button(className, text, onClick, ariaLabel) {
  const b = el('button', className, text);
  b.type = 'button';
  if (ariaLabel) b.setAttribute('aria-label', ariaLabel);
  b.addEventListener('click', onClick);
  return b;
}

/** The notice of a refused `expected_version`, with Retry and Dismiss. */
export function conflictBox(conflict, actions, key) {
  const box = el('div', 'conflict');
  box.setAttribute('role', 'alert');
  box.append(el('p', null, conflict.text),
    button('retry', 'Retry with the new version', () => actions.retry(key)),
    button('dismiss', 'Dismiss', () => actions.dismiss(key)));
  return box;
}

export class AdminMatches {
  constructor(container, store, actions) {
    this.container = container;
    this.store = store;
    this.actions = actions;
    this.cards = new Map();
    this.filter = { text: '', league: '', status: '' };
    this.shown = 0;
  }

  /** Live matches first (the desk's work), then those to come, then the finished ones; by
   *  league and kick-off within each. */
  render() {
    const nodes = [];
    this.shown = 0;
    const stage = (m) => (inPlay(m.status) ? 0 : ['final', 'cancelled'].includes(m.status) ? 2 : 1);
    const ordered = [...this.store.matchesByLeague().values()].flat()
      .map((match, i) => ({ match, i }))
      .sort((a, b) => stage(a.match) - stage(b.match) || a.i - b.i)
      .map(({ match }) => match);
    for (const match of ordered) {
      const root = this.update(match);
      root.hidden = !matchFits(this.store, match, this.filter);
      if (!root.hidden) this.shown += 1;
      nodes.push(root);
    }
    for (const [id, card] of this.cards) {
      if (!this.store.matches.has(id)) {
        card.root.remove();
        this.cards.delete(id);
      }
    }
    // A card that moves (a kick-off takes it to the top) keeps the editor's focus.
    const focused = document.activeElement;
    placeInOrder(this.container, nodes);
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
  }

  update(match) {
    let card = this.cards.get(match.id);
    const identity = `${match.home}|${match.away}|${match.sport}`;
    if (card && card.identity !== identity) {
      // A restarted server may reuse the id for another fixture: start the card afresh.
      card.root.remove();
      card = null;
    }
    if (!card) {
      card = this.build(match);
      card.identity = identity;
      this.cards.set(match.id, card);
    }
    const key = `match:${match.id}`;
    const conflict = this.actions.conflictFor(key);
    const signature = [match.version, match.status, match.period, match.minute, match.score.home,
      match.score.away, conflict ? conflict.text : '', this.actions.squadOf(match.home).length].join('|');
    if (card.signature === signature) return card.root;
    card.signature = signature;
    const home = this.store.team(match.home);
    const away = this.store.team(match.away);
    const league = this.store.league(match.league);
    card.root.dataset.status = match.status;
    card.league.textContent = `${league.name} · ${kickoffTime(match.kickoff)}`;
    card.status.dataset.status = match.status;
    card.status.textContent = statusLabel(match.status);
    card.clock.textContent = match.status === 'live' ? clockText(match) : '';
    card.version.textContent = `v${match.version}`;
    const playing = inPlay(match.status);
    for (const [side, team] of [['home', home], ['away', away]]) {
      const row = card[side];
      row.name.textContent = team.name;
      row.name.title = team.name;
      row.score.textContent = String(match.score[side]);
      row.minus.disabled = !playing || match.score[side] === 0;
      row.plus.disabled = !playing;
      const scored = match.sport === 'basketball' ? 'basket' : 'goal';
      row.minus.setAttribute('aria-label', `take back ${team.name}'s last ${scored}`);
      row.plus.setAttribute('aria-label', `${scored} for ${team.name}`);
    }
    const statusKey = `${match.status}/${match.sport}`;
    if (card.statusKey !== statusKey) {
      card.statusKey = statusKey;
      const transitions = allowedTransitions(match);
      card.actions.replaceChildren(...transitions.map((to) => button(
        `status-action status-${to} ${actionStyle(match.status, to)}`.trim(),
        actionLabel(match.status, to), () => this.changeStatus(match.id, to))));
      if (!transitions.length) card.actions.append(el('span', 'subtle', 'No further changes: the result stands.'));
    }
    card.incident.hidden = !playing;
    card.stats.hidden = !(playing || match.status === 'final');
    // Sheets are set before kick-off.
    card.lineup.hidden = !['scheduled', 'postponed'].includes(match.status);
    card.conflict.replaceChildren(...(conflict ? [conflictBox(conflict, this.actions, key)] : []));
    return card.root;
  }

  build(match) {
    const root = el('article', 'card admin-match');
    root.dataset.matchId = String(match.id);
    const head = el('header', 'admin-match-head');
    const league = el('span', 'admin-league');
    const status = el('span', 'status');
    const clock = el('span', 'clock');
    const version = el('span', 'version');
    version.title = 'Version: score commands are checked against it';
    head.append(status, clock, league, version);

    const rows = {};
    const board = el('div', 'admin-board');
    for (const side of ['home', 'away']) {
      const line = el('div', `admin-team ${side}`);
      const name = el('span', 'team-name');
      const score = el('span', `score ${side}-score`);
      const minus = button(`step ${side}-minus`, '−', () => this.step(match.id, side, -1));
      const plus = button(`step ${side}-plus`, '+', () => this.step(match.id, side, +1));
      line.append(teamBadge(this.store.team(match[side])), name, minus, score, plus);
      board.append(line);
      rows[side] = { name, score, minus, plus };
    }

    const actions = el('div', 'status-actions');
    actions.setAttribute('aria-label', 'Change status');
    const incident = button('add-incident', 'Add incident…', () => {
      const current = this.store.matches.get(match.id);
      if (current) this.actions.openIncident(current);
    });
    incident.setAttribute('aria-haspopup', 'dialog');
    const stats = button('edit-stats', 'Stats…', () => {
      const current = this.store.matches.get(match.id);
      if (current) this.actions.openStats(current);
    });
    stats.setAttribute('aria-haspopup', 'dialog');
    const lineup = button('edit-lineup', 'Team sheets…', () => {
      const current = this.store.matches.get(match.id);
      if (current) this.actions.openLineup(current);
    });
    lineup.setAttribute('aria-haspopup', 'dialog');
    const tools = el('div', 'match-tools');
    tools.append(incident, stats, lineup);
    const conflict = el('div', 'conflict-area');
    root.append(head, board, actions, tools, conflict);
    return {
      root, league, status, clock, version, actions, conflict, incident, stats, lineup,
      home: rows.home, away: rows.away, statusKey: null,
    };
  }

  /** Final whistle and cancellation are asked for again (in-page dialog); the rest go at once. */
  async changeStatus(matchId, to) {
    const ask = IRREVERSIBLE[to];
    if (ask) {
      const match = this.store.matches.get(matchId);
      const what = match ? `${this.store.team(match.home).name} v ${this.store.team(match.away).name}` : `match ${matchId}`;
      const score = match ? ` (now ${match.score.home}-${match.score.away})` : '';
      const sure = await this.actions.confirm({ ...ask, text: `${what}${score}. ${ask.text}` });
      if (!sure) return;
    }
    this.actions.setStatus(matchId, to);
  }

  /**
   * The score follows the timeline, so "+" records a goal (a basket of 2 in basketball) for the
   * side, and "−" takes back that side's latest scoring incident; only a score with no such
   * incident behind it (set before, by a correction) is corrected with score.set.
   */
  step(matchId, side, delta) {
    const match = this.store.matches.get(matchId);
    if (!match) return;
    if (delta > 0) {
      const fields = match.sport === 'basketball'
        ? { kind: 'points', team: side, points: 2 } : { kind: 'goal', team: side };
      this.actions.recordGoal(matchId, fields);
      return;
    }
    const latest = [...(match.incidents || [])].reverse()
      .find((incident) => incident.kind !== 'correction' && incidentDelta(incident)[side] > 0);
    if (latest) {
      this.actions.removeIncident(matchId, latest);
      return;
    }
    const score = { ...match.score };
    score[side] = Math.max(0, score[side] - 1);
    this.actions.setScore(matchId, score.home, score.away);
  }
}

/** "EPL, injury ,," → ["epl", "injury"] */
export function splitTags(text) {
  return text.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}
