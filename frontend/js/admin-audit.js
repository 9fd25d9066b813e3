// The console's server-side reads: a fetch with the Bearer token (held by admin.js in memory
// only; never in a URL or storage), and the audit trail panel built from GET /api/admin/audit,
// newest first, with "Older" paging on the `before` cursor. Being read from the server, the trail
// shows what happened before this tab was opened, and survives a reload.

import { el } from './render.js';
import { shortTime } from './admin-news.js';

const PAGE = 50;

/** GET `route` with the token; the parsed JSON, or an Error saying what the server answered. */
export async function adminGet(route, token) {
  const response = await fetch(route, {
    headers: { Authorization: `Bearer ${token}` },
    cache: 'no-store',
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // an error page that is not JSON: the status says enough
  }
  if (!response.ok) {
    const why = body && body.error ? `${body.error.code}: ${body.error.message}` : response.statusText;
    throw new Error(`HTTP ${response.status}${why ? ` (${why})` : ''}`);
  }
  return body;
}

export class AuditPanel {
  /** `get(route)` is adminGet with the current token; `describeMatch(id)` names a match. */
  constructor(get, describeMatch) {
    this.get = get;
    this.describeMatch = describeMatch;
    this.list = document.querySelector('#audit');
    this.older = document.querySelector('#audit-older');
    this.error = document.querySelector('#audit-error');
    this.oldest = null;
    this.entries = new WeakMap();
    this.loading = false;
    this.refreshTimer = null;
    // Servers from before roles (no `role` in `ready`) keep no audit trail: nothing to ask for.
    this.supported = true;
    this.older.addEventListener('click', () => this.loadOlder());
    document.querySelector('#audit-refresh').addEventListener('click', () => this.refresh());
  }

  clear() {
    clearTimeout(this.refreshTimer);
    this.list.replaceChildren();
    this.older.hidden = true;
    this.error.textContent = '';
    this.oldest = null;
  }

  /** The newest page again (after sign-in, and shortly after a person's edit arrives). */
  async refresh() {
    clearTimeout(this.refreshTimer);
    if (!this.supported) {
      this.error.textContent = 'This server keeps no audit trail (it predates editor roles).';
      return;
    }
    try {
      const entries = await this.get(`/api/admin/audit?limit=${PAGE}`);
      this.error.textContent = '';
      this.list.replaceChildren(...entries.map((entry) => this.row(entry)));
      this.oldest = entries.length ? entries[entries.length - 1].seq : null;
      this.older.hidden = entries.length < PAGE;
    } catch (error) {
      this.error.textContent = `Audit trail unavailable: ${error.message || error}`;
    }
  }

  /** Refresh soon: a burst of edits is read once. */
  soon() {
    if (!this.supported) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 400);
  }

  async loadOlder() {
    if (this.loading || this.oldest === null) return;
    this.loading = true;
    this.older.disabled = true;
    try {
      const entries = await this.get(`/api/admin/audit?limit=${PAGE}&before=${this.oldest}`);
      this.error.textContent = '';
      this.list.append(...entries.map((entry) => this.row(entry)));
      if (entries.length) this.oldest = entries[entries.length - 1].seq;
      this.older.hidden = entries.length < PAGE;
    } catch (error) {
      this.error.textContent = `Older entries unavailable: ${error.message || error}`;
    } finally {
      this.loading = false;
      this.older.disabled = false;
    }
  }

  row(entry) {
    const li = el('li', `audit-${entry.type}`);
    li.dataset.seq = String(entry.seq);
    const time = el('time', 'log-time', shortTime(entry.at));
    time.dateTime = entry.at || '';
    li.append(time, el('span', 'log-text', `${entry.by}: ${entry.summary || entry.type}`));
    li.append(el('span', 'log-detail', this.where(entry)));
    this.entries.set(li, entry);
    return li;
  }

  where(entry) {
    return [entry.match_id != null ? this.describeMatch(entry.match_id) : '',
      entry.news_id != null ? `news #${entry.news_id}` : '', `seq ${entry.seq}`].filter(Boolean).join(' · ');
  }

  /** Name the matches again: the trail can arrive before the feed's snapshot has the teams. */
  rename() {
    for (const li of this.list.children) {
      const entry = this.entries.get(li);
      const detail = li.querySelector('.log-detail');
      if (entry && detail) detail.textContent = this.where(entry);
    }
  }
}
