// Turning feed values into the words and numbers people read: clocks, kick-off times, status
// labels. Pure functions, shared by the pages and the admin console, but for the game clock
// that counts a basketball minute's seconds at the end.

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

/**
 * Basketball clock: quarters count down from 12:00, overtimes from 5:00; `secondsInto` the
 * minute being played (the feed counts whole minutes; see `GameClock`).
 */
export function basketballClock(period, minute, secondsInto = 0) {
  const overtime = Math.max(0, period - REGULATION_QUARTERS);
  const length = overtime ? OVERTIME_MINUTES : QUARTER_MINUTES;
  const end = overtime ? QUARTER_MINUTES * REGULATION_QUARTERS + OVERTIME_MINUTES * overtime : QUARTER_MINUTES * period;
  const minutesLeft = Math.max(0, Math.min(length, end - minute));
  const left = Math.max(0, minutesLeft * 60 - (minutesLeft > 0 ? secondsInto : 0));
  const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  return overtime ? `OT${overtime} ${clock}` : `Q${period} ${clock}`;
}

/**
 * The clock text of a match: `34'`, `HT`, `FT` for football; `Q3 6:42`, `Break`, `OT1 2:00`
 * for basketball (`secondsInto` its current minute); the kick-off time before it starts.
 */
export function clockText(match, secondsInto = 0) {
  switch (match.status) {
    case 'scheduled': return kickoffTime(match.kickoff);
    case 'halftime': return 'HT';
    case 'break': return 'Break';
    case 'final': return 'FT';
    case 'postponed': return 'PP';
    case 'cancelled': return '—';
    case 'live':
      if (match.sport === 'basketball') return basketballClock(match.period || 1, match.minute, secondsInto);
      return footballMinute(match.period || 1, match.minute);
    default: return '';
  }
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

// Basketball's game clock between the feed's minutes. The feed says how many minutes are played
// (a status event as each begins); a page counts the seconds of the current one itself, at the
// pace the previous minute went by on this page (a demo generator plays faster than real time),
// and stops at the minute's last second until the feed says the next one has begun: the clock
// never runs ahead of what the feed confirmed, and is never more than a minute behind it.

const REAL_MINUTE_MS = 60000;
// Faster than this (a generator at 600x) the seconds are a blur; the clock shows whole minutes.
const FASTEST_MINUTE_MS = 2000;

export class GameClock {
  constructor() {
    this.marks = new Map();
  }

  /** Seconds played of the current minute of a live basketball match, as this page can tell. */
  secondsInto(match, now = Date.now()) {
    if (match.sport !== 'basketball') return 0;
    if (!['live', 'break', 'halftime'].includes(match.status)) {
      this.marks.delete(match.id);
      return 0;
    }
    if (match.status !== 'live') return 0;
    const mark = this.marks.get(match.id);
    if (!mark || mark.period !== match.period || mark.minute !== match.minute) {
      // A new minute. How long the last one took is its pace, when this page saw it begin
      // (the first minute a page sees was already under way).
      let minuteMs = mark ? mark.minuteMs : REAL_MINUTE_MS;
      if (mark && mark.sawStart && mark.period === match.period && match.minute === mark.minute + 1) {
        minuteMs = Math.min(REAL_MINUTE_MS, now - mark.since);
      }
      this.marks.set(match.id, {
        period: match.period, minute: match.minute, since: now, minuteMs, sawStart: Boolean(mark),
      });
      return 0;
    }
    if (mark.minuteMs < FASTEST_MINUTE_MS) return 0;
    return Math.min(59, Math.floor(((now - mark.since) * 60) / mark.minuteMs));
  }
}

/** The page's one clock (the dashboard's rows and a match page's scoreboard read it). */
export const gameClock = new GameClock();
