// The dashboard's lists of matches: a day's (in the viewer's zone), live ones from the store and
// the rest from the archive API, and the sections they are shown in (live, fixtures, results),
// each in league order, then by kick-off.

import { dayOf } from './days.js';

const IN_PLAY = new Set(['live', 'halftime', 'break']);
const RESULT = new Set(['final', 'cancelled']);

export class DayList {
  /**
   * `zone()` names the viewer's zone, `visible(match)` whether the fan's filter shows a match,
   * `onLoaded()` runs when a day asked of the archive arrives.
   */
  constructor(store, { zone, visible, onLoaded }) {
    this.store = store;
    this.zone = zone;
    this.visible = visible;
    this.onLoaded = onLoaded;
    // Past and later days come from the archive API; its module loads with the first one asked.
    this.archive = null;
    this.loading = null;
  }

  /** The matches of `date`, with the archive's `{matches, error}` entry (null for `today`). */
  of(date, today) {
    const byId = new Map();
    const entry = date === today ? null : this.archived(date);
    if (entry && entry.matches) for (const match of entry.matches) byId.set(match.id, match);
    const zone = this.zone();
    for (const match of this.store.matches.values()) {
      if (dayOf(match.kickoff, zone) === date) byId.set(match.id, match);
      else if (byId.has(match.id)) byId.set(match.id, match);
    }
    return { matches: [...byId.values()], entry };
  }

  /** A day's matches from the archive API: `{matches, error}`, `matches` null while on the way. */
  archived(date) {
    if (this.archive) return this.archive.day(date);
    if (!this.loading) {
      this.loading = import('./day-archive.js').then(({ DayArchive }) => {
        this.archive = new DayArchive(this.onLoaded, this.zone);
        this.onLoaded();
      }).catch(() => { this.loading = null; });
    }
    return { matches: null, error: null };
  }

  /** Matches were archived: a day's list from the archive may be out of date. */
  forget() {
    if (this.archive) this.archive.clear();
  }

  /** The sections of `matches` the fan sees, each in league order, then by kick-off. */
  groups(matches) {
    const leagues = [...this.store.leagues.keys()];
    const order = (match) => {
      const index = leagues.indexOf(match.league);
      return index < 0 ? 999 : index;
    };
    const shown = matches.filter(this.visible).sort((a, b) => order(a) - order(b)
      || String(a.kickoff).localeCompare(String(b.kickoff)) || a.id - b.id);
    return [
      { key: 'live', title: 'Live now', matches: shown.filter((m) => IN_PLAY.has(m.status)) },
      { key: 'upcoming', title: 'Fixtures', matches: shown.filter((m) => !IN_PLAY.has(m.status) && !RESULT.has(m.status)) },
      { key: 'results', title: 'Results', matches: shown.filter((m) => RESULT.has(m.status)) },
    ];
  }
}
