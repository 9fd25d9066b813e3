// Filters on the client's side, for a stream shared by several tabs (feed-share.js): the union
// of the tabs' filters that the one stream asks for, whether a stream's filter covers a tab's,
// and which of its frames a tab takes: the rules of the server's `Filter::accepts`, with the
// league of a match looked up in what the tab has been told (its snapshot, `match` events).
// No DOM here, so Node can test it.

import { parseEventId } from './store.js';

const DIMENSIONS = ['matches', 'leagues', 'types'];

// The kind an event counts as in `types=` (the server's `EventKind`).
const KIND = {
  incident_removed: 'incident',
  incident_amended: 'incident',
  news_retracted: 'news',
};

/** A filter with sorted string lists (empty: everything), so equal filters compare equal. */
export function normalFilter(filter = {}) {
  const out = {};
  for (const dim of DIMENSIONS) {
    out[dim] = [...new Set((filter[dim] || []).map(String))].sort();
  }
  return out;
}

/**
 * The filter of a stream shared by tabs with `filters`: the narrowest that lets through all they
 * take, plus `match` events whenever types are narrowed, since a tab learns from them the league
 * of a match created after its snapshot (the server looks it up in its own state).
 */
export function unionFilters(filters) {
  const out = {};
  for (const dim of DIMENSIONS) {
    const lists = filters.map((f) => normalFilter(f)[dim]);
    out[dim] = lists.some((list) => list.length === 0) ? [] : [...new Set(lists.flat())].sort();
  }
  if (out.types.length && !out.types.includes('match')) out.types = [...out.types, 'match'].sort();
  return out;
}

/** Whether a stream asked for with `outer` carries every frame `inner` would be sent. */
export function covers(outer, inner) {
  const o = normalFilter(outer);
  const i = normalFilter(inner);
  return DIMENSIONS.every((dim) => o[dim].length === 0
    || (i[dim].length > 0 && i[dim].every((item) => o[dim].includes(item))));
}

/** Whether two filters are the same. */
export function sameFilter(a, b) {
  return JSON.stringify(normalFilter(a)) === JSON.stringify(normalFilter(b));
}

/**
 * What a tab knows of the feed to match frames against its filter: the league of each match and
 * the scope of each news item. Learned from its own snapshot and every event it sees, taken or
 * not; forgotten on `archived`, so it stays as small as the live window.
 */
export class Known {
  constructor() {
    this.matchLeague = new Map();
    this.news = new Map();
    // Whether a snapshot has been learned (before it, the leagues of older matches are unknown).
    this.loaded = false;
  }

  learn(frame) {
    switch (frame.type) {
      case 'snapshot':
        this.loaded = true;
        this.matchLeague.clear();
        this.news.clear();
        for (const m of frame.matches || []) this.matchLeague.set(m.id, m.league);
        for (const n of frame.news || []) this.news.set(n.id, this.newsScope(n));
        break;
      case 'match':
        this.matchLeague.set(frame.match.id, frame.match.league);
        break;
      case 'news':
        this.news.set(frame.news.id, this.newsScope(frame.news));
        break;
      case 'news_retracted':
        this.news.delete(frame.news_id);
        break;
      case 'archived':
        for (const id of frame.matches || []) this.matchLeague.delete(id);
        for (const id of frame.news || []) this.news.delete(id);
        break;
      default:
        break;
    }
  }

  /** A news item's match and leagues: its tags, and its match's league. */
  newsScope(news) {
    const leagues = [...(news.tags || [])];
    const league = news.match_id == null ? undefined : this.matchLeague.get(news.match_id);
    if (league !== undefined) leagues.push(league);
    return { match: news.match_id == null ? null : news.match_id, leagues };
  }

  /** The match and leagues an event is about, as the server scopes it. */
  scope(frame) {
    switch (frame.type) {
      case 'match':
        return { match: frame.match.id, leagues: [frame.match.league] };
      case 'news':
        return this.newsScope(frame.news);
      case 'news_retracted':
        return this.news.get(frame.news_id) || { match: null, leagues: [] };
      default: {
        const league = this.matchLeague.get(frame.match_id);
        return { match: frame.match_id, leagues: league === undefined ? [] : [league] };
      }
    }
  }

  /** Whether a tab with `filter` takes this event (a snapshot is never taken from a shared stream). */
  admits(frame, filter) {
    if (frame.type === 'archived') return true;
    if (frame.type === 'snapshot') return false;
    const f = normalFilter(filter);
    if (f.types.length && !f.types.includes(KIND[frame.type] || frame.type)) return false;
    const { match, leagues } = this.scope(frame);
    if (f.matches.length && (match == null || !f.matches.includes(String(match)))) return false;
    if (f.leagues.length && !leagues.some((league) => f.leagues.includes(String(league)))) return false;
    return true;
  }
}

/** The later of two event ids of one stream (`a` when they are of different streams). */
export function laterId(a, b) {
  const pa = parseEventId(a);
  const pb = parseEventId(b);
  if (!pa) return b;
  if (!pb) return a;
  if (pa.stream !== pb.stream) return a;
  return pa.seq >= pb.seq ? a : b;
}

/**
 * Whether a frame relayed with `prev` (the id of the frame before it on the shared stream) follows
 * on from a tab complete up to `cursor`: same stream, and nothing between them the tab lacks.
 */
export function follows(prev, cursor) {
  const p = parseEventId(prev);
  const c = parseEventId(cursor);
  return Boolean(p && c && p.stream === c.stream && p.seq <= c.seq);
}
