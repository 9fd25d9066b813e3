// Past days for the dashboard's day navigation: every match of a day from the archive API
// (`GET /api/matches?date=`), page by page, fetched once per day and kept until the feed
// archives more (then a day's list may be out of date, and `clear()` forgets them all).

/** Every match of `date` from the archive API, page by page: a long day comes in pages, each
 * naming the next in its `Link: <...>; rel="next"` header. */
export async function fetchDay(date) {
  const matches = [];
  let url = `/api/matches?date=${encodeURIComponent(date)}`;
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
  /** `onLoaded()` runs when a day's matches (or the reason there are none) arrive. */
  constructor(onLoaded) {
    this.days = new Map();
    this.onLoaded = onLoaded;
  }

  /** `{matches, error}` for `date`: `matches` is null while the day is on its way. */
  day(date) {
    let entry = this.days.get(date);
    if (!entry) {
      entry = { matches: null, error: null };
      this.days.set(date, entry);
      fetchDay(date)
        .then((matches) => { entry.matches = matches; })
        .catch((error) => { entry.error = error.message; })
        .finally(() => { if (this.days.get(date) === entry) this.onLoaded(); });
    }
    return entry;
  }

  clear() {
    this.days.clear();
  }
}
