// Undo of the last score or incident edit, and the toast that offers it. An undo is not a local
// rollback: it is a new corrective command (score.set back to the previous values, checked
// against the version the edit produced; incident.remove for an added incident), so viewers and
// the audit trail see it like any edit, and a newer edit by someone else makes it a conflict.

const UNDO_MS = 10000;
const $ = (selector) => document.querySelector(selector);

/**
 * The bottom toast: one message, an optional "Undo" (also Ctrl+Z), hidden after 10 s unless
 * hovered or focused.
 */
/**
 * `text` isolated from what surrounds it (Unicode FSI … PDI): a headline or a server message
 * written right to left, or carrying a stray direction mark, cannot reorder the rest of the line.
 */
export function isolate(text) {
  return `\u2068${text}\u2069`;
}

export class Toast {
  constructor() {
    this.root = $('#toast');
    this.text = $('#toast-text');
    this.undo = $('#toast-undo');
    this.timer = null;
    this.onUndo = null;
    this.held = false;
    this.undo.addEventListener('click', () => {
      const run = this.onUndo;
      this.onUndo = null;
      this.undo.hidden = true;
      if (run) run();
    });
    $('#toast-close').addEventListener('click', () => this.hide());
    // Time runs out only while nobody is reading or about to press Undo.
    const hold = () => { this.held = true; clearTimeout(this.timer); };
    const release = () => { this.held = false; this.arm(); };
    this.root.addEventListener('mouseenter', hold);
    this.root.addEventListener('mouseleave', release);
    this.root.addEventListener('focusin', hold);
    this.root.addEventListener('focusout', release);
    // Ctrl+Z (⌘Z) outside a text field presses Undo while it is offered: no tabbing to the toast.
    document.addEventListener('keydown', (event) => {
      if (event.key.toLowerCase() !== 'z' || !(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
      if (this.undo.hidden || this.root.hidden) return;
      const target = event.target;
      if (target instanceof Element && target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], dialog')) return;
      event.preventDefault();
      this.undo.click();
    });
  }

  /** `kind` is ok, error or info; `onUndo` adds the Undo button. */
  show(text, { kind = 'ok', onUndo = null } = {}) {
    this.root.dataset.kind = kind;
    this.text.textContent = text;
    this.onUndo = onUndo;
    this.undo.hidden = !onUndo;
    this.root.hidden = false;
    this.arm();
  }

  arm() {
    clearTimeout(this.timer);
    if (!this.held && !this.root.hidden) this.timer = setTimeout(() => this.hide(), UNDO_MS);
  }

  hide() {
    clearTimeout(this.timer);
    const hadFocus = this.root.contains(document.activeElement);
    this.root.hidden = true;
    this.onUndo = null;
    this.held = false;
    if (hadFocus) document.querySelector('#admin-title').focus();
  }
}

/**
 * Works out the corrective command for an acknowledged edit. The incident id of an added
 * incident comes from its `incident` event, which may arrive before or after the ack.
 */
export class UndoBook {
  constructor() {
    this.incidents = new Map(); // "match:version" → incident id, for recent incident events
    this.waiting = null; // {key, resolve} for an ack that came before its event
  }

  /** Note each incident event (only the last few hundred are kept). */
  seen(event) {
    if (event.type !== 'incident') return;
    const key = `${event.match_id}:${event.version}`;
    this.incidents.set(key, event.incident.id);
    if (this.incidents.size > 500) this.incidents.delete(this.incidents.keys().next().value);
    const w = this.waiting;
    if (w && w.key === key) {
      this.waiting = null;
      w.resolve(event.incident.id);
    }
  }

  /**
   * The command undoing `undo` ({kind:'score', matchId, before}
   * or {kind:'incident', matchId, scoring}) given its ack; resolves null when it cannot be worked out.
   */
  async corrective(undo, ack) {
    if (undo.kind === 'score') {
      return {
        type: 'score.set', match_id: undo.matchId, home: undo.before.home, away: undo.before.away,
        expected_version: ack.version,
      };
    }
    // A scoring incident is followed by its score event, so the incident holds version - 1.
    const key = `${undo.matchId}:${undo.scoring ? ack.version - 1 : ack.version}`;
    let incidentId = this.incidents.get(key);
    if (incidentId === undefined) {
      incidentId = await new Promise((resolve) => {
        if (this.waiting) this.waiting.resolve(null);
        const waiting = { key, resolve };
        this.waiting = waiting;
        setTimeout(() => {
          if (this.waiting !== waiting) return;
          this.waiting = null;
          resolve(null);
        }, UNDO_MS);
      });
    }
    if (incidentId === null || incidentId === undefined) return null;
    return { type: 'incident.remove', match_id: undo.matchId, incident_id: incidentId };
  }
}
