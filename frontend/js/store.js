// The client's copy of the feed: a snapshot replaces it, each event after it updates it, and any
// event at or below the last applied seq is dropped, so replays and overlapping reconnects never
// apply a change twice. Shared by the dashboard and the admin console.

/** Split an event id `k3f9ab.75` into its stream and seq. */
export function parseEventId(id) {
  const text = String(id || '');
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return null;
  const seq = Number(text.slice(dot + 1));
  return Number.isInteger(seq) ? { stream: text.slice(0, dot), seq } : null;
}

export class FeedStore {
  constructor() {
    this.listeners = new Set();
    this.clear();
  }

  clear() {
    this.stream = null;
    this.seq = 0;
    this.lastId = null;
    this.leagues = new Map();
    this.teams = new Map();
    this.matches = new Map();
    this.news = new Map();
    this.calendar = null;
  }

  /** Whether a snapshot has been applied (before that, events have nothing to apply to). */
  get loaded() {
    return this.stream !== null;
  }

  /** `fn(change)` runs after every applied snapshot (`{type:'snapshot'}`) or event. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(change) {
    for (const fn of this.listeners) fn(change);
  }

  /** Apply a snapshot or an event; returns whether it changed anything. */
  apply(frame) {
    if (!frame || typeof frame !== 'object') return false;
    return frame.type === 'snapshot' ? this.applySnapshot(frame) : this.applyEvent(frame);
  }

  applySnapshot(snapshot) {
    const previousSeq = this.stream === snapshot.stream ? this.seq : null;
    this.clear();
    this.stream = snapshot.stream;
    this.seq = snapshot.seq;
    this.lastId = snapshot.id;
    for (const league of snapshot.leagues || []) this.leagues.set(league.id, league);
    for (const team of snapshot.teams || []) this.teams.set(team.id, team);
    for (const match of snapshot.matches || []) this.matches.set(match.id, match);
    for (const item of snapshot.news || []) this.news.set(item.id, item);
    this.calendar = snapshot.calendar || null;
    // A poll snapshot of the same stream still tells how many events happened in between.
    const skipped = previousSeq === null ? 0 : Math.max(0, snapshot.seq - previousSeq);
    this.notify({ type: 'snapshot', skipped });
    return true;
  }

  applyEvent(event) {
    const id = parseEventId(event.id);
    if (!id || !this.loaded || id.stream !== this.stream || id.seq <= this.seq) return false;
    this.seq = id.seq;
    this.lastId = event.id;
    const match = this.matches.get(event.match_id);
    switch (event.type) {
      case 'score':
        if (match) {
          match.score = { home: event.home, away: event.away };
          match.version = event.version;
        }
        break;
      case 'status':
        if (match) {
          match.status = event.status;
          match.period = event.period;
          match.minute = event.minute;
          match.version = event.version;
        }
        break;
      case 'incident':
        if (match) {
          if (!match.incidents.some((i) => i.id === event.incident.id)) {
            match.incidents.push(event.incident);
          }
          match.version = event.version;
        }
        break;
      case 'incident_removed':
        // A correction (undo of incident.add); a score event follows when it had scored.
        if (match) {
          match.incidents = match.incidents.filter((i) => i.id !== event.incident_id);
          match.version = event.version;
        }
        break;
      case 'incident_amended':
        // Corrected in place (a scorer named, a minute fixed); the score does not move.
        if (match) {
          match.incidents = match.incidents.map((i) => (i.id === event.incident.id ? event.incident : i));
          match.version = event.version;
        }
        break;
      case 'lineup':
        // Shirt numbers; pages name them from the squads of GET /api/teams.
        if (match) {
          match.lineups = { ...(match.lineups || {}), [event.team]: { starting: event.starting, bench: event.bench } };
          match.version = event.version;
        }
        break;
      case 'stats':
        if (match) {
          match.stats = { home: event.home, away: event.away };
          match.version = event.version;
        }
        break;
      case 'match':
        this.matches.set(event.match.id, event.match);
        break;
      case 'news':
        this.news.set(event.news.id, event.news);
        break;
      case 'news_retracted':
        this.news.delete(event.news_id);
        break;
      case 'archived':
        // Left the live window: still browsable through the archive API, no longer pushed.
        for (const matchId of event.matches || []) this.matches.delete(matchId);
        for (const newsId of event.news || []) this.news.delete(newsId);
        if (event.today && this.calendar) this.calendar.today = event.today;
        break;
      default:
        break;
    }
    this.notify(event);
    return true;
  }

  team(id) {
    return this.teams.get(id) || { id, name: id, short_name: id, squad: [] };
  }

  league(id) {
    return this.leagues.get(id) || { id, name: id, sport: '', country: '' };
  }

  /** "Arsenal 2-1 Chelsea" */
  scoreLine(match) {
    const home = this.team(match.home).name;
    const away = this.team(match.away).name;
    return `${home} ${match.score.home}-${match.score.away} ${away}`;
  }

  /** News newest first, by publication time. */
  newsNewestFirst() {
    return [...this.news.values()].sort((a, b) =>
      String(b.published_at).localeCompare(String(a.published_at)) || b.id - a.id);
  }

  /** Matches in league order (as the snapshot lists leagues), then by kick-off. */
  matchesByLeague() {
    const groups = new Map();
    for (const league of this.leagues.values()) groups.set(league.id, []);
    for (const match of this.matches.values()) {
      if (!groups.has(match.league)) groups.set(match.league, []);
      groups.get(match.league).push(match);
    }
    for (const list of groups.values()) {
      list.sort((a, b) => String(a.kickoff).localeCompare(String(b.kickoff)) || a.id - b.id);
    }
    return groups;
  }
}
