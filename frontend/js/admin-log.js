// The console's activity log (this tab's commands and replies, other admins' edits), newest
// first and bounded, and the words for another admin's edit.

import { el } from './render.js';

const LOG_LIMIT = 200;

/** Add a line to the activity log, newest first. */
export function log(kind, text, detail = '') {
  const list = document.querySelector('#log');
  const item = el('li', `log-${kind}`);
  const time = el('time', 'log-time', new Date().toLocaleTimeString([], { hourCycle: 'h23' }));
  time.dateTime = new Date().toISOString();
  item.append(time, el('span', 'log-text', text));
  if (detail) item.append(el('span', 'log-detail', detail));
  list.prepend(item);
  while (list.children.length > LOG_LIMIT) list.lastElementChild.remove();
}

/** What another admin's `event` did, in a few words; null for events not worth a line. */
export function editWords(event, store, describeMatch) {
  const match = store.matches.get(event.match_id);
  const what = {
    score: () => `set ${match ? store.scoreLine(match) : `match ${event.match_id}`}`,
    status: () => `${describeMatch(event.match_id)} → ${event.status}`,
    incident: () => `${event.incident.kind.replace('_', ' ')} in ${describeMatch(event.match_id)}`,
    incident_removed: () => `removed an incident in ${describeMatch(event.match_id)}`,
    incident_amended: () => `amended a ${event.incident.kind.replace('_', ' ')} in ${describeMatch(event.match_id)}`,
    lineup: () => `${event.team} lineup for ${describeMatch(event.match_id)}`,
    stats: () => `stats for ${describeMatch(event.match_id)}`,
    match: () => `created ${describeMatch(event.match.id)}`,
    news: () => `${event.news.version > 1 ? 'updated' : 'published'} “${event.news.headline}”`,
    news_retracted: () => `retracted news #${event.news_id}`,
  }[event.type];
  return what ? what() : null;
}
