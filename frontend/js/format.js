// Turning feed values into the words and numbers people read: clocks, kick-off times, status
// labels, incident descriptions. Pure functions, shared by the dashboard and the admin console.

import { viewerZone } from './days.js';

const QUARTER_MINUTES = 12;
const OVERTIME_MINUTES = 5;
const REGULATION_QUARTERS = 4;

/** Human label for a match status (the raw value stays in `data-status` for styling). */
const STATUS_LABELS = {
  scheduled: 'Upcoming',
  live: 'Live',
  halftime: 'HT',
  break: 'Break',
  final: 'FT',
  postponed: 'Postponed',
  cancelled: 'Cancelled',
};

export function statusLabel(status) {
  return STATUS_LABELS[status] || status;
}

const STATUS_WORDS = {
  scheduled: 'not started',
  live: 'live',
  halftime: 'half-time',
  break: 'quarter break',
  final: 'full time',
  postponed: 'postponed',
  cancelled: 'cancelled',
};

/** The status in words, for screen readers and headings: "half-time", "full time". */
export function statusWords(status) {
  return STATUS_WORDS[status] || status;
}

/** Whether a score can change now (the server refuses score.set outside these). */
export function inPlay(status) {
  return status === 'live' || status === 'halftime' || status === 'break';
}

// One way to write a time everywhere (dashboard, match pages, console): 24-hour, "19:45", which
// also fits a narrow column.
// In the viewer's zone (their own, or the one they chose): the same zone their days are in.
const zone = viewerZone();
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone });
const timeFormat = clockFormat;
const dayTimeFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone,
});
const ymd = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone });

function sameLocalDay(a, b) {
  return ymd.format(a) === ymd.format(b);
}

/** Kick-off in the viewer's time zone: just the time today, with the day otherwise. */
export function kickoffTime(iso, now = new Date()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return sameLocalDay(date, now) ? timeFormat.format(date) : dayTimeFormat.format(date);
}

/** Just the time of day, in the viewer's time zone: "15:00". */
export function timeOfDay(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : clockFormat.format(date);
}

/** A short "5 min ago" for recent times, the local time of day for older ones. */
export function relativeTime(iso, now = Date.now()) {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '';
  const minutes = Math.round((now - then) / 60000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  return kickoffTime(iso, new Date(now));
}

/** Basketball clock: quarters count down from 12:00, overtimes from 5:00. */
function basketballClock(period, minute) {
  if (period <= REGULATION_QUARTERS) {
    const left = Math.max(0, Math.min(QUARTER_MINUTES, QUARTER_MINUTES * period - minute));
    return `Q${period} ${left}:00`;
  }
  const overtime = period - REGULATION_QUARTERS;
  const end = QUARTER_MINUTES * REGULATION_QUARTERS + OVERTIME_MINUTES * overtime;
  const left = Math.max(0, Math.min(OVERTIME_MINUTES, end - minute));
  return `OT${overtime} ${left}:00`;
}

/**
 * The clock text of a match: `34'`, `HT`, `FT` for football; `Q3 7:00`, `Break`, `OT1 2:00`
 * for basketball; the kick-off time before it starts.
 */
export function clockText(match) {
  switch (match.status) {
    case 'scheduled': return kickoffTime(match.kickoff);
    case 'halftime': return 'HT';
    case 'break': return 'Break';
    case 'final': return 'FT';
    case 'postponed': return 'PP';
    case 'cancelled': return '—';
    case 'live':
      if (match.sport === 'basketball') return basketballClock(match.period || 1, match.minute);
      return footballMinute(match.period || 1, match.minute);
    default: return '';
  }
}

/** Incident kinds in words; also the options of the admin console's incident form. */
export const INCIDENT_LABELS = {
  goal: 'Goal',
  own_goal: 'Own goal',
  penalty_goal: 'Penalty goal',
  yellow_card: 'Yellow card',
  red_card: 'Red card',
  substitution: 'Substitution',
  points: 'Points',
  foul: 'Foul',
  timeout: 'Timeout',
  period: 'Period',
  correction: 'Score corrected',
};

/** Incident kinds an admin may add, by sport (period markers come from status changes). */
export const INCIDENT_KINDS = {
  football: ['goal', 'own_goal', 'penalty_goal', 'yellow_card', 'red_card', 'substitution'],
  basketball: ['points', 'foul', 'timeout', 'substitution'],
};

/** One line describing an incident, e.g. "Goal — Archie Shackleton (Arsenal)". */
export function incidentText(incident, teamName) {
  if (incident.kind === 'period') return incident.detail || 'Period';
  if (incident.kind === 'correction') return incident.detail || 'Score corrected';
  let label = INCIDENT_LABELS[incident.kind] || incident.kind;
  if (incident.kind === 'points') label = `${incident.points || ''} pt${incident.points === 1 ? '' : 's'}`.trim();
  const who = incident.player
    ? [incident.player, teamName ? `(${teamName})` : ''].filter(Boolean).join(' ')
    : teamName || '';
  const parts = [label];
  if (who) parts.push(who);
  if (incident.detail) parts.push(incident.detail);
  return parts.join(' — ');
}

// Where each football period's regular time ends: 45, 90, then two halves of extra time.
const FOOTBALL_PERIOD_ENDS = [45, 90, 105, 120];

/**
 * A football minute as the stadium clock shows it: `17'`, and stoppage time counted past the end
 * of its period, `45+2'` in the first half and `90+2'` in the second.
 */
export function footballMinute(period, minute) {
  const end = FOOTBALL_PERIOD_ENDS[Math.min(Math.max(period, 1), FOOTBALL_PERIOD_ENDS.length) - 1];
  const value = minute || 0;
  return value > end ? `${end}+${value - end}'` : `${value}'`;
}

/** The clock mark of an incident: `17'` or `90+2'` for football, `Q2 5:00` for basketball. */
export function incidentClock(incident, sport) {
  if (sport === 'basketball') return basketballClock(incident.period || 1, incident.minute || 0);
  return footballMinute(incident.period || 1, incident.minute || 0);
}

/** Whether an incident changes the score, and for which side ('home' / 'away'). */
export function scoringSide(incident) {
  if (incident.kind === 'goal' || incident.kind === 'penalty_goal') return incident.team;
  if (incident.kind === 'own_goal') return incident.team === 'home' ? 'away' : 'home';
  if (incident.kind === 'points') return incident.team;
  return null;
}

/** Points an incident is worth to the side `scoringSide` names. */
export function incidentPoints(incident) {
  return incident.kind === 'points' ? (incident.points || 0) : 1;
}

/**
 * What an incident adds to each side's score, `{home, away}`: a scoring incident's points, or a
 * correction's adjustment (which may take points away). The score is the sum of these.
 */
export function incidentDelta(incident) {
  const delta = { home: 0, away: 0 };
  const side = scoringSide(incident);
  if (side) delta[side] += incidentPoints(incident);
  if (incident.adjust) {
    delta.home += incident.adjust.home || 0;
    delta.away += incident.adjust.away || 0;
  }
  return delta;
}
