// The dashboard's connection to the feed, over one of four transports (SSE, WebSocket, long-poll,
// short poll), with resume: every reconnect names the last applied event id, so the server
// replays what was missed or, for a foreign or too-old id, answers with a fresh snapshot. A stream
// with nothing to resume from starts from `GET /api/snapshot` (compressed, cacheable) and opens
// after its id, so the stream itself carries only deltas. SSE is shared by the browser's tabs
// (feed-share.js), so eight tabs hold one connection, not eight of the six a host is allowed;
// the other transports (feed-transports.js) load when asked for.

const EVENT_TYPES = ['snapshot', 'score', 'status', 'incident', 'match', 'news', 'news_retracted', 'incident_removed', 'incident_amended', 'lineup', 'stats', 'archived'];
export const TRANSPORTS = ['sse', 'ws', 'longpoll', 'poll'];

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;
// After this many failed attempts in a row we say "offline" rather than "reconnecting".
const OFFLINE_AFTER_ATTEMPTS = 8;

/** Exponential backoff with jitter, so a restarted server is not hit by every client at once. */
export function backoffDelay(attempt) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, attempt - 1));
  const jittered = base * (0.75 + Math.random() * 0.5);
  return Math.round(Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, jittered)));
}

/** `leagues=epl,nba&matches=1,2&types=score,status`, leaving out empty parts. */
function filterParams(filter) {
  const params = new URLSearchParams();
  if (filter.leagues && filter.leagues.length) params.set('leagues', filter.leagues.join(','));
  if (filter.matches && filter.matches.length) params.set('matches', filter.matches.join(','));
  if (filter.types && filter.types.length) params.set('types', filter.types.join(','));
  return params;
}

/**
 * Why the server refuses this filter (a 400 names, say, a league it does not have), or null when
 * it accepts it or cannot be asked. EventSource and WebSocket hide the status of a failed
 * connection, so a failure is followed by this cheap question before retrying.
 */
async function filterRefusal(params) {
  const probe = new URLSearchParams(params);
  probe.set('wait', '0');
  try {
    const response = await fetch(`/api/events?${probe}`, { cache: 'no-store' });
    if (response.status !== 400) return null;
    const body = await response.json().catch(() => null);
    return (body && body.error && body.error.message) || 'the server refused this filter';
  } catch {
    return null;
  }
}

/**
 * Open the feed. `onFrame(object)` gets every snapshot and event in order; `onStatus({state,
 * attempt})` reports `connecting`, `live`, `reconnecting` or `offline`; `lastId()` returns the last
 * applied event id to resume from; `onRefused(message)` is told when the server rejects the
 * filter itself, which no retry can fix (the feed then stops). Returns `{close()}`.
 */
export function openFeed({ transport, filter, onFrame, onStatus, lastId, onRefused }) {
  const sse = canShare() ? openShared : loaded('openSse');
  const open = {
    sse, ws: loaded('openWs'), longpoll: loaded('openLongPoll'), poll: loaded('openPoll'),
  }[transport] || sse;
  const link = {
    filter,
    params: filterParams(filter),
    paramsOf: filterParams,
    eventTypes: EVENT_TYPES,
    /** Sees every frame before the page does (the shared feed learns scopes from them). */
    tap: null,
    report: onStatus,
    attempt: 0,
    closed: false,
    timer: null,
    deliver(text) {
      let frame;
      try {
        frame = JSON.parse(text);
      } catch {
        return; // A frame we cannot read is skipped; the next snapshot or resume repairs state.
      }
      this.deliverParsed(frame);
    },
    deliverParsed(frame) {
      if (!frame || typeof frame !== 'object') return;
      if (this.tap) this.tap(frame);
      onFrame(frame);
    },
    /**
     * Where a stream should start: the last applied id, else a snapshot fetched over plain HTTP
     * (compressed and cacheable, unlike a snapshot at the head of a stream), delivered here,
     * whose id the stream then resumes from, so it carries only what happened since. `null`
     * when there is neither (the stream then opens with a snapshot of its own).
     */
    async startId() {
      const last = this.resumeId();
      if (last) return last;
      try {
        const query = this.params.toString();
        const response = await fetch(`/api/snapshot${query ? `?${query}` : ''}`);
        if (!response.ok) return null;
        const snapshot = await response.json();
        if (this.closed || !snapshot || typeof snapshot.id !== 'string') return null;
        this.deliverParsed(snapshot);
        return this.resumeId() || snapshot.id;
      } catch {
        return null;
      }
    },
    live() {
      this.attempt = 0;
      this.report({ state: 'live', attempt: 0 });
    },
    /** A connection failed: stop if the filter itself is refused, otherwise retry after backoff. */
    async fail(retry) {
      if (this.closed) return;
      if (this.params.toString()) {
        const refusal = await filterRefusal(this.params);
        if (this.closed) return;
        if (refusal) {
          this.closed = true;
          this.report({ state: 'offline', attempt: this.attempt });
          if (onRefused) onRefused(refusal);
          return;
        }
      }
      this.retryLater(retry);
    },
    /** Count a failure and run `retry` after the backoff. */
    retryLater(retry) {
      if (this.closed) return;
      this.attempt += 1;
      this.reportTrouble();
      clearTimeout(this.timer);
      this.timer = setTimeout(() => { if (!this.closed) retry(); }, backoffDelay(this.attempt));
    },
    reportTrouble() {
      const offline = navigator.onLine === false || this.attempt >= OFFLINE_AFTER_ATTEMPTS;
      this.report({ state: offline ? 'offline' : 'reconnecting', attempt: this.attempt });
    },
    resumeId: lastId,
    seenLive: false,
  };
  onStatus({ state: 'connecting', attempt: 0 });
  const stop = open(link);
  return {
    close() {
      link.closed = true;
      clearTimeout(link.timer);
      stop();
    },
  };
}

/** Whether tabs can elect one of them to hold the stream and pass its frames to the others. */
function canShare() {
  return typeof BroadcastChannel === 'function' && Boolean(globalThis.navigator && navigator.locks);
}

/**
 * SSE shared with the browser's other tabs: this tab's own snapshot first (its first rows show
 * before anything else loads), then the sharing module, loaded only now for the same reason.
 */
function openShared(link) {
  let left = null;
  const join = async () => {
    // What the snapshot tells (the leagues of matches) the sharing module learns once loaded.
    const seen = [];
    link.tap = (frame) => seen.push(frame);
    const from = await link.startId();
    link.tap = null;
    if (link.closed) return;
    if (!from) {
      link.fail(join);
      return;
    }
    const { joinSharedFeed } = await import('./feed-share.js');
    if (!link.closed) left = joinSharedFeed(link, from, seen);
  };
  join();
  return () => left && left();
}

/** A transport of feed-transports.js, loaded when first asked for. */
function loaded(name) {
  return (link) => {
    let stop = null;
    import('./feed-transports.js').then((module) => {
      if (!link.closed) stop = module[name](link);
    });
    return () => stop && stop();
  };
}
