// The console's side forms and small displays: who is online, the generator panel (admins
// only), the publish form (with the "breaking" flag), and the selects filled from the snapshot.

import { splitTags } from './admin-render.js';
import { el } from './render.js';

const $ = (selector) => document.querySelector(selector);

function option(value, text) {
  const o = el('option', null, text);
  o.value = value;
  return o;
}

/** Entries are names, or {name, role} from a server that tells roles; `me` is marked. */
export function showPresence(admins, me) {
  $('#presence').replaceChildren(...admins.map((entry) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    const role = typeof entry === 'string' ? null : entry.role;
    return el('li', name === me ? 'me' : null, role ? `${name} (${role})` : name);
  }));
}

/** The generator's state; the panel shows only with a generator and a role that may steer it. */
export function showGenerator(generator, allowed) {
  const panel = $('#generator-panel');
  panel.hidden = !generator || !allowed;
  if (!generator) return;
  const toggle = $('#generator-toggle');
  toggle.textContent = generator.running ? 'Pause generator' : 'Resume generator';
  toggle.dataset.running = String(Boolean(generator.running));
  $('#generator-state').textContent = `${generator.running ? 'running' : 'paused'} at ${generator.speed}×`;
  const speed = $('#generator-speed');
  if (document.activeElement !== speed && generator.speed != null) speed.value = String(generator.speed);
}

/** The publish form's match list; `describe(id)` names a match. */
export function fillMatchSelect(store, describe) {
  const select = $('#news-match');
  const chosen = select.value;
  const options = [option('', '— no match —')];
  for (const list of store.matchesByLeague().values()) {
    for (const match of list) options.push(option(String(match.id), describe(match.id)));
  }
  select.replaceChildren(...options);
  select.value = chosen;
}

/** The league filter's options; returns the league still chosen ('' for all). */
export function fillLeagueFilter(store) {
  const select = $('#league-filter');
  const chosen = select.value;
  select.replaceChildren(option('', 'All leagues'),
    ...[...store.leagues.values()].map((league) => option(league.id, league.name)));
  select.value = store.leagues.has(chosen) ? chosen : '';
  return select.value;
}

/** Publish and generator forms; `send(command, label)` sends a command. */
export function setUpSideForms(send) {
  $('#news-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const headline = $('#news-headline').value.trim();
    if (!headline) return;
    const command = { type: 'news.publish', headline, tags: splitTags($('#news-tags').value) };
    const body = $('#news-body').value.trim();
    if (body) command.body = body;
    if ($('#news-match').value) command.match_id = Number($('#news-match').value);
    // Sent only when set, so a server without the flag still publishes ordinary stories.
    if ($('#news-breaking').checked) command.breaking = true;
    // Cleared once the server takes the story, so a refused one can be fixed and sent again;
    // and only if the form still holds it (the editor may have started the next one).
    const clear = () => {
      if ($('#news-headline').value.trim() === headline) $('#news-form').reset();
    };
    send(command, `publish${command.breaking ? ' breaking' : ''} “${headline}”`, { onAck: clear });
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
}
