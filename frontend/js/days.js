// Calendar days: a match belongs to the day of its kick-off in a time zone (the viewer's, on the
// dashboard; the server counts in the feed's, `calendar.timezone`). Days are `YYYY-MM-DD` strings
// throughout. Pure functions, usable in Node; the viewer's zone is their own (the browser's)
// unless they chose another on the dashboard, kept on this device.

const formats = new Map();

function dayFormat(timeZone) {
  const key = timeZone || 'UTC';
  if (!formats.has(key)) {
    let format;
    try {
      format = new Intl.DateTimeFormat('en-CA', { timeZone: key, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      // An unknown zone name: UTC is the feed's default, and better than no day at all.
      format = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
    }
    formats.set(key, format);
  }
  return formats.get(key);
}

/** The feed day (`YYYY-MM-DD`) of an instant, in `timeZone`. */
export function dayOf(iso, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const parts = Object.fromEntries(dayFormat(timeZone).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Whether `text` is a `YYYY-MM-DD` day. */
export function isDay(text) {
  return /^\d{4}-\d{2}-\d{2}$/.test(String(text || '')) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

/** `day` moved by `n` days. */
export function addDays(day, n) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

const longDay = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "Today", "Yesterday", "Tomorrow" or "Wed 25 Nov", relative to the feed's `today`. */
export function dayLabel(day, today) {
  if (today) {
    if (day === today) return 'Today';
    if (day === addDays(today, -1)) return 'Yesterday';
    if (day === addDays(today, 1)) return 'Tomorrow';
  }
  return longDay.format(new Date(`${day}T12:00:00Z`));
}

// ------------------------------------------------------------- the viewer's zone

const ZONE_KEY = 'livescore.zone.v1';

/** The browser's zone, e.g. `America/New_York`. */
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The zone the viewer chose, or null for their own. */
export function chosenZone() {
  try {
    return globalThis.localStorage ? localStorage.getItem(ZONE_KEY) : null;
  } catch {
    return null;
  }
}

/** The zone days and times are shown in (a chosen zone this browser does not know is ignored). */
export function viewerZone() {
  const chosen = chosenZone();
  if (chosen) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: chosen });
      return chosen;
    } catch {
      // Fall back on the viewer's own.
    }
  }
  return browserZone();
}

/** Keep `zone` (null: the viewer's own again). */
export function chooseZone(zone) {
  try {
    if (zone) localStorage.setItem(ZONE_KEY, zone);
    else localStorage.removeItem(ZONE_KEY);
  } catch {
    // Storage off: the choice lasts for this page only.
  }
}

/** The viewer's today: the feed's "now" (a simulated feed runs days ahead of the clock, which its
 * `calendar.today` shows) on the calendar of `zone`; null before the feed has a day. */
export function viewerToday(calendar, zone, now = new Date()) {
  if (!calendar || !calendar.today) return null;
  const iso = now.toISOString();
  const feedDay = dayOf(iso, calendar.timezone || 'UTC');
  const ahead = Math.max(0, Math.round((Date.parse(calendar.today) - Date.parse(feedDay)) / 86400000));
  return addDays(dayOf(iso, zone), ahead);
}

/** The zones a viewer may pick: their own (`''`), the feed's and UTC, as `[value, label]`. */
export function zoneChoices(feedZone) {
  const own = browserZone();
  const others = [...new Set([feedZone || 'UTC', 'UTC'])].filter((zone) => zone !== own);
  return [['', `your time (${own})`], ...others.map((zone) => [zone, zone])];
}
