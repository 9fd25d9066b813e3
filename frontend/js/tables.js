// Shared by the Standings view and the team pages: keeping a derived view (the server computes
// tables once per event for everyone) fresh by asking again, a moment after the feed says something
// that moves it; the little pieces both pages draw (form, positions, the page's connection pill).

import { openFeed, TRANSPORTS } from './feed.js';
import { el } from './render.js';
import { paintConnection } from './stale.js';

// Events that can move a table or a team page.
const MOVES = new Set(['snapshot', 'score', 'status', 'match', 'incident', 'incident_removed', 'incident_amended', 'archived', 'news', 'news_retracted']);
// A burst of events (a goal is an incident and a score) brings one fetch; the spread keeps a
// crowd of pages from asking in the same millisecond.
const SETTLE_MS = 400;
const SPREAD_MS = 800;

/**
 * Keep `load()` fresh: call it now, then again after every burst of feed events for `filter`.
 * Returns `{ close() }` for switching to another league.
 */
export function keepFresh({ filter, load, onStatus }) {
  let timer = null;
  const again = () => {
    clearTimeout(timer);
    timer = setTimeout(load, SETTLE_MS + Math.random() * SPREAD_MS);
  };
  const asked = new URLSearchParams(location.search).get('transport');
  const feed = openFeed({
    transport: TRANSPORTS.includes(asked) ? asked : 'sse',
    filter,
    // A derived view needs no resume: a fresh snapshot is as good as a replay, and cheaper here.
    lastId: () => null,
    onStatus,
    onFrame: (frame) => { if (MOVES.has(frame.type)) again(); },
    onRefused: () => {},
  });
  return {
    close() {
      clearTimeout(timer);
      feed.close();
    },
  };
}

/** Show the connection in the page's pill. */
export function showConnection(status) {
  paintConnection(document.querySelector('#conn-state'), status);
}

/** `1st`, `2nd`, `3rd`, `4th`, `11th`, `22nd`. */
export function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th');
  return `${n}${suffix}`;
}

const FORM_WORDS = { W: 'won', D: 'drawn', L: 'lost' };

/** The form as chips (oldest first), read out as words. */
export function formChips(form) {
  const list = el('span', 'form');
  const letters = [...String(form || '')].filter((c) => FORM_WORDS[c]);
  list.setAttribute('aria-label', letters.length ? `Form: ${letters.map((c) => FORM_WORDS[c]).join(', ')}` : 'No results yet');
  for (const c of letters) {
    const chip = el('span', `form-chip form-${c}`, c);
    chip.setAttribute('aria-hidden', 'true');
    list.append(chip);
  }
  return list;
}

/** The team page's address. */
export function teamHref(id) {
  return `/team/${encodeURIComponent(id)}`;
}
