// The console's editable news list: each story with its version, author and a "Breaking" mark;
// "Edit" opens an editor (headline, body, tags, breaking) under the story together with the
// story's history as the server recorded it (GET /api/admin/news/{id}/history).

import { el, placeInOrder } from './render.js';
import { button, conflictBox, splitTags } from './admin-render.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
  hourCycle: 'h23',
});

/** "14:02:11" today, "12 Mar, 14:02" before; the raw text when it does not parse. */
export function shortTime(iso, now = new Date()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso || '');
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : dayTimeFormat.format(date);
}

export class AdminNews {
  constructor(list, store, actions) {
    this.list = list;
    this.store = store;
    this.actions = actions;
    this.items = new Map();
  }

  render() {
    const nodes = [];
    for (const item of this.store.newsNewestFirst()) nodes.push(this.update(item));
    for (const [id, entry] of this.items) {
      if (!this.store.news.has(id)) {
        entry.li.remove();
        this.items.delete(id);
      }
    }
    placeInOrder(this.list, nodes);
  }

  update(item) {
    let entry = this.items.get(item.id);
    if (!entry) {
      entry = this.build(item);
      this.items.set(item.id, entry);
    }
    entry.headline.textContent = item.headline;
    entry.breaking.hidden = !item.breaking;
    entry.meta.textContent = `#${item.id} · v${item.version} · ${item.author || ''} · ${(item.tags || []).join(', ')}`;
    const key = `news:${item.id}`;
    const conflict = this.actions.conflictFor(key);
    entry.conflict.replaceChildren(...(conflict ? [conflictBox(conflict, this.actions, key)] : []));
    // An open history is read again when the story changes, so it never lags the story shown.
    if (!entry.panel.hidden && entry.shownVersion !== item.version) this.loadHistory(item.id, entry);
    return entry.li;
  }

  build(item) {
    const li = el('li', 'admin-news-item');
    li.dataset.newsId = String(item.id);
    const title = el('p', 'news-title');
    const breaking = el('span', 'breaking-badge', 'Breaking');
    const headline = el('span', 'headline');
    title.append(breaking, headline);
    const meta = el('p', 'subtle');
    const tools = el('div', 'row');
    const panel = el('div', 'news-panel');
    panel.hidden = true;
    const editor = el('form', 'news-editor');
    const history = el('div', 'news-history');
    panel.append(editor, history);
    const conflict = el('div', 'conflict-area');
    const entry = { li, headline, breaking, meta, panel, editor, history, conflict, shownVersion: null };
    tools.append(
      button('edit', 'Edit', () => this.openEditor(item.id, entry)),
      button('retract danger', 'Retract', () => this.retract(item.id)),
    );
    li.append(title, meta, tools, panel, conflict);
    return entry;
  }

  async retract(newsId) {
    const item = this.store.news.get(newsId);
    const sure = await this.actions.confirm({
      title: 'Retract this story?',
      text: `“${item ? item.headline : `news #${newsId}`}” disappears from every viewer's feed.`,
      confirmText: 'Retract',
    });
    if (sure) this.actions.retractNews(newsId);
  }

  openEditor(newsId, entry) {
    const item = this.store.news.get(newsId);
    if (!item) return;
    const { editor, panel } = entry;
    const field = (text, control) => {
      const label = el('label', 'field');
      label.append(el('span', null, text), control);
      return label;
    };
    const headline = el('input', 'edit-headline');
    headline.value = item.headline;
    headline.required = true;
    headline.maxLength = 200;
    const body = el('textarea', 'edit-body');
    body.value = item.body || '';
    body.rows = 3;
    const tags = el('input', 'edit-tags');
    tags.value = (item.tags || []).join(', ');
    const breaking = el('input', 'edit-breaking');
    breaking.type = 'checkbox';
    breaking.checked = Boolean(item.breaking);
    const breakingLabel = el('label', 'check');
    breakingLabel.append(breaking, ' Breaking news');
    const save = el('button', 'primary', 'Save');
    save.type = 'submit';
    const close = button('', 'Close', () => { panel.hidden = true; });
    const buttons = el('div', 'row');
    buttons.append(save, close);
    editor.replaceChildren(field('Headline', headline), field('Body', body),
      field('Tags (comma separated)', tags), breakingLabel, buttons);
    editor.onsubmit = (event) => {
      event.preventDefault();
      const fields = { headline: headline.value.trim(), body: body.value, tags: splitTags(tags.value) };
      // Sent only when changed, so a server without the flag still takes ordinary edits.
      if (breaking.checked !== Boolean(item.breaking)) fields.breaking = breaking.checked;
      this.actions.updateNews(newsId, fields, item.version);
      panel.hidden = true;
    };
    panel.hidden = false;
    this.loadHistory(newsId, entry);
    headline.focus();
  }

  async loadHistory(newsId, entry) {
    const item = this.store.news.get(newsId);
    entry.shownVersion = item ? item.version : null;
    const { history } = entry;
    history.replaceChildren(el('h3', null, 'History'), el('p', 'subtle', 'Loading…'));
    let versions;
    try {
      versions = await this.actions.newsHistory(newsId);
    } catch (error) {
      history.replaceChildren(el('h3', null, 'History'),
        el('p', 'error-text', `History unavailable: ${error.message || error}`));
      return;
    }
    const list = el('ol', 'history-list');
    for (const step of versions) {
      const li = el('li', `history-${step.type}`);
      const news = step.news || {};
      const what = step.type === 'news_retracted' ? 'retracted'
        : `v${news.version ?? '?'}${news.breaking ? ' · breaking' : ''}`;
      li.append(el('span', 'history-meta', `${shortTime(step.at)} · ${step.by || '?'} · ${what}`));
      if (step.type !== 'news_retracted') li.append(el('span', 'history-headline', news.headline || ''));
      list.append(li);
    }
    history.replaceChildren(el('h3', null, `History (${versions.length})`), list);
  }
}
