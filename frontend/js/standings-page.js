// Entry point of the Standings view (GET /standings?league=epl): a league's table as it stands
// (matches under way counted at their current score, their rows marked live) and its top
// scorers, asked again from /api/standings after each burst of events from that league's feed.
// Followed teams are highlighted; team names lead to the team pages.

import { Follows } from './follow.js';
import { el, highlight, matchHref, teamBadge } from './render.js';
import { getJson } from './get-json.js';
import { formChips, keepFresh, showConnection, teamHref } from './tables.js';

const $ = (selector) => document.querySelector(selector);
const follows = new Follows();
let leagues = [];
let teams = new Map();
let league = new URLSearchParams(location.search).get('league');
let feed = null;
// Each row's figures as last drawn, so that a row that moved is flashed.
let shown = new Map();
let asked = 0;

const FOOTBALL = [['P', 'played', 'Played'], ['W', 'won', 'Won'], ['D', 'drawn', 'Drawn'], ['L', 'lost', 'Lost'],
  ['GF', 'scored', 'Goals for'], ['GA', 'conceded', 'Goals against'], ['GD', 'difference', 'Goal difference'],
  ['Pts', 'points', 'Points']];
const BASKETBALL = [['GP', 'played', 'Games played'], ['W', 'won', 'Won'], ['L', 'lost', 'Lost'],
  ['Pct', 'pct', 'Win percentage'], ['GB', 'games_behind', 'Games behind'], ['PF', 'scored', 'Points for'],
  ['PA', 'conceded', 'Points against'], ['Diff', 'difference', 'Point difference']];

function cell(key, value) {
  if (key === 'pct') return Number(value).toFixed(3).replace(/^0/, '');
  if (key === 'games_behind') return value === 0 ? '–' : String(value);
  if (key === 'difference' && value > 0) return `+${value}`;
  return String(value);
}

function render(table) {
  const columns = table.sport === 'basketball' ? BASKETBALL : FOOTBALL;
  const name = table.name;
  if (leagues.length !== table.leagues.length) {
    leagues = table.leagues;
    renderTabs();
  }
  $('#table-title').textContent = `${name} table`;
  $('#table-note').textContent = table.live ? 'Live: as it stands, with the matches under way at their current score.' : '';
  document.title = `${name} standings — livescore`;
  const head = el('tr');
  const th = (text, title, className) => {
    const h = el('th', className, text);
    h.scope = 'col';
    if (title) {
      const abbr = el('abbr', null, text);
      abbr.title = title;
      h.replaceChildren(abbr);
    }
    return h;
  };
  head.append(th('#', 'Position', 'pos'), th('Team', null, 'team'), ...columns.map(([t, key, title]) => th(t, title, `num col-${key}`)), th('Form', null, 'form-col'));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  const changed = [];
  for (const row of table.rows) {
    const tr = el('tr');
    tr.dataset.team = row.team;
    tr.classList.toggle('followed', follows.teams.has(row.team));
    tr.classList.toggle('playing', row.playing !== undefined);
    const team = teams.get(row.team) || { id: row.team, name: row.team };
    const teamCell = el('th', 'team');
    teamCell.scope = 'row';
    const link = el('a', 'team-link');
    link.href = teamHref(row.team);
    link.append(teamBadge(team), el('span', 'team-name', team.short_name || team.name));
    teamCell.append(link);
    if (row.playing !== undefined) {
      const live = el('a', 'live-dot', 'LIVE');
      live.href = matchHref(row.playing);
      live.setAttribute('aria-label', `${team.name} are playing now: the match`);
      teamCell.append(' ', live);
    }
    const formCell = el('td', 'form-col');
    formCell.append(formChips(row.form));
    tr.append(el('td', 'pos', row.position), teamCell,
      ...columns.map(([, key]) => el('td', `num col-${key}`, cell(key, row[key]))), formCell);
    tbody.append(tr);
    const figures = JSON.stringify([row.position, row.played, row.scored, row.conceded]);
    if (shown.has(row.team) && shown.get(row.team) !== figures) changed.push(tr);
    shown.set(row.team, figures);
  }
  $('#standings').replaceChildren(thead, tbody);
  const unit = table.sport === 'basketball' ? 'points' : 'goals';
  const count = (n) => `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
  $('#scorers').replaceChildren(...(table.scorers.length ? table.scorers.map((s) => {
    const li = el('li');
    const team = teams.get(s.team) || { id: s.team, name: s.team };
    const link = el('a', null, team.short_name || team.name);
    link.href = teamHref(s.team);
    li.append(el('span', 'scorer-name', s.player), ' ', link, ' ', el('span', 'scorer-count', count(s.scored)));
    return li;
  }) : [el('li', 'empty', `No ${unit} yet.`)]));
  for (const tr of changed) highlight(tr);
}

async function load() {
  const mine = ++asked;
  try {
    const table = await getJson(`/api/standings?league=${encodeURIComponent(league)}`);
    if (mine !== asked) return;
    $('#table-error').hidden = true;
    render(table);
  } catch (error) {
    if (mine !== asked) return;
    $('#table-error').textContent = `Could not load the table: ${error.message}`;
    $('#table-error').hidden = false;
  }
}

function renderTabs() {
  $('#league-tabs').replaceChildren(...leagues.map((l) => {
    const b = el('button', 'segment', l.name);
    b.type = 'button';
    b.dataset.league = l.id;
    b.setAttribute('aria-pressed', String(l.id === league));
    b.addEventListener('click', () => choose(l.id));
    return b;
  }));
}

function choose(id) {
  if (id === league && feed) return;
  league = id;
  shown = new Map();
  history.replaceState(null, '', `/standings?league=${encodeURIComponent(id)}`);
  renderTabs();
  if (feed) feed.close();
  load();
  feed = keepFresh({ filter: { leagues: [id] }, load, onStatus: showConnection });
}

async function start() {
  try {
    const squads = await getJson('/api/teams');
    teams = new Map(squads.map((t) => [t.id, t]));
  } catch {
    // The codes stand in for names.
  }
  const ids = [...new Set([...teams.values()].map((t) => t.league))];
  if (!league || (ids.length && !ids.includes(league))) {
    league = [...follows.leagues].find((id) => ids.includes(id)) || ids[0] || 'epl';
  }
  follows.subscribe(load);
  choose(league);
}

start();
