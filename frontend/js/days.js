// Calendar days as the feed counts them: a match belongs to the day of its kick-off in the feed's
// time zone (the snapshot's `calendar.timezone`), and "today" is the feed's `calendar.today`, which
// a simulated feed can move ahead of the real clock. Days are `YYYY-MM-DD` strings throughout.
// Pure functions, usable in Node.

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
