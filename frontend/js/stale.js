// Words for the connection's state and for how old the shown data is, shared by the dashboard and
// the pages. Pure functions, but for painting the pill.

/** The connection pill: `live`, `connecting`, `reconnecting (attempt 3)`, `offline`. */
export function connectionWords(state, attempt) {
  return state === 'reconnecting' ? `reconnecting (attempt ${attempt})` : state;
}

/** Whose connection a tab's feed comes through (the browser's tabs share one, feed-share.js). */
export function sharingWords(sharing) {
  if (!sharing) return '';
  if (!sharing.holder) return "Through another livescore tab's connection";
  const others = sharing.tabs - 1;
  return others > 0
    ? `This tab's connection also serves ${others} other livescore tab${others === 1 ? '' : 's'}`
    : "This tab's own connection";
}

/** Paint the page's connection pill (`#conn-state`) and the body's `data-connection`. */
export function paintConnection(pill, { state, attempt, sharing }) {
  pill.textContent = connectionWords(state, attempt);
  pill.dataset.state = state;
  pill.dataset.via = sharing ? (sharing.holder ? 'holder' : 'shared') : 'own';
  pill.title = sharingWords(sharing);
  document.body.dataset.connection = state;
}

/** "updated 12 s ago" / "updated 3 min ago", for data last confirmed `ms` ago. */
export function updatedAgo(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `updated ${seconds} s ago`;
  return `updated ${Math.round(seconds / 60)} min ago`;
}

// A page's first connection takes a moment (its snapshot is fresh meanwhile): no banner for it.
const CONNECTING_GRACE_MS = 3000;

/** Whether data last confirmed `ms` ago, with the connection in `state`, is to be marked stale. */
export function isStale(state, ms) {
  return state === 'reconnecting' || state === 'offline' || (state === 'connecting' && ms > CONNECTING_GRACE_MS);
}

/** The short header text and the banner sentence while the feed is away. */
export function staleText(state, ms) {
  const ago = updatedAgo(ms);
  const why = { offline: 'You are offline', connecting: 'Still connecting' }[state] || 'Connection lost, reconnecting';
  return { short: ago, long: `${why}: scores below may be out of date (${ago}).` };
}
