// Entry point of the editor console (GET /admin): token login (the token is kept in this page's
// memory only), the admin channel, the live state (snapshot + events, as on the dashboard),
// commands with their replies in the activity log and a toast offering undo, the role's limits,
// the server's audit trail, and conflict notices that offer a retry.

import { AdminChannel } from './admin-channel.js';
import { editWords, log } from './admin-log.js';
import { AmendDialog, showUnnamed } from './admin-amend.js';
import { showEditing, watchEditing } from './admin-editing.js';
import { goalKeys } from './admin-keys.js';
import { AdminMatches } from './admin-render.js';
import { AdminNews } from './admin-news.js';
import { AuditPanel, adminGet } from './admin-audit.js';
import { confirmAction, IncidentDialog } from './admin-dialogs.js';
import { LineupDialog } from './admin-lineup.js';
import { StatsDialog } from './admin-stats.js';
import { Toast, UndoBook, isolate } from './admin-undo.js';
import { setUpCreateForm, fillCreateForm } from './admin-create.js';
import { fillLeagueFilter, fillMatchSelect, setUpSideForms, showGenerator, showPresence } from './admin-forms.js';
import { scoringSide } from './incidents.js';
import { FeedStore } from './store.js';

// What an admin may do; a `ready` frame without `role`/`can` (an older server) means an admin.
const ALL_COMMANDS = ['score.set', 'incident.add', 'incident.remove', 'match.status', 'news.publish',
  'news.update', 'news.retract', 'match.create', 'generator.control', 'calendar.roll'];
// People's edits are in the audit trail; these are the machines'.
const MACHINES = new Set(['generator', 'calendar']);

const $ = (selector) => document.querySelector(selector);
const store = new FeedStore();
let channel = null;
let token = null; // in memory only: never in storage or a URL
let me = null;
// Who is at work on which match, as the last presence frame said.
let editing = [];
let can = new Set(ALL_COMMANDS);
let loading = null; // events that arrive while the snapshot is being fetched
let commandCount = 0;
const pending = new Map(); // command id → {command, label, key, n, undo, isUndo}
const conflicts = new Map(); // "match:7" / "news:3" → {command, text}
// Squads are reference data served by GET /api/teams, not part of snapshots.
const squads = new Map(); // team id → [{number, name, position}]
const toast = new Toast();
const undoBook = new UndoBook();
const audit = new AuditPanel((route) => adminGet(route, token), (id) => describeMatch(id));
store.subscribe((change) => {
  if (change.type === 'snapshot') audit.rename();
});

const actions = {
  setScore(matchId, home, away) {
    const match = store.matches.get(matchId);
    const before = match ? { ...match.score } : null;
    send({ type: 'score.set', match_id: matchId, home, away, expected_version: versionOf(`match:${matchId}`) },
      `score ${describeMatch(matchId)} → ${home}-${away}`, `match:${matchId}`,
      before ? { undo: { kind: 'score', matchId, before } } : {});
  },
  setStatus: (matchId, status) => send({ type: 'match.status', match_id: matchId, status },
    `${describeMatch(matchId)} → ${status}`, `match:${matchId}`),
  addIncident: (matchId, fields) => send({ type: 'incident.add', match_id: matchId, ...fields },
    `${fields.kind.replace('_', ' ')} for ${describeMatch(matchId)}`, `match:${matchId}`,
    { undo: { kind: 'incident', matchId, scoring: scoringSide({ kind: fields.kind, team: fields.team }) !== null } }),
  /** A goal from the card's "+", checked against the version shown: two editors (or two clicks)
   *  recording the same goal get one goal and one conflict notice, not two goals. */
  recordGoal: (matchId, fields) => actions.addIncident(matchId,
    { ...fields, expected_version: versionOf(`match:${matchId}`) }),
  removeIncident: (matchId, incident) => send(
    { type: 'incident.remove', match_id: matchId, incident_id: incident.id,
      expected_version: versionOf(`match:${matchId}`) },
    `take back ${incident.kind.replace('_', ' ')} for ${describeMatch(matchId)}`, `match:${matchId}`),
  /** Name a goal's scorer (or fix its minute): the score stays. */
  amendIncident: (matchId, incident, fields) => send(
    { type: 'incident.amend', match_id: matchId, incident_id: incident.id, ...fields,
      expected_version: versionOf(`match:${matchId}`) },
    `${fields.player ? `scorer ${fields.player}` : 'amend'} for ${describeMatch(matchId)}`, `match:${matchId}`),
  updateNews: (newsId, fields, version) => send(
    { type: 'news.update', news_id: newsId, ...fields, expected_version: version },
    `update news #${newsId}`, `news:${newsId}`),
  retractNews: (newsId) => send({ type: 'news.retract', news_id: newsId },
    `retract news #${newsId}`, `news:${newsId}`),
  confirm: confirmAction,
  openIncident: (match, preset) => incidentDialog.open(match, preset),
  openStats: (match) => statsDialog.open(match),
  openLineup: (match) => lineupDialog.open(match),
  setLineup: (matchId, side, sheet) => send(
    { type: 'lineup.set', match_id: matchId, team: side, ...sheet, expected_version: versionOf(`match:${matchId}`) },
    `${side} team sheet for ${describeMatch(matchId)}`, `match:${matchId}`),
  setStats: (matchId, figures) => send({ type: 'stats.set', match_id: matchId, ...figures },
    `stats for ${describeMatch(matchId)}`, `match:${matchId}`),
  newsHistory: (newsId) => (audit.supported
    ? adminGet(`/api/admin/news/${encodeURIComponent(newsId)}/history`, token)
    : Promise.reject(new Error('this server keeps no story history (it predates editor roles)'))),
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
const focusWatch = watchEditing($('#admin-matches'), (frame) => Boolean(channel && channel.send(frame)));
const newsList = new AdminNews($('#admin-news'), store, actions);
const incidentDialog = new IncidentDialog(store, actions.squadOf, actions.addIncident);
const amendDialog = new AmendDialog(store, actions.squadOf, actions.amendIncident);
const statsDialog = new StatsDialog(store, actions.setStats);
const lineupDialog = new LineupDialog(store, actions.squadOf, actions.setLineup);
goalKeys(document.querySelector('#admin-matches'), store, actions.openIncident);

function versionOf(key) {
  const [kind, id] = key.split(':');
  const item = kind === 'match' ? store.matches.get(Number(id)) : store.news.get(Number(id));
  return item ? item.version : undefined;
}

/** "Liverpool v Manchester United": full names, as short names can be ambiguous. */
function describeMatch(matchId) {
  const match = store.matches.get(matchId);
  if (!match) return `match ${matchId}`;
  return `${store.team(match.home).name} v ${store.team(match.away).name}`;
}

/** Send one command with a fresh id; its reply is matched up in `onReply`. */
function send(command, label, key = null, extra = {}) {
  commandCount += 1;
  const id = `c${Date.now().toString(36)}-${commandCount}`;
  const full = { ...command, id };
  if (!channel || !channel.send(full)) {
    log('error', `not sent (not connected): ${label}`);
    toast.show(`Not sent (not connected): ${label}`, { kind: 'error' });
    return;
  }
  pending.set(id, { command: full, label, key, n: commandCount, ...extra });
}

async function onReply(frame) {
  const sent = pending.get(frame.id);
  pending.delete(frame.id);
  const label = sent ? sent.label : `command ${frame.id}`;
  if (frame.type === 'ack') {
    // Only a command sent after the refused one settles its conflict: with a durable server the
    // refusal of a stale edit can arrive before the ack of the edit that beat it.
    const conflict = sent && sent.key ? conflicts.get(sent.key) : null;
    if (conflict && sent.n > conflict.n) conflicts.delete(sent.key);
    $('#forbidden-notice').hidden = true;
    const extra = [frame.version ? `version ${frame.version}` : '', `seq ${frame.seq}`];
    if (frame.news_id != null && sent && sent.command.type === 'news.publish') extra.unshift(`news #${frame.news_id}`);
    log('ok', `✓ ${label}`, extra.filter(Boolean).join(', '));
    if (sent && sent.onAck) sent.onAck(frame);
    if (sent && sent.isUndo) toast.show(`Undone: ${sent.undoOf}`, { kind: 'ok' });
    else if (sent && sent.undo && can.has(undoType(sent.undo))) offerUndo(sent, frame);
  } else {
    log('error', `✗ ${label}: ${frame.code}`, frame.message);
    if (frame.code === 'conflict' && sent && sent.key) {
      conflicts.set(sent.key, { command: sent.command, label, key: sent.key, n: sent.n });
    }
    if (frame.code === 'forbidden') showForbidden(frame.message);
    const what = sent && sent.isUndo ? `Undo failed (${sent.undoOf})` : `Not done: ${label}`;
    toast.show(`${isolate(what)} — ${frame.code}: ${isolate(frame.message)}`, { kind: 'error' });
  }
  render();
}

function undoType(undo) {
  return undo.kind === 'score' ? 'score.set' : 'incident.remove';
}

/** The toast after an undoable edit; its Undo sends the corrective command. */
function offerUndo(sent, ack) {
  toast.show(`✓ ${sent.label}`, {
    kind: 'ok',
    onUndo: async () => {
      toast.show(`Undoing: ${sent.label}…`, { kind: 'info' });
      const command = await undoBook.corrective(sent.undo, ack);
      if (!command) {
        toast.show(`Undo failed: the incident added by “${sent.label}” was not seen`, { kind: 'error' });
        return;
      }
      send(command, `undo ${sent.label}`, `match:${sent.undo.matchId}`, { isUndo: true, undoOf: sent.label });
    },
  });
}

function showForbidden(message) {
  const notice = $('#forbidden-notice');
  notice.textContent = `Not allowed for your role: ${message}`;
  notice.hidden = false;
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

/** Other admins' edits, as they happen (the generator's are too many to list). */
function logRemote(event) {
  if (!event.by || event.by === me || MACHINES.has(event.by)) return;
  const words = editWords(event, store, describeMatch);
  if (words) log('remote', `${event.by}: ${words}`);
}

function onFrame(frame) {
  switch (frame.type) {
    case 'ready':
      // Replies to commands sent on the previous connection are lost with it.
      for (const sent of pending.values()) log('error', `no reply (connection closed): ${sent.label}`);
      pending.clear();
      conflicts.clear();
      me = frame.admin;
      focusWatch.resend();
      // Roles, the audit trail and story history came together (issue 13): a server that names
      // no role has none of them.
      audit.supported = typeof frame.role === 'string';
      showRole(frame);
      showGenerator(frame.generator, can.has('generator.control'));
      log('info', `signed in as ${frame.admin} (${frame.role || 'admin'})`, `stream ${frame.stream}, seq ${frame.seq}`);
      loadSnapshot();
      audit.refresh();
      break;
    case 'event':
      undoBook.seen(frame.event);
      if (frame.event.by && !MACHINES.has(frame.event.by)) audit.soon();
      if (loading) loading.push(frame.event);
      else applyEvent(frame.event);
      break;
    case 'presence':
      showPresence(frame.admins || [], me);
      editing = frame.editing || [];
      showEditing($('#admin-matches'), editing, me);
      break;
    case 'generator':
      showGenerator(frame, can.has('generator.control'));
      break;
    case 'ack':
    case 'error':
      onReply(frame);
      break;
    default:
      break;
  }
}

/** Role next to the name; what the role may not do is hidden (the server refuses it anyway). */
function showRole(frame) {
  const role = frame.role || 'admin';
  can = new Set(Array.isArray(frame.can) ? frame.can : ALL_COMMANDS);
  $('#whoami').textContent = frame.admin;
  const badge = $('#role');
  badge.textContent = role;
  badge.dataset.role = role;
  document.body.dataset.role = role;
  $('.brand-tag').textContent = role;
  for (const [selector, type] of [['#create-panel', 'match.create'], ['#publish-panel', 'news.publish']]) {
    $(selector).hidden = !can.has(type);
  }
  fillCreateForm(store, can.has('match.create'));
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
  fillMatchSelect(store, describeMatch);
  matches.filter.league = fillLeagueFilter(store);
  fillCreateForm(store, can.has('match.create'));
  render();
  await squadsLoaded;
  render();
}

function render() {
  for (const [key, conflict] of conflicts) conflict.text = conflictText(key);
  matches.render();
  showEditing($('#admin-matches'), editing, me);
  showUnnamed($('#admin-matches'), store, (match, goal) => amendDialog.open(match, goal));
  newsList.render();
  const total = store.matches.size;
  $('#match-count').textContent = matches.shown === total ? `${total} matches` : `${matches.shown} of ${total} matches`;
  $('#no-matches').hidden = matches.shown > 0 || total === 0;
}

let connectionState = 'offline';
// The buttons outside the match cards that send a command.
const COMMAND_BUTTONS = ['#news-publish', '#generator-toggle', '#generator-form button', '#incident-submit',
  '#amend-submit', '#stats-submit', '#lineup-submit', '#create-submit', '#toast-undo'];
function showConnection({ state, text }) {
  if (connectionState === 'live' && state !== 'live') log('error', text);
  connectionState = state;
  const status = $('#admin-conn');
  status.textContent = text;
  status.dataset.state = state;
  $('#console').classList.toggle('stale', state !== 'live');
  // Nothing can go out while not connected: the buttons that send say so by being disabled
  // (drafts in the forms stay editable).
  const offline = state !== 'live';
  $('#match-commands').disabled = offline;
  for (const id of COMMAND_BUTTONS) $(id).disabled = offline;
}

function signIn(newToken) {
  token = newToken;
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

// Like the fan pages: back online, or looked at again, the console does not wait out its backoff.
window.addEventListener('online', () => channel && channel.retryNow());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && channel) channel.retryNow();
});

function signOut(message = '') {
  token = null;
  if (channel) channel.stop();
  channel = null;
  me = null;
  audit.clear();
  toast.hide();
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
    const typed = $('#token').value.trim();
    $('#token').value = '';
    if (typed) signIn(typed);
  });
  $('#logout').addEventListener('click', () => signOut());
  const filter = () => {
    matches.filter = {
      text: $('#match-search').value, league: $('#league-filter').value, status: $('#status-filter').value,
    };
    render();
  };
  $('#match-filter').addEventListener('input', filter);
  $('#match-filter').addEventListener('submit', (event) => event.preventDefault());
  setUpSideForms((command, label, extra = {}) => send(command, label, null, extra));
  setUpCreateForm(store, (command, label) => send(command, label));
  signOut();
}

setUp();
