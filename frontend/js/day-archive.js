// Past days for the dashboard's day navigation: every match of a day of the viewer's calendar
// from the archive API, page by page, fetched once per day and kept until the feed archives more
// (then a day's list may be out of date, and `clear()` forgets them all). The server counts days
// in the feed's zone, so a viewer's day is asked for with the feed days on either side of it and
// kept to the kick-offs that fall on it in the viewer's zone.

import { addDays, dayOf } from './days.js';

/** Every match of the feed days `from` to `to` from the archive API, page by page: a long range
 * comes in pages, each naming the next in its `Link: <...>; rel="next"` header. */
export async function fetchDays(from, to) {
  const matches = [];
  let url = `/api/matches?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  while (url) {
    const response = await fetch(url, { cache: 'no-store' });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error((body && body.error && body.error.message) || `HTTP ${response.status}`);
    if (Array.isArray(body)) matches.push(...body);
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('Link') || '');
    url = next ? next[1] : null;
  }
  return matches;
}

export class DayArchive {
  /** `onLoaded()` runs when a day's matches (or the reason there are none) arrive; `zone()`
   * names the viewer's zone. */
  constructor(onLoaded, zone) {
    this.days = new Map();
    this.onLoaded = onLoaded;
    this.zone = zone;
  }

  /** `{matches, error}` for `date`: `matches` is null while the day is on its way. */
  day(date) {
    let entry = this.days.get(date);
    if (!entry) {
      entry = { matches: null, error: null };
      this.days.set(date, entry);
      fetchDays(addDays(date, -1), addDays(date, 1))
        .then((matches) => { entry.matches = matches.filter((m) => dayOf(m.kickoff, this.zone()) === date); })
        .catch((error) => { entry.error = error.message; })
        .finally(() => { if (this.days.get(date) === entry) this.onLoaded(); });
    }
    return entry;
  }

  clear() {
    this.days.clear();
  }
}
