// One feed connection for all of a browser's tabs. A browser opens at most six HTTP/1.1
// connections to a host and an SSE stream holds one as long as it is open, so a fan with eight
// tabs would leave two without scores (and every other request queued behind the streams).
//
// The tabs elect one of them with a Web Lock: it holds the only stream, asking for the union of
// every tab's filter, and passes each frame on over a BroadcastChannel with the id of the frame
// before it. When it closes, the lock passes to another tab, which opens the stream again from
// the last id it saw; a visible tab that stops hearing from it (a background tab the browser
// froze, as phones do within minutes) takes the lock over. Each tab keeps its own copy of the feed: it takes the frames its own filter
// admits (feed-scope.js), and when the chain of ids shows a gap (it joined late, a new holder
// started further on, the server answered a resume with a snapshot) it catches up on its own
// over plain HTTP (`GET /api/events?since=`) before taking more.

import { Known, covers, follows, laterId, normalFilter, sameFilter, unionFilters } from './feed-scope.js';

const NAME = 'livescore-feed-v1';
// Bytes of frames kept while a catch-up is under way; past this the tab drops them and catches
// up again instead.
const PENDING_MAX_BYTES = 1 << 20;
// How long a new holder waits for the other tabs to name their filters before opening.
const GATHER_MS = 100;
// A stream wider than the tabs need is narrowed after this, so a tab closing and another
// opening at once do not reopen it twice.
const NARROW_AFTER_MS = 2000;
// The holder says it is there this often; a visible tab that has heard nothing from it for
// SILENT_MS takes the stream over.
const BEAT_MS = 3000;
const SILENT_MS = 10000;

/**
 * Take part in the shared stream: `link` is the feed's (feed.js), `from` the id this tab's copy is
 * complete up to (its snapshot's, or the last it applied), `seen` the frames delivered before
 * this module loaded. Returns a function that leaves.
 */
export function joinSharedFeed(link, from, seen = []) {
  const me = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const mine = normalFilter(link.filter);
  const channel = new BroadcastChannel(NAME);
  const known = new Known();
  for (const frame of seen) known.learn(frame);
  const peers = new Map([[me, mine]]);
  const tab = {
    cursor: from,
    catching: false,
    pending: [],
    pendingBytes: 0,
    // The id of the latest frame dropped from a full `pending`: caught up to once more.
    behind: null,
    holder: null,
    left: false,
    heardAt: Date.now(),
  };
  const tap = link.tap;
  link.tap = (frame) => {
    known.learn(frame);
    if (tap) tap(frame);
  };
  const post = (message) => {
    if (!tab.left) channel.postMessage(message);
  };
  const announce = () => post({ t: 'want', tab: me, filter: mine });

  const report = link.report;
  link.report = (status) => {
    if (tab.holder) {
      tab.holder.status = status;
      post({ t: 'status', ...status });
    }
    report({ ...status, sharing: { holder: Boolean(tab.holder), tabs: peers.size } });
  };

  /** A frame of the shared stream, relayed or this tab's own as holder. */
  function take(message) {
    if (!covers(message.covers, mine)) return; // Not yet asked for with this tab's filter.
    if (tab.catching) {
      keep(message);
      return;
    }
    if (!follows(message.prev, tab.cursor)) {
      keep(message);
      catchUp(message.prev);
      return;
    }
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    if (frame.type === 'snapshot') {
      // The stream started over (the server could not resume it): this tab's own view comes
      // from its own catch-up, which answers from its cursor with events or its own snapshot.
      catchUp(message.id);
      return;
    }
    const taken = known.admits(frame, mine);
    tab.cursor = laterId(tab.cursor, message.id);
    if (taken) link.deliverParsed(frame);
    else known.learn(frame);
  }

  function keep(message) {
    const bytes = String(message.data).length;
    if (tab.pendingBytes + bytes <= PENDING_MAX_BYTES) {
      tab.pending.push(message);
      tab.pendingBytes += bytes;
    } else {
      tab.pending = [];
      tab.pendingBytes = 0;
      tab.behind = message.id;
    }
  }

  /**
   * Fetch what this tab lacks since its cursor, up to at least `goal`, then take what waited;
   * `fresh` asks for a snapshot instead.
   */
  async function catchUp(goal, fresh = false) {
    if (tab.catching || tab.left) return;
    tab.catching = true;
    try {
      for (;;) {
        const params = new URLSearchParams(link.params);
        params.set('wait', '0');
        if (tab.cursor && !fresh) params.set('since', tab.cursor);
        const response = await fetch(`/api/events?${params}`, { cache: 'no-store' });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const frames = await response.json();
        if (tab.left) return;
        for (const frame of Array.isArray(frames) ? frames : []) {
          link.deliverParsed(frame);
          tab.cursor = frame.type === 'snapshot' ? frame.id : laterId(tab.cursor, frame.id);
        }
        if (response.headers.get('livescore-more') !== 'true') break;
      }
      // The answer ran to the server's head, which was past `goal` when it was asked.
      tab.cursor = laterId(tab.cursor, goal);
    } catch {
      tab.catching = false;
      link.retryLater(() => catchUp(goal, fresh));
      return;
    }
    tab.catching = false;
    link.attempt = 0;
    if (tab.behind) {
      const again = tab.behind;
      tab.behind = null;
      catchUp(again);
      return;
    }
    const waiting = tab.pending;
    tab.pending = [];
    tab.pendingBytes = 0;
    for (const message of waiting) take(message);
  }

  // ------------------------------------------------------------------ holding the stream

  /** This tab holds the lock: gather the tabs' filters, then open the stream. */
  function hold() {
    const holder = { source: null, covers: null, lastSeen: null, timer: null, status: null, beat: null };
    tab.holder = holder;
    for (const id of [...peers.keys()]) if (id !== me) peers.delete(id);
    post({ t: 'who' });
    holder.timer = setTimeout(open, GATHER_MS);
    holder.beat = setInterval(() => { if (holder.status) post({ t: 'status', ...holder.status }); }, BEAT_MS);
  }

  /** The lock went to another tab (or this one leaves): close the stream, keep the copy. */
  function stepDown() {
    const holder = tab.holder;
    if (!holder) return;
    tab.holder = null;
    clearTimeout(holder.timer);
    clearInterval(holder.beat);
    if (holder.source) holder.source.close();
  }

  function open() {
    const holder = tab.holder;
    if (!holder || tab.left) return;
    clearTimeout(holder.timer);
    if (holder.source) holder.source.close();
    holder.covers = unionFilters([...peers.values()]);
    const from = holder.lastSeen || tab.cursor;
    holder.lastSeen = from;
    const params = link.paramsOf(holder.covers);
    params.set('lastEventId', from);
    const source = new EventSource(`/events?${params}`);
    holder.source = source;
    source.onopen = () => link.live();
    source.onerror = () => {
      if (tab.left || tab.holder !== holder || holder.source !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        link.retryLater(open);
      } else {
        // The browser is already reconnecting (sending Last-Event-ID itself).
        link.attempt += 1;
        link.reportTrouble();
      }
    };
    const relay = (event) => {
      if (tab.holder !== holder || holder.source !== source) return;
      const message = { t: 'frame', prev: holder.lastSeen, id: event.lastEventId, data: event.data, covers: holder.covers };
      if (event.lastEventId) holder.lastSeen = event.lastEventId;
      post(message);
      take(message);
    };
    for (const type of link.eventTypes) source.addEventListener(type, relay);
  }

  /** The tabs' filters changed: widen the stream at once, narrow it after a while. */
  function refilter() {
    const holder = tab.holder;
    if (!holder || !holder.covers) return;
    const wanted = unionFilters([...peers.values()]);
    if (sameFilter(wanted, holder.covers)) return;
    clearTimeout(holder.timer);
    holder.timer = setTimeout(open, covers(holder.covers, wanted) ? NARROW_AFTER_MS : GATHER_MS);
  }

  channel.onmessage = ({ data: message }) => {
    if (!message || typeof message !== 'object' || tab.left) return;
    switch (message.t) {
      case 'want':
        peers.set(message.tab, normalFilter(message.filter));
        if (tab.holder) {
          refilter();
          if (tab.holder.status) link.report(tab.holder.status);
        }
        break;
      case 'bye':
        peers.delete(message.tab);
        if (tab.holder) {
          refilter();
          if (tab.holder.status) link.report(tab.holder.status);
        }
        break;
      case 'who':
        announce();
        break;
      case 'frame':
        tab.heardAt = Date.now();
        if (!tab.holder) take(message);
        break;
      case 'status':
        tab.heardAt = Date.now();
        if (!tab.holder) report({ state: message.state, attempt: message.attempt, sharing: { holder: false } });
        break;
      default:
        break;
    }
  };

  let lock = null;
  /** Wait for the lock (or, with `steal`, take it from a holder gone silent), then hold. */
  function queueForLock(steal = false) {
    if (lock) lock.abort.abort();
    const request = { abort: new AbortController(), release: null };
    lock = request;
    // A stealing request cannot also be abortable.
    const options = steal ? { steal: true } : { signal: request.abort.signal };
    navigator.locks.request(NAME, options, () => new Promise((resolve) => {
      request.release = resolve;
      if (tab.left || lock !== request) resolve();
      else hold();
    })).catch(() => {
      // Stolen by a tab that stopped hearing from this one (it was frozen): queue again.
      if (lock !== request) return;
      stepDown();
      if (!tab.left) queueForLock();
    });
  }

  function checkSilence() {
    if (tab.left || tab.holder || document.visibilityState !== 'visible') return;
    if (Date.now() - tab.heardAt > SILENT_MS) {
      tab.heardAt = Date.now();
      queueForLock(true);
    }
  }
  const watch = setInterval(checkSilence, BEAT_MS);
  document.addEventListener('visibilitychange', checkSilence);
  queueForLock();

  const leave = () => {
    if (tab.left) return;
    post({ t: 'bye', tab: me });
    tab.left = true;
    stepDown();
    clearInterval(watch);
    document.removeEventListener('visibilitychange', checkSilence);
    lock.abort.abort();
    if (lock.release) lock.release();
    channel.close();
    link.tap = tap;
    link.report = report;
    removeEventListener('pagehide', leave);
  };
  addEventListener('pagehide', leave);
  // A page brought back from the back/forward cache left the sharing when it was hidden.
  addEventListener('pageshow', (event) => { if (event.persisted && tab.left) location.reload(); });

  announce();
  // A tab that resumed (no snapshot this time) and narrows by league needs the leagues of its
  // matches to take the right frames: they come with its own snapshot.
  if (mine.leagues.length && !known.loaded) catchUp(null, true);
  return leave;
}
