// The dashboard's connection to the feed, over one of four transports (SSE, WebSocket, long-poll,
// short poll), with resume: every reconnect names the last applied event id, so the server
// replays what was missed or, for a foreign or too-old id, answers with a fresh snapshot. A stream
// with nothing to resume from starts from `GET /api/snapshot` (compressed, cacheable) and opens
// after its id, so the stream itself carries only deltas. SSE is shared by the browser's tabs
// (feed-share.js), so eight tabs hold one connection, not eight of the six a host is allowed.

const EVENT_TYPES = ['snapshot', 'score', 'status', 'incident', 'match', 'news', 'news_retracted', 'incident_removed', 'incident_amended', 'lineup', 'stats', 'archived'];
export const TRANSPORTS = ['sse', 'ws', 'longpoll', 'poll'];

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const POLL_INTERVAL_MS = 1000;
const LONG_POLL_WAIT_S = 25;
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
 * Parse SSE text into frames `{id, event, data}`. The WebSocket transport carries the same frames
 * as /events, possibly several per message; comments (`: ping`) and `retry:` are skipped.
 */
export function parseSseFrames(text) {
  const frames = [];
  let frame = { id: null, event: 'message', data: [] };
  for (const raw of text.split(/\r\n|\r|\n/)) {
    if (raw === '') {
      if (frame.data.length) frames.push({ ...frame, data: frame.data.join('\n') });
      frame = { id: null, event: 'message', data: [] };
      continue;
    }
    if (raw.startsWith(':')) continue;
    const colon = raw.indexOf(':');
    const field = colon < 0 ? raw : raw.slice(0, colon);
    let value = colon < 0 ? '' : raw.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') frame.data.push(value);
    else if (field === 'event') frame.event = value;
    else if (field === 'id') frame.id = value;
  }
  if (frame.data.length) frames.push({ ...frame, data: frame.data.join('\n') });
  return frames;
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
  const sse = canShare() ? openShared : openSse;
  const open = { sse, ws: openWs, longpoll: openLongPoll, poll: openPoll }[transport] || sse;
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

function withResume(params, name, id) {
  const copy = new URLSearchParams(params);
  if (id) copy.set(name, id);
  const text = copy.toString();
  return text ? `?${text}` : '';
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

/** SSE: the browser resumes by itself while it can; once it gives up we start a new one. */
function openSse(link) {
  let source = null;
  const connect = async () => {
    const from = await link.startId();
    if (link.closed) return;
    source = new EventSource(`/events${withResume(link.params, 'lastEventId', from)}`);
    source.onopen = () => link.live();
    source.onerror = () => {
      if (link.closed) return;
      if (source.readyState === EventSource.CLOSED) {
        link.fail(connect);
      } else {
        // The browser is already reconnecting (sending Last-Event-ID itself).
        link.attempt += 1;
        link.reportTrouble();
      }
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message) => link.deliver(message.data));
    }
  };
  connect();
  return () => source && source.close();
}

/** WebSocket carrying SSE frames; any close but our own is followed by a resume. */
function openWs(link) {
  let socket = null;
  const connect = async () => {
    const from = await link.startId();
    if (link.closed) return;
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const query = withResume(link.params, 'lastEventId', from);
    socket = new WebSocket(`${scheme}${location.host}/ws/feed${query}`);
    socket.onopen = () => link.live();
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      for (const frame of parseSseFrames(message.data)) link.deliver(frame.data);
    };
    // 1013 (fell behind) and every other close alike: reconnect from the last applied id.
    socket.onclose = () => link.fail(connect);
  };
  connect();
  return () => {
    if (!socket) return;
    socket.onclose = null;
    socket.close();
  };
}

/** Long-poll: each answer is the events after `since`, or `[snapshot]` to start over. */
function openLongPoll(link) {
  let controller = null;
  const loop = async () => {
    while (!link.closed) {
      controller = new AbortController();
      const params = new URLSearchParams(link.params);
      params.set('wait', String(LONG_POLL_WAIT_S));
      const since = link.resumeId();
      if (since) params.set('since', since);
      let frames;
      try {
        const response = await fetch(`/api/events?${params}`, { signal: controller.signal, cache: 'no-store' });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        frames = await response.json();
      } catch {
        if (!link.closed) link.fail(loop);
        return;
      }
      if (link.attempt !== 0 || !link.seenLive) {
        link.seenLive = true;
        link.live();
      }
      for (const frame of Array.isArray(frames) ? frames : []) link.deliverParsed(frame);
    }
  };
  loop();
  return () => controller && controller.abort();
}

/** Short poll: the whole snapshot every second (filters are applied by the page). */
function openPoll(link) {
  let controller = null;
  const tick = async () => {
    if (link.closed) return;
    controller = new AbortController();
    try {
      const response = await fetch('/api/snapshot', { signal: controller.signal, cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const snapshot = await response.json();
      if (link.closed) return;
      if (link.attempt !== 0 || !link.seenLive) {
        link.seenLive = true;
        link.live();
      }
      link.deliverParsed(snapshot);
    } catch {
      if (!link.closed) link.retryLater(tick);
      return;
    }
    link.timer = setTimeout(tick, POLL_INTERVAL_MS);
  };
  tick();
  return () => controller && controller.abort();
}
