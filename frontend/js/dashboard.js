// Entry point of the fan dashboard (GET /): the feed connection feeds the store; the page shows
// live matches, a day's fixtures and results (the feed's days, older and later ones from the
// archive API), news, what the fan follows with alerts for it, and the connection's state, with
// the data kept on screen (dimmed clocks, "updated N s ago") while the feed is away.

import { ActivityLog } from './activity.js';
import { DayList } from './day-list.js';
import {
  addDays, chooseZone, chosenZone, dayLabel, dayOf, isDay, viewerToday, viewerZone, zoneChoices,
} from './days.js';
import { openFeed, TRANSPORTS } from './feed.js';
import { Alerts, Follows } from './follow.js';
import { timeOfDay } from './format.js';
import { MatchBoard, NewsList, el } from './render.js';
import { FeedStore } from './store.js';
import { isStale, paintConnection, staleText } from './stale.js';

const CHART_REDRAW_MS = 1000;
const IN_PLAY = new Set(['live', 'halftime', 'break']);
const BASE_TITLE = document.title;

const $ = (selector) => document.querySelector(selector);
const store = new FeedStore();
const activity = new ActivityLog(15);
const follows = new Follows();
const transport = chooseTransport();
// Alerts are read out instead of the plain score line of the same render.
const pendingAlerts = [];
const alerts = new Alerts(store, follows, { announce: (text) => pendingAlerts.push(text), baseTitle: () => BASE_TITLE });
const board = new MatchBoard($('#matches'), store, { isFollowed: (match) => follows.match(match) });
const news = new NewsList($('#news'), store);
const dayList = new DayList(store, {
  zone: () => timeZone(), visible: (match) => !follows.onlyFollowed || follows.match(match), onLoaded: () => render(false),
});
const chart = $('#activity-chart');

let feed = null;
// A resume id is only valid for the filter it was received under.
let resumeAllowed = false;
let pruneUnknownLeagues = false;
// What the board shows: `{mode: 'live'}` or `{mode: 'day', date}` (date null: the feed's today).
let view = initialView();
let connection = { state: 'connecting', since: Date.now() };

function chooseTransport() {
  const asked = new URLSearchParams(location.search).get('transport');
  return TRANSPORTS.includes(asked) ? asked : 'sse';
}

function initialView() {
  const params = new URLSearchParams(location.search);
  if (params.get('view') === 'live') return { mode: 'live' };
  const date = params.get('date');
  return { mode: 'day', date: isDay(date) ? date : null };
}

/** The viewer's today: the feed's "now" (a simulated feed runs days ahead of the clock) on the
 * viewer's calendar. */
function today() {
  return viewerToday(store.calendar, timeZone());
}

/** Days and times are the viewer's: their own zone, or the one they chose. */
function timeZone() {
  return viewerZone();
}

function shownDay() {
  return view.date || today();
}

/** The server-side filter: followed leagues, when only those are wanted and no single team is. */
// What the dashboard shows of a match is its score, status and clock: it asks for no timelines,
// sheets or figures (a busy day's snapshot is mostly basketball baskets), so neither its first
// load nor its stream carries them. Match pages ask for everything about their match.
const SHOWN_TYPES = ['score', 'status', 'match', 'news', 'archived'];

function serverFilter() {
  const leaguesOnly = follows.onlyFollowed && follows.teams.size === 0 && follows.leagues.size > 0;
  return { leagues: leaguesOnly ? [...follows.leagues] : [], matches: [], types: SHOWN_TYPES };
}

function connect() {
  if (feed) feed.close();
  feed = openFeed({
    transport,
    filter: serverFilter(),
    lastId: () => (resumeAllowed ? store.lastId : null),
    onStatus: showConnection,
    onFrame,
    onRefused: showAllAfterRefusal,
  });
}

/** The saved follows name a league this server lacks: show everything and say why. */
function showAllAfterRefusal(message) {
  pruneUnknownLeagues = true;
  follows.update((f) => { f.onlyFollowed = false; });
  const notice = $('#filter-notice');
  notice.textContent = `Your saved filter was refused (${message}); showing all matches.`;
  notice.hidden = false;
  resumeAllowed = false;
  connect();
}

function onFrame(frame) {
  if (frame.type === 'snapshot') {
    // The poll transport fetches the same snapshot again and again while nothing happens.
    if (resumeAllowed && frame.stream === store.stream && frame.seq === store.seq) return;
    store.applySnapshot(frame);
    resumeAllowed = true;
    // Not live (say, a snapshot the service worker kept from an earlier visit): its own time is
    // how old the scores are.
    const taken = Date.parse(frame.at);
    if (connection.state !== 'live' && taken < connection.since) connection.since = taken;
  } else {
    store.applyEvent(frame);
  }
}

let renderQueued = false;
let queuedFromSnapshot = false;
store.subscribe((change) => {
  if (change.type === 'snapshot') {
    queuedFromSnapshot = true;
    setUpZoneChoice();
    activity.record(Date.now(), change.skipped);
    if (pruneUnknownLeagues) {
      pruneUnknownLeagues = false;
      follows.update((f) => { for (const id of [...f.leagues]) if (!store.leagues.has(id)) f.leagues.delete(id); });
    }
  } else {
    activity.record(Date.now());
  }
  // Archived matches leave the live state; a day's list from the archive may now be out of date.
  if (change.type === 'archived') dayList.forget();
  if (renderQueued) return;
  renderQueued = true;
  // Frames that arrive together (a WebSocket message, a long-poll answer) render once.
  queueMicrotask(() => {
    renderQueued = false;
    const fromSnapshot = queuedFromSnapshot;
    queuedFromSnapshot = false;
    render(fromSnapshot);
  });
});

function render(fromSnapshot) {
  const liveNow = [...store.matches.values()].filter((m) => IN_PLAY.has(m.status));
  $('#live-count').textContent = liveNow.length ? String(liveNow.length) : '';
  let groups;
  let emptyText;
  const date = shownDay();
  if (view.mode === 'live') {
    groups = dayList.groups(liveNow);
    $('#matches-title').textContent = 'Live now';
    const next = [...store.matches.values()].filter((m) => m.status === 'scheduled' && dayList.visible(m))
      .sort((a, b) => String(a.kickoff).localeCompare(String(b.kickoff)))[0];
    emptyText = next
      ? `Nothing is live right now. Next: ${store.team(next.home).name} v ${store.team(next.away).name}, ${dayLabel(dayOf(next.kickoff, timeZone()), today())} ${timeOfDay(next.kickoff)}.`
      : 'Nothing is live right now.';
  } else if (date) {
    const { matches, entry } = dayList.of(date, today());
    groups = dayList.groups(matches);
    const label = dayLabel(date, today());
    $('#matches-title').textContent = label === 'Today' ? "Today's matches" : `Matches: ${label}`;
    emptyText = entry && entry.error ? `Could not load ${label}: ${entry.error}`
      : entry && entry.matches === null ? 'Loading…' : `No matches ${['Today', 'Yesterday', 'Tomorrow'].includes(label) ? label.toLowerCase() : `on ${label}`}.`;
    $('#matches').setAttribute('aria-busy', String(Boolean(entry && entry.matches === null && !entry.error)));
  } else {
    groups = [];
    emptyText = 'Loading…';
  }
  if (follows.onlyFollowed && groups.every((g) => g.matches.length === 0)) {
    emptyText = follows.any ? `Nothing you follow here. ${emptyText}`
      : 'You follow nothing yet: open a match to follow its teams, or follow a league under Following.';
  }
  board.empty.textContent = emptyText;
  const announcements = board.render(groups, fromSnapshot);
  renderNews();
  renderViewControls();
  renderFollowing();
  $('#stream-id').textContent = store.stream || '—';
  $('#last-id').textContent = store.lastId || '—';
  const spoken = pendingAlerts.length ? pendingAlerts.splice(0) : announcements;
  if (spoken.length) announce(spoken.join('. '));
  drawChartSoon();
}

function newsVisible(item) {
  if (!follows.onlyFollowed) return true;
  const match = item.match_id != null ? store.matches.get(item.match_id) : null;
  if (match && follows.match(match)) return true;
  return (item.tags || []).some((tag) => follows.leagues.has(tag) || follows.teams.has(String(tag).toUpperCase()));
}

function renderNews() {
  const all = store.newsNewestFirst();
  const shown = all.filter(newsVisible);
  const emptyText = follows.onlyFollowed && all.length
    ? `No news about what you follow (${all.length} ${all.length === 1 ? 'story' : 'stories'} in all: switch off "Following only" to read them).`
    : 'No news yet.';
  news.render(shown, emptyText);
}

function renderViewControls() {
  const mode = document.body.dataset.view === 'news' ? 'news' : view.mode === 'live' ? 'live' : view.date && view.date !== today() ? 'other' : 'today';
  for (const button of document.querySelectorAll('.segment')) {
    button.setAttribute('aria-pressed', String(button.dataset.mode === mode));
  }
  const date = shownDay();
  $('#day-label').textContent = view.mode === 'live' ? 'Pick a day' : date ? dayLabel(date, today()) : '…';
  if (date) $('#day-input').value = date;
}

function announce(text) {
  $('#announcer').textContent = text;
}

// ------------------------------------------------------------- view switching

function setView(next) {
  view = next;
  document.body.dataset.view = 'matches';
  const params = new URLSearchParams(location.search);
  params.delete('view');
  params.delete('date');
  if (view.mode === 'live') params.set('view', 'live');
  else if (view.date && view.date !== today()) params.set('date', view.date);
  const query = params.toString();
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}`);
  render(false);
}

function stepDay(n) {
  const from = shownDay();
  if (from) setView({ mode: 'day', date: addDays(from, n) });
}

// ------------------------------------------------------------- following

function renderFollowing() {
  const key = JSON.stringify([[...store.leagues.keys()], [...follows.leagues], [...follows.teams],
    follows.notify, follows.sound, follows.onlyFollowed]);
  if (key === renderFollowing.shown) return;
  renderFollowing.shown = key;
  $('#following-only').checked = follows.onlyFollowed;
  $('#follow-leagues').replaceChildren(...[...store.leagues.values()].map((league) => {
    const button = el('button', 'chip follow-league', `${follows.leagues.has(league.id) ? '★' : '☆'} ${league.name}`);
    button.type = 'button';
    button.dataset.league = league.id;
    button.setAttribute('aria-pressed', String(follows.leagues.has(league.id)));
    button.addEventListener('click', () => followsChanged(() => follows.toggleLeague(league.id)));
    return button;
  }));
  const items = [...follows.teams].map((id) => {
    const li = el('li', 'followed-team');
    li.dataset.team = id;
    const remove = el('button', 'unfollow', '✕');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Unfollow ${store.team(id).name}`);
    remove.addEventListener('click', () => followsChanged(() => follows.toggleTeam(id)));
    li.append(el('span', null, `★ ${store.team(id).name}`), remove);
    return li;
  });
  if (items.length === 0) items.push(el('li', 'hint', 'No teams yet.'));
  $('#followed').replaceChildren(...items);
  $('#alerts-toggle').setAttribute('aria-pressed', String(follows.notify));
  $('#sound-toggle').setAttribute('aria-pressed', String(follows.sound));
  $('#sound-toggle').textContent = follows.sound ? 'Sound on' : 'Sound off';
}

/** A follow changed: when only followed matches are shown, the server filter may change too. */
function followsChanged(change) {
  const before = JSON.stringify(serverFilter());
  change();
  $('#filter-notice').hidden = true;
  if (JSON.stringify(serverFilter()) !== before) {
    resumeAllowed = false;
    connect();
  }
  render(false);
}

// ------------------------------------------------------------- connection and staleness

function showConnection(status) {
  const { state } = status;
  if (state !== connection.state) connection = { state, since: connection.state === 'live' ? Date.now() : connection.since };
  paintConnection($('#conn-state'), status);
  showStaleness();
}

/** The viewer's own zone by default; the feed's, or UTC, on request (the page reloads in it). */
function setUpZoneChoice() {
  const select = $('#zone-select');
  select.replaceChildren(...zoneChoices(store.calendar && store.calendar.timezone).map(([value, text]) => {
    const option = el('option', null, text);
    option.value = value;
    return option;
  }));
  select.value = chosenZone() || '';
  select.onchange = () => {
    chooseZone(select.value || null);
    location.reload();
  };
}

/** Installable and offline-capable: the service worker keeps the pages and the last snapshots. */
function keepForOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch(() => {
    // Without it the page works as before, only not offline.
  });
}

function showStaleness() {
  const stale = store.loaded && isStale(connection.state, Date.now() - connection.since);
  const text = stale ? staleText(connection.state, Date.now() - connection.since) : '';
  const freshness = $('#freshness');
  freshness.hidden = !stale;
  freshness.textContent = stale ? text.short : '';
  const banner = $('#stale-banner');
  banner.hidden = !stale;
  banner.textContent = stale ? text.long : '';
}

let chartTimer = null;
function drawChartSoon() {
  if (chartTimer || !$('#about-feed').open) return;
  // The chart's module is fetched the first time the panel shows it, not on every first load.
  chartTimer = setTimeout(async () => {
    const { drawActivity } = await import('./charts.js');
    chartTimer = null;
    const total = drawActivity(chart, activity.buckets());
    chart.setAttribute('aria-label', `Feed activity: ${total} events in the last 15 minutes`);
  }, CHART_REDRAW_MS);
}

function setUp() {
  $('#transport').textContent = transport;
  for (const link of document.querySelectorAll('[data-transport]')) {
    if (link.dataset.transport === transport) link.setAttribute('aria-current', 'page');
  }
  if (new URLSearchParams(location.search).has('transport')) $('#about-feed').open = true;
  $('#about-feed').addEventListener('toggle', () => drawChartSoon());
  $('#tab-live').addEventListener('click', () => setView({ mode: 'live' }));
  $('#tab-today').addEventListener('click', () => setView({ mode: 'day', date: null }));
  $('#tab-news').addEventListener('click', () => {
    document.body.dataset.view = 'news';
    renderViewControls();
    $('#news-title').focus();
  });
  $('#day-prev').addEventListener('click', () => stepDay(-1));
  $('#day-next').addEventListener('click', () => stepDay(1));
  $('#day-input').addEventListener('change', (event) => {
    if (isDay(event.target.value)) setView({ mode: 'day', date: event.target.value });
  });
  $('#following-only').addEventListener('change', (event) => {
    followsChanged(() => follows.update((f) => { f.onlyFollowed = event.target.checked; }));
  });
  setUpZoneChoice();
  $('#alerts-toggle').addEventListener('click', async () => {
    const note = $('#alerts-note');
    if (follows.notify) {
      follows.update((f) => { f.notify = false; });
      note.textContent = 'Notifications off. The tab title still counts goals while the tab is hidden.';
    } else {
      const granted = await alerts.enableNotifications();
      note.textContent = granted
        ? 'Notifications on for goals and final whistles of what you follow.'
        : 'This browser did not allow notifications; the tab title still counts goals.';
    }
    renderFollowing();
  });
  $('#sound-toggle').addEventListener('click', () => {
    alerts.setSound(!follows.sound);
    renderFollowing();
  });
  follows.subscribe(() => render(false));
  // Relative times, "updated N s ago", game clocks and the chart's window move on even when the
  // feed is quiet.
  setInterval(() => {
    showStaleness();
    if (connection.state === 'live') board.tickClocks();
  }, 1000);
  setInterval(() => {
    news.refreshTimes();
    drawChartSoon();
  }, 30000);
  window.addEventListener('online', () => connect());
  render(false);
  connect();
  keepForOffline();
}

setUp();
