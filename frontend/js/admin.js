// Entry point of the admin console (GET /admin): token login (kept in sessionStorage only), the
// admin channel, the live state (snapshot + events, as on the dashboard), commands with their
// replies in the activity log, and conflict notices that offer a retry.

import { AdminChannel } from './admin-channel.js';
import { AdminMatches, AdminNews, splitTags } from './admin-render.js';
import { el } from './render.js';
import { FeedStore } from './store.js';

const TOKEN_KEY = 'livescore.admin.token';
const LOG_LIMIT = 200;

const $ = (selector) => document.querySelector(selector);
const store = new FeedStore();
let channel = null;
let me = null;
let loading = null; // events that arrive while the snapshot is being fetched
let commandCount = 0;
const pending = new Map(); // command id → {command, label, key}
const conflicts = new Map(); // "match:7" / "news:3" → {command, text}
// Squads are reference data served by GET /api/teams, not part of snapshots.
const squads = new Map(); // team id → [{number, name, position}]

const actions = {
  setScore: (matchId, home, away) => send(
    { type: 'score.set', match_id: matchId, home, away, expected_version: versionOf(`match:${matchId}`) },
    `score ${describeMatch(matchId)} → ${home}-${away}`, `match:${matchId}`),
  setStatus: (matchId, status) => send({ type: 'match.status', match_id: matchId, status },
    `${describeMatch(matchId)} → ${status}`, `match:${matchId}`),
  addIncident: (matchId, fields) => send({ type: 'incident.add', match_id: matchId, ...fields },
    `${fields.kind.replace('_', ' ')} for ${describeMatch(matchId)}`, `match:${matchId}`),
  updateNews: (newsId, fields, version) => send(
    { type: 'news.update', news_id: newsId, ...fields, expected_version: version },
    `update news #${newsId}`, `news:${newsId}`),
  retractNews: (newsId) => send({ type: 'news.retract', news_id: newsId },
    `retract news #${newsId}`, `news:${newsId}`),
  conflictFor: (key) => conflicts.get(key) || null,
  squadOf: (teamId) => squads.get(teamId) || store.team(teamId).squad || [],
  /** Send the refused command again, checked against the version shown now. */
  retry(key) {
    const conflict = conflicts.get(key);
    if (!conflict) return;
    conflicts.delete(key);
    const command = { ...conflict.command, expected_version: versionOf(key) };
    delete command.id;
    send(command, `${conflict.label.replace(/ \(retry\)$/, '')} (retry)`, key);
    render();
  },
  dismiss(key) {
    conflicts.delete(key);
    render();
  },
};

const matches = new AdminMatches($('#admin-matches'), store, actions);
const newsList = new AdminNews($('#admin-news'), store, actions);

function versionOf(key) {
  const [kind, id] = key.split(':');
  const item = kind === 'match' ? store.matches.get(Number(id)) : store.news.get(Number(id));
  return item ? item.version : undefined;
}

function describeMatch(matchId) {
  const match = store.matches.get(matchId);
  if (!match) return `match ${matchId}`;
  return `${store.team(match.home).short_name} v ${store.team(match.away).short_name}`;
}

/** Send one command with a fresh id; its reply is matched up in `onReply`. */
function send(command, label, key = null) {
  commandCount += 1;
  const id = `c${Date.now().toString(36)}-${commandCount}`;
  const full = { ...command, id };
  if (!channel || !channel.send(full)) {
    log('error', `not sent (not connected): ${label}`);
    return;
  }
  pending.set(id, { command: full, label, key, n: commandCount });
}

function onReply(frame) {
  const sent = pending.get(frame.id);
  pending.delete(frame.id);
  const label = sent ? sent.label : `command ${frame.id}`;
  if (frame.type === 'ack') {
    // Only a command sent after the refused one settles its conflict: with a durable server the
    // refusal of a stale edit can arrive before the ack of the edit that beat it.
    const conflict = sent && sent.key ? conflicts.get(sent.key) : null;
    if (conflict && sent.n > conflict.n) conflicts.delete(sent.key);
    const extra = [frame.version ? `version ${frame.version}` : '', `seq ${frame.seq}`];
    if (frame.news_id != null && sent && sent.command.type === 'news.publish') extra.unshift(`news #${frame.news_id}`);
    log('ok', `✓ ${label}`, extra.filter(Boolean).join(', '));
  } else {
    log('error', `✗ ${label}: ${frame.code}`, frame.message);
    if (frame.code === 'conflict' && sent && sent.key) {
      conflicts.set(sent.key, { command: sent.command, label, key: sent.key, n: sent.n });
    }
  }
  render();
}

function conflictText(key) {
  const [kind, id] = key.split(':');
  if (kind === 'match') {
    const match = store.matches.get(Number(id));
    return match
      ? `match changed meanwhile: now ${match.score.home}-${match.score.away} (version ${match.version})`
      : 'match changed meanwhile';
  }
  const item = store.news.get(Number(id));
  return item ? `news changed meanwhile: now version ${item.version}: “${item.headline}”`
    : 'news item was retracted meanwhile';
}

/** Activity log, newest first. */
function log(kind, text, detail = '') {
  const list = $('#log');
  const item = el('li', `log-${kind}`);
  const time = el('time', 'log-time', new Date().toLocaleTimeString());
  time.dateTime = new Date().toISOString();
  item.append(time, el('span', 'log-text', text));
  if (detail) item.append(el('span', 'log-detail', detail));
  list.prepend(item);
  while (list.children.length > LOG_LIMIT) list.lastElementChild.remove();
}

/** Other admins' edits, as they happen (the generator's are too many to list). */
function logRemote(event) {
  if (!event.by || event.by === me || event.by === 'generator') return;
  const match = store.matches.get(event.match_id);
  const what = {
    score: () => `set ${match ? store.scoreLine(match) : `match ${event.match_id}`}`,
    status: () => `${describeMatch(event.match_id)} → ${event.status}`,
    incident: () => `${event.incident.kind.replace('_', ' ')} in ${describeMatch(event.match_id)}`,
    match: () => `created ${describeMatch(event.match.id)}`,
    news: () => `${event.news.version > 1 ? 'updated' : 'published'} “${event.news.headline}”`,
    news_retracted: () => `retracted news #${event.news_id}`,
  }[event.type];
  if (what) log('remote', `${event.by}: ${what()}`);
}

function onFrame(frame) {
  switch (frame.type) {
    case 'ready':
      // Replies to commands sent on the previous connection are lost with it.
      for (const sent of pending.values()) log('error', `no reply (connection closed): ${sent.label}`);
      pending.clear();
      conflicts.clear();
      me = frame.admin;
      $('#whoami').textContent = frame.admin;
      showGenerator(frame.generator);
      log('info', `signed in as ${frame.admin}`, `stream ${frame.stream}, seq ${frame.seq}`);
      loadSnapshot();
      break;
    case 'event':
      if (loading) loading.push(frame.event);
      else applyEvent(frame.event);
      break;
    case 'presence':
      showPresence(frame.admins || []);
      break;
    case 'generator':
      showGenerator(frame);
      break;
    case 'ack':
    case 'error':
      onReply(frame);
      break;
    default:
      break;
  }
}

function applyEvent(event) {
  if (store.applyEvent(event)) {
    logRemote(event);
    render();
  }
}

/** Squads for the incident form's player list; fetched once, they do not change while running. */
async function loadSquads() {
  if (squads.size) return;
  try {
    const response = await fetch('/api/teams', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    for (const team of await response.json()) squads.set(team.id, team.squad || []);
  } catch (error) {
    log('error', 'could not load the squads; players can still be left out', String(error.message || error));
  }
}

/** After every (re)connect: the whole state again, then the events that came meanwhile. */
async function loadSnapshot() {
  loading = [];
  const squadsLoaded = loadSquads();
  try {
    const response = await fetch('/api/snapshot', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    store.applySnapshot(await response.json());
  } catch (error) {
    log('error', 'could not load the feed state', String(error.message || error));
  }
  const queued = loading;
  loading = null;
  for (const event of queued) store.applyEvent(event);
  fillMatchSelect();
  render();
  await squadsLoaded;
  render();
}

function render() {
  for (const [key, conflict] of conflicts) conflict.text = conflictText(key);
  matches.render();
  newsList.render();
}

function showPresence(admins) {
  $('#presence').replaceChildren(...admins.map((name) => el('li', name === me ? 'me' : null, name)));
}

function showGenerator(generator) {
  const panel = $('#generator-panel');
  panel.hidden = !generator;
  if (!generator) return;
  const toggle = $('#generator-toggle');
  toggle.textContent = generator.running ? 'Pause generator' : 'Resume generator';
  toggle.dataset.running = String(Boolean(generator.running));
  $('#generator-state').textContent = `${generator.running ? 'running' : 'paused'} at ${generator.speed}×`;
  const speed = $('#generator-speed');
  if (document.activeElement !== speed && generator.speed != null) speed.value = String(generator.speed);
}

function fillMatchSelect() {
  const select = $('#news-match');
  const chosen = select.value;
  const options = [el('option', null, '— no match —')];
  options[0].value = '';
  for (const list of store.matchesByLeague().values()) {
    for (const match of list) {
      const o = el('option', null, describeMatch(match.id));
      o.value = String(match.id);
      options.push(o);
    }
  }
  select.replaceChildren(...options);
  select.value = chosen;
}

let connectionState = 'offline';
function showConnection({ state, text }) {
  if (connectionState === 'live' && state !== 'live') log('error', text);
  connectionState = state;
  const status = $('#admin-conn');
  status.textContent = text;
  status.dataset.state = state;
  $('#console').classList.toggle('stale', state !== 'live');
}

function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  $('#login-section').hidden = true;
  $('#console').hidden = false;
  $('#logout').hidden = false;
  $('#login-error').textContent = '';
  if (channel) channel.stop();
  channel = new AdminChannel({
    token,
    onFrame,
    onStatus: showConnection,
    onUnauthorized: (text) => signOut(text),
  });
  channel.start();
}

function signOut(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  if (channel) channel.stop();
  channel = null;
  me = null;
  $('#console').hidden = true;
  $('#logout').hidden = true;
  $('#login-section').hidden = false;
  $('#login-error').textContent = message;
  $('#presence').replaceChildren();
  if (!message) showConnection({ state: 'offline', text: 'signed out' });
  $('#token').value = '';
  $('#token').focus();
}

function setUp() {
  $('#login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('#token').value.trim();
    if (token) signIn(token);
  });
  $('#logout').addEventListener('click', () => signOut());
  $('#news-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const headline = $('#news-headline').value.trim();
    if (!headline) return;
    const command = { type: 'news.publish', headline, tags: splitTags($('#news-tags').value) };
    const body = $('#news-body').value.trim();
    if (body) command.body = body;
    if ($('#news-match').value) command.match_id = Number($('#news-match').value);
    send(command, `publish “${headline}”`);
    $('#news-form').reset();
  });
  $('#generator-toggle').addEventListener('click', () => {
    const running = $('#generator-toggle').dataset.running === 'true';
    send({ type: 'generator.control', running: !running }, running ? 'pause generator' : 'resume generator');
  });
  $('#generator-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const speed = Number($('#generator-speed').value);
    send({ type: 'generator.control', speed }, `generator speed ${speed}×`);
  });
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) signIn(token);
  else signOut();
}

setUp();
