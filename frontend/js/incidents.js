// Incidents: their kinds in words (and which an admin may add), their clock marks, and what
// each adds to the score, which is the sum of them. Used by the match page, the console and its
// charts; the dashboard shows scores only and does not load it.

import { basketballClock, footballMinute } from './format.js';

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
