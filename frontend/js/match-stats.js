// The match page's Stats section: each figure as a bar split between home and away, and for
// basketball the fouls of each quarter in a table. The figures come with the match (`stats`) and
// with each `stats` event. `statRows` is pure (usable in Node).

import { periodName } from './match-facts.js';
import { el } from './render.js';

const FOOTBALL = [
  ['possession', 'Possession', '%'],
  ['shots', 'Shots', ''],
  ['shots_on_target', 'Shots on target', ''],
  ['corners', 'Corners', ''],
  ['fouls', 'Fouls', ''],
];
const BASKETBALL = [
  ['rebounds', 'Rebounds', ''],
  ['assists', 'Assists', ''],
  ['fouls', 'Fouls', ''],
];

const total = (list) => (list || []).reduce((sum, n) => sum + n, 0);

/**
 * The bars: `[{key, label, home, away, homeShare}]` (homeShare 0..1, a half when both are 0),
 * or null when the match has no stats. Basketball fouls are summed over the quarters.
 */
export function statRows(match) {
  const stats = match.stats;
  if (!stats) return null;
  const value = (side, key) => (match.sport === 'basketball' && key === 'fouls'
    ? total(stats[side].fouls_by_period) : Number(stats[side][key] || 0));
  return (match.sport === 'basketball' ? BASKETBALL : FOOTBALL).map(([key, label, unit]) => {
    const home = value('home', key);
    const away = value('away', key);
    const sum = home + away;
    return {
      key, label, home: `${home}${unit}`, away: `${away}${unit}`, homeShare: sum ? home / sum : 0.5,
    };
  });
}

/** Basketball fouls by quarter: `{periods: [1, 2, ...], home: [..], away: [..]}`. */
export function foulsByPeriod(match) {
  const home = (match.stats && match.stats.home.fouls_by_period) || [];
  const away = (match.stats && match.stats.away.fouls_by_period) || [];
  const count = Math.max(home.length, away.length);
  const periods = Array.from({ length: count }, (_, i) => i + 1);
  return { periods, home: periods.map((_, i) => home[i] || 0), away: periods.map((_, i) => away[i] || 0) };
}

function bar(row) {
  const item = el('li', 'stat');
  item.dataset.stat = row.key;
  const figures = el('div', 'stat-figures');
  figures.append(el('span', 'stat-home', row.home), el('span', 'stat-label', row.label), el('span', 'stat-away', row.away));
  const track = el('div', 'stat-bar');
  track.setAttribute('aria-hidden', 'true');
  const homePart = el('span', 'bar-home');
  homePart.style.width = `${(row.homeShare * 100).toFixed(1)}%`;
  track.append(homePart, el('span', 'bar-away'));
  item.append(figures, track);
  return item;
}

function foulsTable(match, home, away) {
  const { periods, home: h, away: a } = foulsByPeriod(match);
  const table = el('table', 'fouls-by-period');
  table.append(el('caption', null, 'Fouls by quarter'));
  const head = el('tr');
  head.append(el('th', null, ''), ...periods.map((p) => {
    const th = el('th', null, periodName(p));
    th.scope = 'col';
    return th;
  }));
  const row = (team, side, values) => {
    const tr = el('tr');
    tr.dataset.side = side;
    const name = el('th', null, team.short_name || team.name);
    name.scope = 'row';
    tr.append(name, ...values.map((v) => el('td', null, v)));
    return tr;
  };
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  tbody.append(row(home, 'home', h), row(away, 'away', a));
  table.append(thead, tbody);
  return table;
}

/** Fill `section` (holding `.stats-list` and `.stats-extra`) for `match`; hidden without stats. */
export function renderStats(section, match, home, away) {
  const rows = statRows(match);
  section.hidden = rows === null;
  if (!rows) return;
  const key = JSON.stringify([match.stats, home.name, away.name]);
  if (section.dataset.key === key) return;
  section.dataset.key = key;
  section.querySelector('.stats-sides').replaceChildren(
    el('span', 'stat-home', home.short_name || home.name),
    el('span', 'stat-away', away.short_name || away.name),
  );
  section.querySelector('.stats-list').replaceChildren(...rows.map(bar));
  const extra = section.querySelector('.stats-extra');
  if (match.sport === 'basketball') extra.replaceChildren(foulsTable(match, home, away));
  else extra.replaceChildren();
}
