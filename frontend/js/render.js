// The dashboard's DOM: sections (live now, upcoming, results) of compact match rows, and the news
// list. Rows and news items are built once per id and then updated in place, so an open focus, a
// running highlight animation or a screen reader's position survive every update. Feed data only
// ever reaches the page through textContent and attributes.

import {
  clockText, gameClock, relativeTime, statusLabel, statusWords, timeOfDay,
} from './format.js';

const HIGHLIGHT_MS = 1600;
// Up to this many score changes at once are read out; more (a catch-up after a reconnect) are
// summed up, or left unsaid when a fresh snapshot brought them.
const MAX_ANNOUNCED_AT_ONCE = 3;
// The line the favourites of a section are pinned under (no league has this id).
const FOLLOWED_LINE = '★';

/** `el('span', 'class-name', 'text')` */
export function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A round badge with the team's code, its colour derived from the code (SVG fill, not style). */
export function teamBadge(team) {
  let hash = 0;
  for (const ch of String(team.id)) hash = (hash * 31 + ch.charCodeAt(0)) % 360;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 32 32');
  svg.setAttribute('class', 'badge');
  svg.setAttribute('aria-hidden', 'true');
  const circle = document.createElementNS(SVG_NS, 'circle');
  circle.setAttribute('cx', '16');
  circle.setAttribute('cy', '16');
  circle.setAttribute('r', '16');
  circle.setAttribute('fill', `hsl(${hash} 55% 42%)`);
  const text = document.createElementNS(SVG_NS, 'text');
  text.setAttribute('x', '16');
  text.setAttribute('y', '20.5');
  text.setAttribute('text-anchor', 'middle');
  text.textContent = String(team.id).slice(0, 3);
  svg.append(circle, text);
  return svg;
}

/** Restart a CSS animation class on `element` (removed again when it ends). */
export function highlight(element, className = 'flash') {
  element.classList.remove(className);
  // Reading layout between remove and add makes the browser restart the animation.
  void element.offsetWidth;
  element.classList.add(className);
  clearTimeout(element.highlightTimer);
  element.highlightTimer = setTimeout(() => element.classList.remove(className), HIGHLIGHT_MS);
}

/** The match page's address. */
export function matchHref(id) {
  return `/match/${encodeURIComponent(id)}`;
}

/** How long a row says a goal was cancelled. */
const ROW_NOTE_MS = 12000;

/** Show `text` on a match row for a while (the latest note replaces an earlier one). */
function noteOnRow(row, text) {
  let note = row.root.querySelector('.row-note');
  if (!note) {
    note = el('span', 'row-note');
    row.root.append(note);
  }
  note.textContent = text;
  note.hidden = false;
  clearTimeout(row.noteTimer);
  row.noteTimer = setTimeout(() => { note.hidden = true; }, ROW_NOTE_MS);
}

export class MatchBoard {
  /** `container` holds the sections; `isFollowed(match)` marks rows of followed teams/leagues. */
  constructor(container, store, { isFollowed }) {
    this.container = container;
    this.store = store;
    this.isFollowed = isFollowed;
    this.rows = new Map();
    this.sections = new Map();
    this.empty = el('p', 'empty', 'No matches.');
  }

  /** Basketball's clocks count the seconds between the feed's minutes (`GameClock` in format.js). */
  tickClocks() {
    for (const [id, row] of this.rows) {
      const match = this.store.matches.get(id);
      if (match && match.sport === 'basketball' && match.status === 'live') {
        row.clock.textContent = clockText(match, gameClock.secondsInto(match));
      }
    }
  }

  /**
   * Show `groups`: `[{key, title, matches}]`, each match list in display order. Returns the score
   * lines to announce.
   */
  render(groups, fromSnapshot) {
    const announcements = [];
    const keep = new Set();
    const sections = [];
    for (const group of groups) {
      if (group.matches.length === 0) continue;
      const section = this.section(group);
      sections.push(section);
      const nodes = [];
      // Favourites first, under a line of their own; then every other match by league.
      const followed = group.matches.filter((m) => this.isFollowed(m));
      const others = group.matches.filter((m) => !this.isFollowed(m));
      let league = null;
      for (const match of followed.concat(others)) {
        const line = followed.includes(match) ? FOLLOWED_LINE : match.league;
        if (line !== league) {
          league = line;
          nodes.push(this.leagueLine(section, league));
        }
        keep.add(match.id);
        nodes.push(this.updateRow(match, announcements));
      }
      placeInOrder(section.list, nodes);
    }
    placeInOrder(this.container, sections.concat(this.empty));
    this.empty.hidden = keep.size > 0 || !this.store.loaded;
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.root.remove();
        this.rows.delete(id);
      }
    }
    if (announcements.length > MAX_ANNOUNCED_AT_ONCE) {
      return fromSnapshot ? [] : [`${announcements.length} scores changed`];
    }
    return announcements;
  }

  section(group) {
    let section = this.sections.get(group.key);
    if (!section) {
      section = el('section', `board-section section-${group.key}`);
      section.dataset.section = group.key;
      const title = el('h2', 'section-title', group.title);
      title.id = `section-${group.key}`;
      section.setAttribute('aria-labelledby', title.id);
      section.list = el('div', 'rows');
      section.leagueLines = new Map();
      section.append(title, section.list);
      this.sections.set(group.key, section);
    }
    return section;
  }

  leagueLine(section, leagueId) {
    // Named on every render: a day's list can come before the snapshot that names the leagues.
    const name = leagueId === FOLLOWED_LINE ? '★ Following' : this.store.league(leagueId).name;
    let line = section.leagueLines.get(leagueId);
    if (!line) {
      line = el('h3', `league-line${leagueId === FOLLOWED_LINE ? ' followed-line' : ''}`, name);
      line.dataset.league = leagueId;
      section.leagueLines.set(leagueId, line);
    }
    if (line.textContent !== name) line.textContent = name;
    return line;
  }

  updateRow(match, announcements) {
    let row = this.rows.get(match.id);
    const identity = `${match.home}|${match.away}|${match.sport}`;
    if (row && row.identity !== identity) {
      // A restarted server may reuse the id for another fixture: start the row afresh.
      row.root.remove();
      row = null;
    }
    if (!row) {
      row = this.buildRow(match);
      row.identity = identity;
      this.rows.set(match.id, row);
    }
    const followed = this.isFollowed(match);
    const scoreText = `${match.score.home}-${match.score.away}`;
    // Most events touch one match: leave the other rows alone.
    // Names too: a day's list can come before the snapshot that names the teams.
    const signature = [match.version, match.status, match.period, match.minute, scoreText,
      followed, match.kickoff, this.store.team(match.home).name, this.store.team(match.away).name].join('|');
    if (row.signature === signature) return row.root;
    row.signature = signature;
    const home = this.store.team(match.home);
    const away = this.store.team(match.away);
    const scheduled = match.status === 'scheduled' || match.status === 'postponed'
      || match.status === 'cancelled';
    row.root.dataset.status = match.status;
    row.root.classList.toggle('followed', followed);
    row.status.dataset.status = match.status;
    row.status.textContent = statusLabel(match.status);
    // A fixture shows its kick-off time where a score would be; never "0 0".
    row.clock.textContent = match.status === 'live' ? clockText(match, gameClock.secondsInto(match)) : '';
    row.kickoff.dateTime = match.kickoff;
    row.kickoff.textContent = timeOfDay(match.kickoff);
    row.kickoff.hidden = !scheduled;
    row.homeName.textContent = home.name;
    row.awayName.textContent = away.name;
    setText(row.homeScore, scheduled ? '' : match.score.home);
    setText(row.awayScore, scheduled ? '' : match.score.away);
    row.scores.hidden = scheduled;
    row.star.hidden = !followed;
    if (row.shownScore !== null && row.shownScore !== scoreText && !scheduled) {
      if (String(match.score.home) !== row.shownScore.split('-')[0]) highlight(row.homeScore);
      if (String(match.score.away) !== row.shownScore.split('-')[1]) highlight(row.awayScore);
      highlight(row.root, 'changed');
      const [home0, away0] = row.shownScore.split('-').map(Number);
      const down = match.score.home < home0 || match.score.away < away0;
      // A score that goes down is a goal taken back (VAR, or the desk's undo): say so, in the
      // row for a while and out loud, rather than let a fan wonder where the goal went.
      const words = match.sport === 'football' ? 'Goal cancelled' : 'Score corrected';
      if (down) noteOnRow(row, words);
      announcements.push(down ? `${words}: ${this.store.scoreLine(match)}` : this.store.scoreLine(match));
    }
    row.shownScore = scoreText;
    const state = scheduled
      ? `${statusWords(match.status)}, kick-off ${timeOfDay(match.kickoff)}`
      : `${home.name} ${match.score.home}, ${away.name} ${match.score.away}, ${statusWords(match.status)}${match.status === 'live' ? ` ${clockText(match)}` : ''}`;
    row.open.setAttribute('aria-label', `${home.name} v ${away.name}: ${state}${followed ? ', followed' : ''}`);
    return row.root;
  }

  buildRow(match) {
    const root = el('article', 'match');
    root.dataset.matchId = String(match.id);
    root.dataset.sport = match.sport;
    const open = el('a', 'match-open');
    open.href = matchHref(match.id);
    const when = el('span', 'when');
    const status = el('span', 'status');
    const clock = el('span', 'clock');
    const kickoff = el('time', 'kickoff');
    when.append(status, clock, kickoff);
    const teams = el('span', 'teams');
    const team = (side) => {
      const line = el('span', `team ${side}`);
      const name = el('span', 'team-name');
      line.append(teamBadge(this.store.team(match[side])), name);
      teams.append(line);
      return name;
    };
    const homeName = team('home');
    const awayName = team('away');
    const scores = el('span', 'scores');
    const homeScore = el('span', 'score home-score');
    const awayScore = el('span', 'score away-score');
    scores.append(homeScore, awayScore);
    const star = el('span', 'followed-mark', '★');
    star.setAttribute('aria-hidden', 'true');
    open.append(when, teams, scores, star);
    root.append(open);
    return {
      root, open, status, clock, kickoff, homeName, awayName, scores, homeScore, awayScore, star,
      shownScore: null,
    };
  }
}

export class NewsList {
  constructor(list, store) {
    this.list = list;
    this.store = store;
    this.items = new Map();
    this.empty = el('li', 'empty', 'No news yet.');
    this.rendered = false;
  }

  /** Show `items` (newest first); `emptyText` says why there are none. */
  render(items, emptyText) {
    const keep = new Set();
    const nodes = [];
    for (const item of items) {
      keep.add(item.id);
      nodes.push(this.updateItem(item));
    }
    for (const [id, entry] of this.items) {
      if (!keep.has(id)) {
        entry.li.remove();
        this.items.delete(id);
      }
    }
    this.empty.textContent = emptyText || 'No news yet.';
    this.empty.hidden = nodes.length > 0 || !this.store.loaded;
    placeInOrder(this.list, nodes.concat(this.empty));
    this.rendered = this.store.loaded;
  }

  /** Refresh "5 min ago" labels without waiting for news. */
  refreshTimes() {
    for (const entry of this.items.values()) entry.time.textContent = relativeTime(entry.published);
  }

  updateItem(item) {
    let entry = this.items.get(item.id);
    const isNew = !entry;
    if (!entry) {
      entry = this.buildItem(item);
      this.items.set(item.id, entry);
    }
    // After a server restart the same id can name a different item, so compare content too.
    const signature = JSON.stringify([item.version, item.headline, item.body, item.tags,
      item.match_id, item.published_at, item.breaking === true]);
    if (entry.signature === signature) return entry.li;
    const edited = entry.version !== null && entry.version !== item.version;
    entry.signature = signature;
    entry.version = item.version;
    entry.published = item.published_at;
    entry.article.classList.toggle('breaking', item.breaking === true);
    entry.flag.hidden = item.breaking !== true;
    entry.headline.textContent = item.headline;
    entry.body.textContent = item.body || '';
    entry.body.hidden = !item.body;
    entry.time.dateTime = item.published_at;
    entry.time.textContent = relativeTime(item.published_at);
    entry.updated.hidden = !(item.version > 1);
    entry.tags.replaceChildren(...(item.tags || []).map((tag) => el('li', 'tag', tag)));
    const match = item.match_id != null ? this.store.matches.get(item.match_id) : null;
    entry.about.replaceChildren();
    if (item.match_id != null) {
      const link = el('a', null, match
        ? `${this.store.team(match.home).short_name} v ${this.store.team(match.away).short_name}`
        : 'the match');
      link.href = matchHref(item.match_id);
      entry.about.append(link);
    }
    entry.about.hidden = item.match_id == null;
    // Items present at the first render are not news to the reader; later ones are marked.
    if (edited || (isNew && this.rendered)) highlight(entry.article, 'fresh');
    return entry.li;
  }

  buildItem(item) {
    const li = el('li');
    const article = el('article', 'news-item');
    article.dataset.newsId = String(item.id);
    const flag = el('span', 'breaking-flag', 'Breaking');
    const headline = el('h3', 'headline');
    const body = el('p', 'news-body');
    const meta = el('div', 'news-meta');
    const time = el('time');
    const about = el('span', 'news-about');
    const updated = el('span', 'news-updated', 'updated');
    const tags = el('ul', 'tags');
    tags.setAttribute('aria-label', 'tags');
    meta.append(time, about, updated, tags);
    article.append(flag, headline, body, meta);
    li.append(article);
    return {
      li, article, flag, headline, body, time, about, updated, tags, version: null, published: null, signature: null,
    };
  }
}

function setText(element, value) {
  const text = String(value);
  if (element.textContent !== text) element.textContent = text;
}

/** Make `parent`'s children exactly `nodes`, in order, moving only what is out of place. */
export function placeInOrder(parent, nodes) {
  nodes.forEach((node, index) => {
    if (parent.children[index] !== node) parent.insertBefore(node, parent.children[index] || null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}
