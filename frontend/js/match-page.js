// Entry point of the match page (GET /match/{id}): the match as the archive API has it (so a
// finished, archived match works too), then kept live by the feed filtered to this match. Shows
// the score with scorers under each side, follow buttons for both teams and the league, the score
// by quarter for basketball, the lineups and stats (match-lineups.js, match-stats.js), a two-sided
// timeline and the news tagged to the match.

import { drawScoreProgression } from './charts.js';
import { openFeed, TRANSPORTS } from './feed.js';
import { Alerts, Follows } from './follow.js';
import { getJson } from './get-json.js';
import { incidentDelta } from './incidents.js';
import { clockText, gameClock, kickoffTime, statusWords, timeOfDay } from './format.js';
import { periodName, periodScores, scorerLine, scorers, timelineEntries } from './match-facts.js';
import { renderLineups } from './match-lineups.js';
import { renderStats } from './match-stats.js';
import { NewsList, el, highlight, placeInOrder, teamBadge } from './render.js';
import { isStale, paintConnection, staleText } from './stale.js';
import { FeedStore } from './store.js';

const $ = (selector) => document.querySelector(selector);
const matchId = Number(location.pathname.split('/').filter(Boolean)[1]);
const store = new FeedStore();
const follows = new Follows();
const news = new NewsList($('#news'), store);
let baseTitle = document.title;
const alerts = new Alerts(store, follows, { announce, baseTitle: () => baseTitle });
// The match as last fetched from the archive API; the feed's copy wins while it has one.
let fetched = null;
const fetchedNews = new Map();
let teams = new Map();
let leagues = new Map();
let connection = { state: 'connecting', since: Date.now() };
let resumeAllowed = false;
let shownScore = null;

function announce(text) {
  $('#announcer').textContent = text;
}

function team(id) {
  return store.teams.get(id) || teams.get(id) || { id, name: id, short_name: id };
}

/** The team with its squad: snapshots leave squads out, GET /api/teams has them. */
function teamWithSquad(id) {
  return { ...team(id), squad: (teams.get(id) || {}).squad || [] };
}

function league(id) {
  return store.leagues.get(id) || leagues.get(id) || { id, name: id };
}

function current() {
  return store.matches.get(matchId) || fetched;
}

function showError(text) {
  const error = $('#match-error');
  error.textContent = text;
  error.hidden = false;
}

async function load() {
  try {
    const [match, stories] = await Promise.all([
      getJson(`/api/matches/${matchId}`),
      getJson(`/api/news?match=${matchId}&limit=50`).catch(() => []),
    ]);
    fetched = match;
    for (const item of stories) fetchedNews.set(item.id, item);
  } catch (error) {
    showError(error.status === 404 ? `There is no match ${matchId}.` : `Could not load the match: ${error.message}`);
    document.title = 'Match not found — livescore';
    return false;
  }
  // Names of teams and leagues; the feed's snapshot has them too, but an archived match may be
  // outside what the feed sends.
  try {
    const snapshot = await getJson('/api/teams');
    teams = new Map(snapshot.map((t) => [t.id, t]));
  } catch {
    // The codes stand in for names.
  }
  render();
  return true;
}

function render() {
  const match = current();
  if (!match) return;
  const home = team(match.home);
  const away = team(match.away);
  const sheet = $('#match');
  sheet.hidden = false;
  sheet.dataset.status = match.status;
  sheet.dataset.sport = match.sport;
  sheet.dataset.matchId = String(match.id);
  const scheduled = ['scheduled', 'postponed', 'cancelled'].includes(match.status);
  const scoreText = `${match.score.home} – ${match.score.away}`;
  baseTitle = scheduled
    ? `${home.short_name || home.name} v ${away.short_name || away.name} — livescore`
    : `${home.short_name || home.name} ${match.score.home}-${match.score.away} ${away.short_name || away.name} — livescore`;
  if (!/^\(\d+\)/.test(document.title)) document.title = baseTitle;
  $('#match-title').textContent = `${home.name} v ${away.name}`;
  $('#match-meta').textContent = `${league(match.league).name} · ${kickoffTime(match.kickoff)}`;
  if ($('#home-badge').dataset.team !== home.id) {
    $('#home-badge').replaceChildren(teamBadge(home));
    $('#home-badge').dataset.team = home.id;
    $('#away-badge').replaceChildren(teamBadge(away));
    $('#away-badge').dataset.team = away.id;
  }
  $('#home-name').textContent = home.name;
  $('#home-name').href = `/team/${encodeURIComponent(home.id)}`;
  $('#away-name').textContent = away.name;
  $('#away-name').href = `/team/${encodeURIComponent(away.id)}`;
  const big = $('#big-score');
  big.classList.toggle('fixture', scheduled);
  big.textContent = scheduled ? timeOfDay(match.kickoff) : scoreText;
  if (shownScore !== null && shownScore !== scoreText && !scheduled) {
    highlight(big);
    announce(store.scoreLine(match));
  }
  shownScore = scoreText;
  showClock(match);

  const goals = match.sport === 'football' ? scorers(match) : { home: [], away: [] };
  $('#home-scorers').replaceChildren(...goals.home.map((s) => el('li', null, scorerLine(s))));
  $('#away-scorers').replaceChildren(...goals.away.map((s) => el('li', null, scorerLine(s))));

  renderFollowButtons(match, home, away);
  renderQuarters(match, home, away);
  renderLineups($('#lineups-section'), match, teamWithSquad(match.home), teamWithSquad(match.away));
  renderStats($('#stats-section'), match, home, away);
  renderTimeline(match);
  const chart = $('#score-chart');
  drawScoreProgression(chart, match, { incidentDelta });
  chart.setAttribute('aria-label', `Score progression: ${home.name} (solid) and ${away.name} (dashed)`);
  $('.key-home').textContent = home.short_name || home.name;
  $('.key-away').textContent = away.short_name || away.name;
  const stories = new Map(fetchedNews);
  for (const item of store.news.values()) if (item.match_id === matchId) stories.set(item.id, item);
  for (const id of retracted) stories.delete(id);
  const ordered = [...stories.values()].sort((a, b) =>
    String(b.published_at).localeCompare(String(a.published_at)) || b.id - a.id);
  news.render(ordered, 'No news about this match yet.');
}

const retracted = new Set();

function renderFollowButtons(match, home, away) {
  const button = (label, pressed, onClick, data) => {
    const b = el('button', 'button follow', `${pressed ? '★ Following' : '☆ Follow'} ${label}`);
    b.type = 'button';
    b.setAttribute('aria-pressed', String(pressed));
    Object.assign(b.dataset, data);
    b.addEventListener('click', onClick);
    return b;
  };
  const key = JSON.stringify([home.name, away.name, league(match.league).name, follows.teams.has(home.id),
    follows.teams.has(away.id), follows.leagues.has(match.league)]);
  const box = $('#follow-buttons');
  if (box.dataset.key === key) return;
  const hadFocus = box.contains(document.activeElement) ? document.activeElement.dataset : null;
  box.dataset.key = key;
  box.replaceChildren(
    button(home.name, follows.teams.has(home.id), () => follows.toggleTeam(home.id), { team: home.id }),
    button(away.name, follows.teams.has(away.id), () => follows.toggleTeam(away.id), { team: away.id }),
    button(league(match.league).name, follows.leagues.has(match.league), () => follows.toggleLeague(match.league), { league: match.league }),
  );
  // Keyboard users keep their place after pressing a follow button.
  if (hadFocus) {
    const again = [...box.children].find((b) => (hadFocus.team && b.dataset.team === hadFocus.team)
      || (hadFocus.league && b.dataset.league === hadFocus.league));
    if (again) again.focus();
  }
}

function renderQuarters(match, home, away) {
  const section = $('#quarters-section');
  section.hidden = match.sport !== 'basketball';
  if (section.hidden) return;
  const { periods, home: h, away: a } = periodScores(match);
  const head = el('tr');
  head.append(el('th', null, ''), ...periods.map((p) => {
    const th = el('th', null, periodName(p));
    th.scope = 'col';
    return th;
  }));
  const total = el('th', 'total', 'T');
  total.scope = 'col';
  head.append(total);
  const row = (t, values, score) => {
    const tr = el('tr');
    tr.dataset.side = t === home ? 'home' : 'away';
    const name = el('th', null, t.short_name || t.name);
    name.scope = 'row';
    tr.append(name, ...values.map((v) => el('td', null, v)), el('td', 'total', score));
    return tr;
  };
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  tbody.append(row(home, h, match.score.home), row(away, a, match.score.away));
  $('#quarters').replaceChildren(thead, tbody);
}

/** The clock; basketball's counts the seconds between the feed's minutes (`GameClock` in format.js). */
function showClock(match) {
  $('#match-clock').textContent = match.status === 'live'
    ? clockText(match, gameClock.secondsInto(match)) : statusWords(match.status);
}

function renderTimeline(match) {
  const entries = timelineEntries(match);
  if (entries.length === 0) {
    $('#timeline').replaceChildren(el('li', 'empty', match.status === 'scheduled'
      ? `Kick-off ${kickoffTime(match.kickoff)}.` : 'Nothing has happened yet.'));
    return;
  }
  const nodes = entries.map((entry) => {
    const li = el('li', `tl-row kind-${entry.kind}`);
    li.dataset.incidentId = String(entry.id);
    if (entry.marker) {
      li.classList.add('marker');
      li.textContent = entry.text;
      return li;
    }
    li.dataset.side = entry.side;
    const cell = el('div', `tl-${entry.side}`);
    cell.append(el('span', 'what', entry.what));
    if (entry.player) cell.append(' ', el('span', 'player', entry.player));
    if (entry.score) cell.append(' ', el('span', 'detail', `(${entry.score})`));
    if (entry.detail) cell.append(el('div', 'detail', entry.detail));
    const empty = el('div', entry.side === 'home' ? 'tl-away' : 'tl-home');
    const clock = el('div', 'tl-clock', entry.clock);
    li.append(...(entry.side === 'home' ? [cell, clock, empty] : [empty, clock, cell]));
    return li;
  });
  placeInOrder($('#timeline'), nodes);
}

function onFrame(frame) {
  if (frame.type === 'snapshot') {
    if (resumeAllowed && frame.stream === store.stream && frame.seq === store.seq) return;
    store.applySnapshot(frame);
    resumeAllowed = true;
  } else {
    if (frame.type === 'news_retracted') retracted.add(frame.news_id);
    store.applyEvent(frame);
  }
}

function showConnection(status) {
  const { state } = status;
  if (state !== connection.state) connection = { state, since: connection.state === 'live' ? Date.now() : connection.since };
  paintConnection($('#conn-state'), status);
  showStaleness();
}

function showStaleness() {
  const stale = fetched !== null && isStale(connection.state, Date.now() - connection.since);
  const text = stale ? staleText(connection.state, Date.now() - connection.since) : null;
  $('#freshness').hidden = !stale;
  $('#freshness').textContent = text ? text.short : '';
  $('#stale-banner').hidden = !stale;
  $('#stale-banner').textContent = text ? text.long : '';
}

async function start() {
  if (!Number.isInteger(matchId) || matchId < 0) {
    showError('That is not a match address.');
    return;
  }
  if (!(await load())) return;
  store.subscribe(() => render());
  follows.subscribe(() => render());
  setInterval(() => {
    showStaleness();
    const match = store.matches.get(matchId);
    if (match && connection.state === 'live' && match.sport === 'basketball') showClock(match);
  }, 1000);
  const asked = new URLSearchParams(location.search).get('transport');
  // The feed carries this match only while it is in the live window; an archived match is final
  // and the page shows it as fetched.
  openFeed({
    transport: TRANSPORTS.includes(asked) ? asked : 'sse',
    filter: { matches: [matchId] },
    lastId: () => (resumeAllowed ? store.lastId : null),
    onStatus: showConnection,
    onFrame,
    // The server takes any match id in a filter; were it ever refused, the fetched match stays.
    onRefused: () => {},
  });
}

start();
