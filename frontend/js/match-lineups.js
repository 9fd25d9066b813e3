// The match page's Lineups section: both team sheets, starters and bench, with shirt numbers and
// names, and what happened to each player: ↓ and the minute for going off, ↑ for coming on, a red
// card for a sending-off. Matches carry sheets as shirt numbers only (snapshots stay small); the
// names come from the squads of GET /api/teams. `lineupView` is pure (usable in Node).

import { incidentClock } from './incidents.js';
import { chronological } from './match-facts.js';
import { el } from './render.js';

/**
 * Each side's sheet as rows, or null when the match has none:
 * `{home: {starting: [{number, name, marks: [{kind: 'on'|'off'|'red', text}]}], bench: [...]}, away}`;
 * a side without a sheet is null. `squads` maps 'home'/'away' to squad arrays.
 */
export function lineupView(match, squads) {
  const sheets = match.lineups || {};
  if (!sheets.home && !sheets.away) return null;
  const view = {};
  for (const side of ['home', 'away']) {
    const sheet = sheets[side];
    if (!sheet) {
      view[side] = null;
      continue;
    }
    const squad = squads[side] || [];
    const byNumber = new Map(squad.map((p) => [p.number, p]));
    const marks = new Map();
    const mark = (name, kind, incident) => {
      if (!name) return;
      if (!marks.has(name)) marks.set(name, []);
      const arrow = { on: '↑', off: '↓', red: '🟥' }[kind];
      marks.get(name).push({ kind, text: `${arrow} ${incidentClock(incident, match.sport)}` });
    };
    for (const incident of chronological(match.incidents || [])) {
      if (incident.team !== side) continue;
      if (incident.kind === 'substitution') {
        mark(incident.player_out, 'off', incident);
        mark(incident.player, 'on', incident);
      } else if (incident.kind === 'red_card') {
        mark(incident.player, 'red', incident);
      }
    }
    const row = (number) => {
      const player = byNumber.get(number);
      const name = player ? player.name : `#${number}`;
      return { number, name, marks: marks.get(name) || [] };
    };
    view[side] = { starting: (sheet.starting || []).map(row), bench: (sheet.bench || []).map(row) };
  }
  return view;
}

/**
 * Who of `side` may go off and who may come on now, from the sheet and the timeline, as squad
 * players: `{on: [...], available: [...]}`, or null when the side has no sheet. Football's
 * available are the bench players who have not played; basketball's, everyone on the sheet not
 * on court (players come back on).
 */
export function whoIsOn(match, side, squad) {
  const sheet = (match.lineups || {})[side];
  if (!sheet) return null;
  const byNumber = new Map(squad.map((p) => [p.number, p]));
  const named = (numbers) => (numbers || []).map((n) => byNumber.get(n)).filter(Boolean);
  const on = new Set(named(sheet.starting).map((p) => p.name));
  const played = new Set(on);
  for (const incident of match.incidents || []) {
    if (incident.team !== side) continue;
    if (incident.kind === 'substitution' && incident.player && incident.player_out) {
      on.delete(incident.player_out);
      on.add(incident.player);
      played.add(incident.player);
    } else if (incident.kind === 'red_card' && incident.player) {
      on.delete(incident.player);
    }
  }
  const listed = [...named(sheet.starting), ...named(sheet.bench)];
  const available = match.sport === 'basketball'
    ? listed.filter((p) => !on.has(p.name))
    : named(sheet.bench).filter((p) => !played.has(p.name));
  return { on: listed.filter((p) => on.has(p.name)), available };
}

function playerItem(row) {
  const li = el('li', 'lineup-player');
  li.dataset.number = String(row.number);
  li.append(el('span', 'shirt', row.number), ' ', el('span', 'name', row.name));
  for (const m of row.marks) li.append(' ', el('span', `mark mark-${m.kind}`, m.text));
  return li;
}

function sideColumn(side, team, rows) {
  const column = el('div', 'lineup');
  column.dataset.side = side;
  column.append(el('h3', null, team.name));
  if (!rows) {
    column.append(el('p', 'empty', 'No lineup yet.'));
    return column;
  }
  const starting = el('ol', 'starting');
  starting.setAttribute('aria-label', `${team.name} starting`);
  starting.append(...rows.starting.map(playerItem));
  const bench = el('ol', 'bench');
  bench.setAttribute('aria-label', `${team.name} bench`);
  bench.append(...rows.bench.map(playerItem));
  column.append(el('h4', null, 'Starting'), starting, el('h4', null, 'Bench'), bench);
  return column;
}

/** Fill `section` (holding a `.lineups-grid`) for `match`; hidden while neither side has a sheet. */
export function renderLineups(section, match, home, away) {
  const view = lineupView(match, { home: home.squad, away: away.squad });
  section.hidden = view === null;
  if (!view) return;
  const key = JSON.stringify([view, home.name, away.name]);
  if (section.dataset.key === key) return;
  section.dataset.key = key;
  section.querySelector('.lineups-grid').replaceChildren(
    sideColumn('home', home, view.home),
    sideColumn('away', away, view.away),
  );
}
