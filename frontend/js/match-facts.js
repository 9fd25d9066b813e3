// What the match page shows, worked out from a match's incidents: scorers per side, the score by
// quarter (basketball), and the timeline with half-time / full-time markers carrying the score at
// that moment. Pure functions over feed objects, usable in Node.

import { incidentClock, incidentDelta, scoringSide } from './incidents.js';

/** Incidents in the order they happened: by period, minute, then id (ids grow with time). */
export function chronological(incidents) {
  return [...incidents].sort((a, b) =>
    (a.period || 0) - (b.period || 0) || (a.minute || 0) - (b.minute || 0) || a.id - b.id);
}

const GOALS = new Set(['goal', 'penalty_goal', 'own_goal']);

/**
 * Football scorers under each side: `{home: [{player, marks: ["23'", "90+2' pen"]}], away}`,
 * in order of their first goal; an own goal is listed under the side it counted for.
 */
export function scorers(match) {
  const sides = { home: new Map(), away: new Map() };
  for (const incident of chronological(match.incidents || [])) {
    if (!GOALS.has(incident.kind)) continue;
    const side = scoringSide(incident);
    if (!sides[side]) continue;
    const player = incident.player || 'Goal';
    const suffix = incident.kind === 'penalty_goal' ? ' pen' : incident.kind === 'own_goal' ? ' og' : '';
    const mark = `${incidentClock(incident, match.sport)}${suffix}`;
    if (!sides[side].has(player)) sides[side].set(player, []);
    sides[side].get(player).push(mark);
  }
  const list = (map) => [...map].map(([player, marks]) => ({ player, marks }));
  return { home: list(sides.home), away: list(sides.away) };
}

/** "Archie Shackleton 23', 90+2' pen" */
export function scorerLine(entry) {
  return `${entry.player} ${entry.marks.join(', ')}`;
}

/**
 * Basketball points per period, summed from `points` incidents: `{periods: [1, 2, 3, 4, 5],
 * home: [25, 30, ...], away: [...]}`; the four quarters always, overtimes when played.
 */
export function periodScores(match) {
  let last = Math.max(4, match.period || 0);
  for (const incident of match.incidents || []) last = Math.max(last, incident.period || 0);
  const periods = Array.from({ length: last }, (_, i) => i + 1);
  const home = periods.map(() => 0);
  const away = periods.map(() => 0);
  for (const incident of match.incidents || []) {
    if (!incident.period) continue;
    const delta = incidentDelta(incident);
    home[incident.period - 1] += delta.home;
    away[incident.period - 1] += delta.away;
  }
  return { periods, home, away };
}

/** "Q1".."Q4", then "OT1".. */
export function periodName(period) {
  return period <= 4 ? `Q${period}` : `OT${period - 4}`;
}

const WHAT = {
  goal: 'Goal',
  penalty_goal: 'Goal (penalty)',
  own_goal: 'Own goal',
  yellow_card: 'Yellow card',
  red_card: 'Red card',
  substitution: 'Substitution',
  foul: 'Foul',
  timeout: 'Timeout',
};

/** Markers that close a stretch of play read as the score then: "HT 1-0", "FT 2-1". */
const MARKER_SHORT = { 'Half-time': 'HT', 'Full-time': 'FT' };

/**
 * The timeline, newest first: `{marker: true, text}` for period changes, else
 * `{side, clock, what, player, detail, kind, id}`.
 */
export function timelineEntries(match) {
  const entries = [];
  const score = { home: 0, away: 0 };
  for (const incident of chronological(match.incidents || [])) {
    const delta = incidentDelta(incident);
    score.home += delta.home;
    score.away += delta.away;
    const side = delta.home || delta.away;
    if (incident.kind === 'correction') {
      // An override by the desk: shown in the open, as a line across the timeline.
      entries.push({
        marker: true, id: incident.id, kind: 'correction',
        text: `Score corrected to ${score.home}-${score.away}`,
      });
      continue;
    }
    if (incident.kind === 'period') {
      const detail = incident.detail || 'Period';
      const short = MARKER_SHORT[detail] || (/^End of /.test(detail) ? detail : null);
      entries.push({
        marker: true, id: incident.id, kind: 'period',
        text: short ? `${short} ${score.home}-${score.away}` : detail,
      });
      continue;
    }
    const what = incident.kind === 'points'
      ? `+${incident.points || 0}` : (WHAT[incident.kind] || incident.kind);
    entries.push({
      marker: false,
      id: incident.id,
      kind: incident.kind,
      side: incident.team === 'away' ? 'away' : 'home',
      clock: incidentClock(incident, match.sport),
      what,
      // A substitution with both players reads "↑ on ↓ off".
      player: incident.player_out
        ? `↑ ${incident.player || '?'} ↓ ${incident.player_out}` : incident.player || '',
      detail: incident.detail || '',
      score: side ? `${score.home}-${score.away}` : '',
    });
  }
  return entries.reverse();
}
