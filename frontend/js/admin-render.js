// The admin console's DOM: one control card per match (score buttons, allowed status changes,
// an incident form, conflict notices) and the editable news list. Built once per id and updated
// in place, so a half-filled form survives live updates.

import { clockText, INCIDENT_KINDS, INCIDENT_LABELS, inPlay, kickoffTime, statusLabel } from './format.js';
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

function allowedTransitions(match) {
  return (TRANSITIONS[match.status] || [])
    .filter((to) => !(to === 'break' && match.sport !== 'basketball'));
}

function actionLabel(from, to) {
  const label = ACTION_LABELS[to];
  return typeof label === 'string' ? label : (label && label[from]) || to;
}

function button(className, text, onClick, ariaLabel) {
  const b = el('button', className, text);
  b.type = 'button';
  if (ariaLabel) b.setAttribute('aria-label', ariaLabel);
  b.addEventListener('click', onClick);
  return b;
}

function option(value, text) {
  const o = el('option', null, text);
  o.value = value;
  return o;
}

function conflictBox(conflict, actions, key) {
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
  }

  render() {
    const nodes = [];
    for (const matches of this.store.matchesByLeague().values()) {
      for (const match of matches) nodes.push(this.update(match));
    }
    for (const [id, card] of this.cards) {
      if (!this.store.matches.has(id)) {
        card.root.remove();
        this.cards.delete(id);
      }
    }
    placeInOrder(this.container, nodes);
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
      row.score.textContent = String(match.score[side]);
      row.minus.disabled = !playing || match.score[side] === 0;
      row.plus.disabled = !playing;
      row.minus.setAttribute('aria-label', `${team.name} score minus one`);
      row.plus.setAttribute('aria-label', `${team.name} score plus one`);
    }
    const statusKey = `${match.status}/${match.sport}`;
    if (card.statusKey !== statusKey) {
      card.statusKey = statusKey;
      const transitions = allowedTransitions(match);
      card.actions.replaceChildren(...transitions.map((to) => button(`status-action status-${to}`,
        actionLabel(match.status, to), () => this.actions.setStatus(match.id, to))));
      if (!transitions.length) card.actions.append(el('span', 'subtle', 'No further changes: the result stands.'));
    }
    card.incidentDetails.hidden = !playing;
    card.fillPlayers();
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
    const incident = this.incidentForm(match);
    const conflict = el('div', 'conflict-area');
    root.append(head, board, actions, incident.details, conflict);
    return {
      root, league, status, clock, version, actions, conflict,
      home: rows.home, away: rows.away, statusKey: null,
      incidentDetails: incident.details, fillPlayers: incident.fillPlayers,
    };
  }

  /** +1 / −1 from the score shown now, checked against the version shown now. */
  step(matchId, side, delta) {
    const match = this.store.matches.get(matchId);
    if (!match) return;
    const score = { ...match.score };
    score[side] = Math.max(0, score[side] + delta);
    this.actions.setScore(matchId, score.home, score.away);
  }

  incidentForm(match) {
    const details = el('details', 'incident-form');
    details.append(el('summary', null, 'Add incident'));
    const form = el('form');
    const field = (labelText, control) => {
      const label = el('label', 'field');
      label.append(el('span', null, labelText), control);
      return label;
    };
    const kind = el('select', 'incident-kind');
    kind.append(...INCIDENT_KINDS[match.sport].map((k) => option(k, INCIDENT_LABELS[k])));
    const side = el('select', 'incident-side');
    side.append(option('home', 'Home'), option('away', 'Away'));
    const player = el('select', 'incident-player');
    const minute = el('input', 'incident-minute');
    minute.type = 'number';
    minute.min = '0';
    minute.max = '200';
    minute.placeholder = 'now';
    const points = el('select', 'incident-points');
    points.append(option('2', '2'), option('3', '3'), option('1', '1'));
    const pointsField = field('Points', points);
    const submit = el('button', 'primary', 'Add');
    submit.type = 'submit';
    form.append(field('Kind', kind), field('Side', side), field('Player', player),
      field('Minute', minute), pointsField, submit);
    details.append(form);

    let filledFor = null;
    const fillPlayers = () => {
      const current = this.store.matches.get(match.id) || match;
      const teamId = current[side.value];
      const squad = this.actions.squadOf(teamId);
      const key = `${teamId}/${squad.length}`;
      if (filledFor === key) return;
      filledFor = key;
      player.replaceChildren(option('', '— no player —'),
        ...squad.map((p) => option(p.name, `${p.number} ${p.name} (${p.position})`)));
    };
    const showPoints = () => { pointsField.hidden = kind.value !== 'points'; };
    side.addEventListener('change', fillPlayers);
    kind.addEventListener('change', showPoints);
    showPoints();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const fields = { kind: kind.value, team: side.value };
      if (player.value) fields.player = player.value;
      if (minute.value !== '') fields.minute = Number(minute.value);
      if (kind.value === 'points') fields.points = Number(points.value);
      this.actions.addIncident(match.id, fields);
      minute.value = '';
    });
    return { details, fillPlayers };
  }
}

export class AdminNews {
  constructor(list, store, actions) {
    this.list = list;
    this.store = store;
    this.actions = actions;
    this.items = new Map();
  }

  render() {
    const nodes = [];
    for (const item of this.store.newsNewestFirst()) nodes.push(this.update(item));
    for (const [id, entry] of this.items) {
      if (!this.store.news.has(id)) {
        entry.li.remove();
        this.items.delete(id);
      }
    }
    placeInOrder(this.list, nodes);
  }

  update(item) {
    let entry = this.items.get(item.id);
    if (!entry) {
      entry = this.build(item);
      this.items.set(item.id, entry);
    }
    entry.headline.textContent = item.headline;
    entry.meta.textContent = `#${item.id} · v${item.version} · ${item.author || ''} · ${(item.tags || []).join(', ')}`;
    const key = `news:${item.id}`;
    const conflict = this.actions.conflictFor(key);
    entry.conflict.replaceChildren(...(conflict ? [conflictBox(conflict, this.actions, key)] : []));
    return entry.li;
  }

  build(item) {
    const li = el('li', 'admin-news-item');
    li.dataset.newsId = String(item.id);
    const headline = el('p', 'headline');
    const meta = el('p', 'subtle');
    const tools = el('div', 'row');
    const editor = el('form', 'news-editor');
    editor.hidden = true;
    const conflict = el('div', 'conflict-area');
    tools.append(
      button('edit', 'Edit', () => this.openEditor(item.id, editor)),
      button('retract danger', 'Retract', () => this.actions.retractNews(item.id)),
    );
    li.append(headline, meta, tools, editor, conflict);
    return { li, headline, meta, editor, conflict };
  }

  openEditor(newsId, editor) {
    const item = this.store.news.get(newsId);
    if (!item) return;
    const headline = el('input');
    headline.value = item.headline;
    headline.required = true;
    headline.maxLength = 200;
    headline.setAttribute('aria-label', 'Headline');
    const body = el('textarea');
    body.value = item.body || '';
    body.rows = 3;
    body.setAttribute('aria-label', 'Body');
    const tags = el('input');
    tags.value = (item.tags || []).join(', ');
    tags.setAttribute('aria-label', 'Tags, comma separated');
    const save = el('button', 'primary', 'Save');
    save.type = 'submit';
    const cancel = button('', 'Cancel', () => { editor.hidden = true; });
    editor.replaceChildren(headline, body, tags, save, cancel);
    editor.onsubmit = (event) => {
      event.preventDefault();
      this.actions.updateNews(newsId, {
        headline: headline.value.trim(),
        body: body.value,
        tags: splitTags(tags.value),
      }, item.version);
      editor.hidden = true;
    };
    editor.hidden = false;
    headline.focus();
  }
}

/** "EPL, injury ,," → ["epl", "injury"] */
export function splitTags(text) {
  return text.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}
