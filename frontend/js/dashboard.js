// Entry point of the dashboard (GET /): wires the feed connection to the store and the views,
// keeps the league and favourite filters in localStorage, and shows the connection state.

import { ActivityLog, drawActivity } from './charts.js';
import { openFeed, TRANSPORTS } from './feed.js';
import { MatchBoard, NewsList, el } from './render.js';
import { FeedStore } from './store.js';
import { TimelineDialog } from './timeline.js';

const PREFS_KEY = 'livescore.dashboard.v1';
const CHART_REDRAW_MS = 1000;

const store = new FeedStore();
const activity = new ActivityLog(15);
const transport = chooseTransport();
let prefs = loadPrefs();
let feed = null;
// A resume id is only valid for the filters it was received under.
let resumeAllowed = false;

const $ = (selector) => document.querySelector(selector);
const board = new MatchBoard($('#matches'), store, {
  open: (id) => timeline.open(id),
  toggleFavourite,
  isFavourite: (id) => prefs.favourites.includes(id),
});
const news = new NewsList($('#news'), store);
const timeline = new TimelineDialog($('#timeline-dialog'), store);
const chart = $('#activity-chart');

function chooseTransport() {
  const asked = new URLSearchParams(location.search).get('transport');
  return TRANSPORTS.includes(asked) ? asked : 'sse';
}

function loadPrefs() {
  const defaults = { leagues: null, favourites: [], favouritesOnly: false };
  try {
    const saved = JSON.parse(localStorage.getItem(PREFS_KEY) || 'null');
    if (!saved || typeof saved !== 'object') return defaults;
    return {
      leagues: Array.isArray(saved.leagues) ? saved.leagues.map(String) : null,
      favourites: Array.isArray(saved.favourites) ? saved.favourites.filter(Number.isInteger) : [],
      favouritesOnly: saved.favouritesOnly === true,
    };
  } catch {
    return defaults;
  }
}

function savePrefs() {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // Storage can be full or disabled (private mode); the filters then last for this page only.
  }
}

/** What the server is asked for; the page applies the same rules itself (the poll transport). */
function serverFilter() {
  return {
    leagues: prefs.leagues || [],
    matches: prefs.favouritesOnly ? prefs.favourites : [],
  };
}

function matchVisible(match) {
  if (prefs.leagues && !prefs.leagues.includes(match.league)) return false;
  if (prefs.favouritesOnly && !prefs.favourites.includes(match.id)) return false;
  return true;
}

function newsVisible(item) {
  if (prefs.favouritesOnly && !prefs.favourites.includes(item.match_id)) return false;
  if (prefs.leagues) {
    const leagues = new Set((item.tags || []).filter((tag) => store.leagues.has(tag)));
    const match = item.match_id != null ? store.matches.get(item.match_id) : null;
    if (match) leagues.add(match.league);
    if (![...leagues].some((league) => prefs.leagues.includes(league))) return false;
  }
  return true;
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

/**
 * The saved filter names something the server does not have (a league from another fixture set,
 * say): rather than retry forever, show everything and say why.
 */
function showAllAfterRefusal(message) {
  prefs.leagues = null;
  prefs.favouritesOnly = false;
  $('#favourites-only').checked = false;
  shownLeagues = '';
  filtersChanged();
  const notice = $('#filter-notice');
  notice.textContent = `Your saved filter was refused (${message}); showing all matches.`;
  notice.hidden = false;
}

function onFrame(frame) {
  if (frame.type === 'snapshot') {
    // The poll transport fetches the same snapshot again and again while nothing happens; after
    // a filter change, though, a snapshot at the same seq holds a different selection.
    if (resumeAllowed && frame.stream === store.stream && frame.seq === store.seq) return;
    store.applySnapshot(frame);
    resumeAllowed = true;
  } else {
    store.applyEvent(frame);
  }
}

let renderQueued = false;
let queuedFromSnapshot = false;
store.subscribe((change) => {
  // Counted when they reach this page (a snapshot's `at` can be older: snapshots are cached).
  if (change.type === 'snapshot') {
    queuedFromSnapshot = true;
    activity.record(Date.now(), change.skipped);
  } else {
    activity.record(Date.now());
  }
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
  renderLeagueFilters();
  board.empty.textContent = prefs.favouritesOnly && prefs.favourites.length === 0
    ? 'No favourites yet: switch off "Favourites only" and tap ★ on a match to follow it.'
    : 'No matches for these filters.';
  const announcements = board.render(matchVisible, fromSnapshot);
  news.render(newsVisible);
  timeline.render();
  $('#last-id').textContent = store.lastId || '—';
  if (announcements.length) $('#announcer').textContent = announcements.join('. ');
  drawChartSoon();
}

let chartTimer = null;
function drawChartSoon() {
  if (chartTimer) return;
  chartTimer = setTimeout(() => {
    chartTimer = null;
    const total = drawActivity(chart, activity.buckets());
    chart.setAttribute('aria-label', `Feed activity: ${total} events in the last 15 minutes`);
  }, CHART_REDRAW_MS);
}

function showConnection({ state, attempt }) {
  const label = state === 'reconnecting' ? `reconnecting (attempt ${attempt})` : state;
  const element = $('#conn-state');
  element.textContent = label;
  element.dataset.state = state;
}

let shownLeagues = '';
function renderLeagueFilters() {
  const key = [...store.leagues.keys()].join(',');
  if (key === shownLeagues) return;
  shownLeagues = key;
  const box = $('#league-filters');
  box.replaceChildren(...[...store.leagues.values()].map((league) => {
    const label = el('label', 'chip');
    const input = el('input');
    input.type = 'checkbox';
    input.value = league.id;
    input.checked = !prefs.leagues || prefs.leagues.includes(league.id);
    input.addEventListener('change', onLeaguesChanged);
    label.append(input, el('span', null, league.name));
    return label;
  }));
}

function onLeaguesChanged() {
  const inputs = [...document.querySelectorAll('#league-filters input')];
  const selected = inputs.filter((input) => input.checked).map((input) => input.value);
  prefs.leagues = selected.length === inputs.length ? null : selected;
  filtersChanged();
}

function toggleFavourite(id) {
  const favourites = new Set(prefs.favourites);
  if (favourites.has(id)) favourites.delete(id);
  else favourites.add(id);
  prefs.favourites = [...favourites].sort((a, b) => a - b);
  if (prefs.favouritesOnly) filtersChanged();
  else {
    savePrefs();
    render(false);
  }
}

function filtersChanged() {
  $('#filter-notice').hidden = true;
  savePrefs();
  resumeAllowed = false;
  render(false);
  connect();
}

function setUp() {
  $('#transport').textContent = transport;
  for (const link of document.querySelectorAll('[data-transport]')) {
    if (link.dataset.transport === transport) link.setAttribute('aria-current', 'page');
  }
  const only = $('#favourites-only');
  only.checked = prefs.favouritesOnly;
  only.addEventListener('change', () => {
    prefs.favouritesOnly = only.checked;
    filtersChanged();
  });
  $('#filters').addEventListener('submit', (event) => event.preventDefault());
  // Relative times ("5 min ago") and the chart's window move on even when the feed is quiet.
  setInterval(() => {
    news.refreshTimes();
    drawChartSoon();
  }, 30000);
  window.addEventListener('online', () => connect());
  drawActivity(chart, activity.buckets());
  connect();
}

setUp();
