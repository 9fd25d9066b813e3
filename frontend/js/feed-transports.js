// The transports the feed takes besides a shared SSE stream (feed-share.js): an SSE stream of
// the tab's own (a browser that cannot share), WebSocket, long-poll and short poll, which the
// dashboard offers for comparing them on the same feed. Loaded when one is asked for, so the
// first load carries only what the default needs.

const POLL_INTERVAL_MS = 1000;
const LONG_POLL_WAIT_S = 25;

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

function withResume(params, name, id) {
  const copy = new URLSearchParams(params);
  if (id) copy.set(name, id);
  const text = copy.toString();
  return text ? `?${text}` : '';
}

/** SSE: the browser resumes by itself while it can; once it gives up we start a new one. */
export function openSse(link) {
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
    for (const type of link.eventTypes) {
      source.addEventListener(type, (message) => link.deliver(message.data));
    }
  };
  connect();
  return () => source && source.close();
}

/** WebSocket carrying SSE frames; any close but our own is followed by a resume. */
export function openWs(link) {
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
export function openLongPoll(link) {
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
export function openPoll(link) {
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
