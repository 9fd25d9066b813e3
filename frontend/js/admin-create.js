// The admin-only "Schedule a match" form (match.create): a league, two of its teams and a local
// kick-off time, sent in UTC. Editors never see it; the server refuses them the command anyway.

import { el } from './render.js';

const $ = (selector) => document.querySelector(selector);

function option(value, text) {
  const o = el('option', null, text);
  o.value = value;
  return o;
}

function fillTeams(store) {
  const league = $('#create-league').value;
  const teams = [...store.teams.values()].filter((team) => team.league === league)
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const [selector, pick] of [['#create-home', 0], ['#create-away', 1]]) {
    const select = $(selector);
    const chosen = select.value;
    select.replaceChildren(...teams.map((team) => option(team.id, team.name)));
    select.value = teams.some((team) => team.id === chosen) ? chosen : (teams[pick] || {}).id || '';
  }
}

/** Fill the form from the snapshot's leagues and teams; hide it when the role may not create. */
export function fillCreateForm(store, allowed) {
  $('#create-panel').hidden = !allowed;
  const select = $('#create-league');
  const chosen = select.value;
  select.replaceChildren(...[...store.leagues.values()].map((league) => option(league.id, league.name)));
  if (store.leagues.has(chosen)) select.value = chosen;
  fillTeams(store);
}

/** `send(command, label)` sends match.create; the reply shows in the log and the toast. */
export function setUpCreateForm(store, send) {
  $('#create-league').addEventListener('change', () => fillTeams(store));
  $('#create-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const kickoff = new Date($('#create-kickoff').value);
    if (Number.isNaN(kickoff.getTime())) return;
    const home = $('#create-home').value;
    const away = $('#create-away').value;
    const name = (id) => (store.teams.get(id) || { name: id }).name;
    send({ type: 'match.create', league: $('#create-league').value, home, away, kickoff: kickoff.toISOString() },
      `schedule ${name(home)} v ${name(away)}`);
  });
}
