// The admin console's WebSocket to /ws/admin: authenticates first, hands every server frame to
// the console, and reconnects with backoff and jitter, except after 4001 (a bad token will not
// get better by retrying). Every close is reported with its code and reason.

import { backoffDelay } from './feed.js';

const UNAUTHORIZED = 4001;

const CLOSE_CODES = {
  1000: 'closed',
  1001: 'server going away',
  1002: 'protocol error',
  1006: 'connection lost',
  1008: 'closed for policy (too many bad messages)',
  1009: 'message too big',
  1011: 'server error',
  1013: 'server busy',
  [UNAUTHORIZED]: 'unauthorized',
};

/** "server going away (1001): server shutting down" */
function describeClose(code, reason) {
  const words = CLOSE_CODES[code] || 'closed';
  return `${words} (${code})${reason ? `: ${reason}` : ''}`;
}

export class AdminChannel {
  /**
   * `onFrame(message)` gets every parsed server frame; `onStatus({state, text})` reports the
   * connection; `onUnauthorized(text)` is called once the server refuses the token.
   */
  constructor({ token, onFrame, onStatus, onUnauthorized }) {
    this.token = token;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.onUnauthorized = onUnauthorized;
    this.socket = null;
    this.attempt = 0;
    this.stopped = false;
    this.retryTimer = null;
    this.countdownTimer = null;
    this.ready = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  /** Close for good (logout): no reconnect. */
  stop() {
    this.stopped = true;
    this.clearTimers();
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close(1000, 'logout');
      this.socket = null;
    }
    this.ready = false;
  }

  /** Send a command; false when there is no authenticated connection to send it on. */
  send(command) {
    if (!this.ready || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(command));
    return true;
  }

  connect() {
    this.clearTimers();
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const socket = new WebSocket(`${scheme}${location.host}/ws/admin`);
    this.socket = socket;
    this.ready = false;
    this.onStatus({ state: 'connecting', text: this.attempt ? `reconnecting (attempt ${this.attempt})…` : 'connecting…' });
    socket.onopen = () => {
      this.onStatus({ state: 'connecting', text: 'authenticating…' });
      socket.send(JSON.stringify({ type: 'auth', token: this.token }));
    };
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.ready = true;
        this.attempt = 0;
        this.onStatus({ state: 'live', text: `connected as ${frame.admin}` });
      }
      this.onFrame(frame);
    };
    socket.onclose = (event) => this.closed(event);
  }

  closed(event) {
    this.socket = null;
    this.ready = false;
    if (this.stopped) return;
    if (event.code === UNAUTHORIZED) {
      this.stopped = true;
      const text = `closed ${event.code}: ${event.reason || 'unauthorized'}`;
      this.onStatus({ state: 'offline', text });
      this.onUnauthorized(text);
      return;
    }
    this.attempt += 1;
    const delay = backoffDelay(this.attempt);
    const due = Date.now() + delay;
    const why = describeClose(event.code, event.reason);
    const tell = () => {
      const seconds = Math.max(1, Math.ceil((due - Date.now()) / 1000));
      this.onStatus({ state: 'reconnecting', text: `${why}, reconnecting in ${seconds} s…` });
    };
    tell();
    this.countdownTimer = setInterval(tell, 1000);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  clearTimers() {
    clearTimeout(this.retryTimer);
    clearInterval(this.countdownTimer);
  }

  /** Waiting to reconnect: do it now (the network is back, or the tab is looked at again). */
  retryNow() {
    if (this.stopped || this.socket) return;
    this.clearTimers();
    this.connect();
  }
}
