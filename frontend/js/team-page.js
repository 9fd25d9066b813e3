// Entry point of a team's page (GET /team/{id}): position and form, the match under way and the
// next ones, the latest results (archived ones included), the squad and the news about the team,
// from /api/teams/{id}, asked again after each burst of events from the team's league.

import { Follows } from './follow.js';
import { clockText, kickoffTime, statusWords } from './format.js';
import { NewsList, el, matchHref, placeInOrder, teamBadge } from './render.js';
import { getJson } from './get-json.js';
import { formChips, keepFresh, ordinal, showConnection } from './tables.js';

const $ = (selector) => document.querySelector(selector);
const teamId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const follows = new Follows();
let teams = new Map();
let page = null;
// What the news list needs of a store: match and team names for its links.
const names = {
  loaded: true,
  matches: new Map(),
  team: (id) => teams.get(id) || { id, name: id, short_name: id },
};
const news = new NewsList($('#news'), names);

const POSITIONS = [['GK', 'Goalkeepers'], ['DF', 'Defenders'], ['MF', 'Midfielders'], ['FW', 'Forwards'],
  ['G', 'Guards'], ['F', 'Forwards'], ['C', 'Centres']];

function nameOf(id) {
  const t = names.team(id);
  return t.short_name || t.name;
}

function matchRow(m) {
  const li = el('li', 'team-match');
  li.dataset.matchId = String(m.id);
  li.dataset.status = m.status;
  const link = el('a', 'team-match-link');
  link.href = matchHref(m.id);
  const home = m.home === teamId;
  const opponent = home ? m.away : m.home;
  const live = ['live', 'halftime', 'break'].includes(m.status);
  const when = live ? (m.status === 'live' ? clockText(m) : statusWords(m.status)) : kickoffTime(m.kickoff);
  link.append(el('span', `when${live ? ' live' : ''}`, when),
    el('span', 'versus', `${home ? 'v' : '@'} ${nameOf(opponent)}`),
    el('span', 'team-score', live ? `${m.score.home} – ${m.score.away}` : (m.status === 'scheduled' ? '' : statusWords(m.status))));
  li.append(link);
  return li;
}

function resultRow(r) {
  const li = el('li', 'team-match');
  li.dataset.matchId = String(r.match_id);
  const link = el('a', 'team-match-link');
  link.href = matchHref(r.match_id);
  const outcome = r.scored > r.conceded ? 'W' : r.scored === r.conceded ? 'D' : 'L';
  const chip = formChips(outcome);
  link.append(el('span', 'when', kickoffTime(r.kickoff)),
    el('span', 'versus', `${r.home ? 'v' : '@'} ${nameOf(r.opponent)}`),
    el('span', 'team-score', `${r.scored} – ${r.conceded}`), chip);
  li.append(link);
  return li;
}

function render() {
  if (!page) return;
  const { team, league, standing } = page;
  $('#team').hidden = false;
  document.title = `${team.name} — livescore`;
  $('#team-title').textContent = team.name;
  if ($('#team-badge').dataset.team !== team.id) {
    $('#team-badge').replaceChildren(teamBadge(team));
    $('#team-badge').dataset.team = team.id;
  }
  $('#table-link').href = `/standings?league=${encodeURIComponent(league.id)}`;
  const where = el('a', null, league.name);
  where.href = `/standings?league=${encodeURIComponent(league.id)}`;
  if (standing) {
    const record = league.sport === 'basketball'
      ? `${standing.won}-${standing.lost}`
      : `${standing.points} pts`;
    $('#team-standing').replaceChildren(`${ordinal(standing.position)} in `, where,
      ` · ${record} from ${standing.played} ${standing.played === 1 ? 'game' : 'games'}`);
  } else {
    $('#team-standing').replaceChildren(where);
  }
  $('#team-form').replaceChildren('Form ', formChips(standing ? standing.form : ''));
  const followed = follows.teams.has(team.id);
  const button = $('#follow-team');
  button.textContent = `${followed ? '★ Following' : '☆ Follow'} ${team.short_name || team.name}`;
  button.setAttribute('aria-pressed', String(followed));

  names.matches = new Map(page.matches.map((m) => [m.id, m]));
  const upcoming = page.matches.map(matchRow);
  $('#fixtures').replaceChildren(...(upcoming.length ? upcoming : [el('li', 'empty', 'No matches in the coming days.')]));
  const results = page.results.map(resultRow);
  $('#results').replaceChildren(...(results.length ? results : [el('li', 'empty', 'No results yet.')]));
  renderSquad(team.squad || []);
  news.render(page.news, `No news about ${team.name} yet.`);
}

function renderSquad(squad) {
  const groups = POSITIONS.map(([code, title]) => [title, squad.filter((p) => p.position === code)])
    .filter(([, players]) => players.length);
  const known = new Set(POSITIONS.map(([code]) => code));
  const others = squad.filter((p) => !known.has(p.position));
  if (others.length) groups.push(['Others', others]);
  placeInOrder($('#squad'), groups.map(([title, players]) => {
    const box = el('div', 'squad-group');
    box.dataset.group = title;
    const list = el('ul');
    list.append(...[...players].sort((a, b) => a.number - b.number).map((p) => {
      const li = el('li');
      li.append(el('span', 'shirt', p.number), ' ', el('span', null, p.name));
      return li;
    }));
    box.replaceChildren(el('h3', null, title), list);
    return box;
  }));
}

async function load() {
  try {
    page = await getJson(`/api/teams/${encodeURIComponent(teamId)}`);
    $('#team-error').hidden = true;
    render();
    return true;
  } catch (error) {
    $('#team-error').textContent = error.status === 404
      ? `There is no team ${teamId}.` : `Could not load the team: ${error.message}`;
    $('#team-error').hidden = false;
    if (error.status === 404) document.title = 'Team not found — livescore';
    return error.status !== 404;
  }
}

async function start() {
  $('#follow-team').addEventListener('click', () => follows.toggleTeam(teamId));
  follows.subscribe(render);
  getJson('/api/teams').then((squads) => {
    teams = new Map(squads.map((t) => [t.id, t]));
    render();
  }).catch(() => {});
  if (!(await load()) || !page) return;
  keepFresh({ filter: { leagues: [page.league.id] }, load, onStatus: showConnection });
}

start();
