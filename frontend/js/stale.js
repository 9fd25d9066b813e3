// Words for the connection's state and for how old the shown data is, shared by the dashboard and
// the match page. Pure functions.

/** The connection pill: `live`, `connecting`, `reconnecting (attempt 3)`, `offline`. */
export function connectionWords(state, attempt) {
  return state === 'reconnecting' ? `reconnecting (attempt ${attempt})` : state;
}

/** "updated 12 s ago" / "updated 3 min ago", for data last confirmed `ms` ago. */
export function updatedAgo(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `updated ${seconds} s ago`;
  return `updated ${Math.round(seconds / 60)} min ago`;
}

/** The short header text and the banner sentence while the feed is away. */
export function staleText(state, ms) {
  const ago = updatedAgo(ms);
  const why = state === 'offline' ? 'You are offline' : 'Connection lost, reconnecting';
  return { short: ago, long: `${why}: scores below may be out of date (${ago}).` };
}
