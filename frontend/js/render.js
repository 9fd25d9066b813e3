// The dashboard's DOM: league sections with match cards, and the news column. Cards and news
// items are built once per id and then updated in place, so an open focus, a running highlight
// animation or a screen reader's position survive every update. Feed data only ever reaches the
// page through textContent and attributes.

import {
  clockText, incidentClock, incidentText, kickoffTime, relativeTime, statusLabel, statusWords,
} from './format.js';

const HIGHLIGHT_MS = 1600;
// Up to this many score changes at once are read out; more (a catch-up after a reconnect) are
// summed up, or left unsaid when a fresh snapshot brought them.
const MAX_ANNOUNCED_AT_ONCE = 3;

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
function highlight(element, className = 'flash') {
  element.classList.remove(className);
  // Reading layout between remove and add makes the browser restart the animation.
  void element.offsetWidth;
  element.classList.add(className);
  clearTimeout(element.highlightTimer);
  element.highlightTimer = setTimeout(() => element.classList.remove(className), HIGHLIGHT_MS);
}

export class MatchBoard {
  /**
   * `container` holds the league sections; `actions.open(id)` shows a timeline,
   * `actions.toggleFavourite(id)` stars a match, `actions.isFavourite(id)` tells.
   */
  constructor(container, store, actions) {
    this.container = container;
    this.store = store;
    this.actions = actions;
    this.cards = new Map();
    this.sections = new Map();
    this.empty = el('p', 'empty', 'No matches for these filters.');
  }

  /** Render every visible match; returns the score lines to announce. */
  render(visible, fromSnapshot) {
    const announcements = [];
    const keep = new Set();
    const groups = this.store.matchesByLeague();
    const orderedSections = [];
    for (const [leagueId, matches] of groups) {
      const shown = matches.filter(visible);
      const section = this.section(leagueId);
      section.hidden = shown.length === 0;
      orderedSections.push(section);
      const cards = shown.map((match) => {
        keep.add(match.id);
        return this.updateCard(match, announcements);
      });
      placeInOrder(section.grid, cards);
    }
    placeInOrder(this.container, orderedSections.concat(this.empty));
    this.empty.hidden = keep.size > 0 || !this.store.loaded;
    for (const [id, card] of this.cards) {
      if (!keep.has(id)) {
        card.root.remove();
        this.cards.delete(id);
      }
    }
    if (announcements.length > MAX_ANNOUNCED_AT_ONCE) {
      return fromSnapshot ? [] : [`${announcements.length} scores changed`];
    }
    return announcements;
  }

  section(leagueId) {
    let section = this.sections.get(leagueId);
    if (!section) {
      const league = this.store.league(leagueId);
      section = el('section', 'league');
      section.dataset.league = leagueId;
      section.dataset.sport = league.sport;
      const head = el('header', 'league-head');
      const title = el('h3', 'league-name', league.name);
      title.id = `league-${leagueId}`;
      section.setAttribute('aria-labelledby', title.id);
      head.append(title, el('span', 'league-meta', [league.sport, league.country].filter(Boolean).join(' · ')));
      section.grid = el('div', 'match-grid');
      section.append(head, section.grid);
      this.sections.set(leagueId, section);
    }
    return section;
  }

  updateCard(match, announcements) {
    let card = this.cards.get(match.id);
    const identity = `${match.home}|${match.away}|${match.sport}`;
    if (card && card.identity !== identity) {
      // A restarted server may reuse the id for another fixture: start the card afresh.
      card.root.remove();
      card = null;
    }
    if (!card) {
      card = this.buildCard(match);
      card.identity = identity;
      this.cards.set(match.id, card);
    }
    const favourite = this.actions.isFavourite(match.id);
    const scoreText = `${match.score.home}-${match.score.away}`;
    // Most events touch one match: leave the other cards alone.
    const signature = [match.version, match.status, match.period, match.minute, scoreText,
      match.incidents.length, favourite].join('|');
    if (card.signature === signature) return card.root;
    card.signature = signature;
    const home = this.store.team(match.home);
    const away = this.store.team(match.away);
    card.root.dataset.status = match.status;
    card.status.dataset.status = match.status;
    card.status.textContent = statusLabel(match.status);
    // The pill already says HT, FT or Break; the clock adds the minute or quarter while live.
    card.clock.textContent = match.status === 'live' ? clockText(match) : '';
    card.homeName.textContent = home.short_name || home.name;
    card.awayName.textContent = away.short_name || away.name;
    setText(card.homeScore, match.score.home);
    setText(card.awayScore, match.score.away);
    if (card.shownScore !== null && card.shownScore !== scoreText) {
      if (String(match.score.home) !== card.shownScore.split('-')[0]) highlight(card.homeScore);
      if (String(match.score.away) !== card.shownScore.split('-')[1]) highlight(card.awayScore);
      highlight(card.root, 'changed');
      announcements.push(this.store.scoreLine(match));
    }
    card.shownScore = scoreText;
    card.star.setAttribute('aria-pressed', String(favourite));
    card.star.setAttribute('aria-label', `${favourite ? 'Unfollow' : 'Follow'} ${home.name} v ${away.name}`);
    card.star.title = favourite ? 'Remove from favourites' : 'Add to favourites';
    card.open.setAttribute('aria-label',
      `${home.name} ${match.score.home}, ${away.name} ${match.score.away}, ${statusWords(match.status)}. Show timeline`);
    card.kickoff.dateTime = match.kickoff;
    card.kickoff.textContent = kickoffTime(match.kickoff);
    const latest = latestIncident(match);
    card.latest.textContent = latest
      ? `${incidentClock(latest, match.sport)} ${incidentText(latest, latest.team ? this.store.team(match[latest.team]).short_name : '')}`
      : '';
    return card.root;
  }

  buildCard(match) {
    const root = el('article', 'match');
    root.dataset.matchId = String(match.id);
    root.dataset.sport = match.sport;
    const top = el('div', 'match-top');
    const status = el('span', 'status');
    const clock = el('span', 'clock');
    const star = el('button', 'star', '★');
    star.type = 'button';
    star.addEventListener('click', () => this.actions.toggleFavourite(match.id));
    top.append(status, clock, star);

    const open = el('button', 'match-open');
    open.type = 'button';
    open.setAttribute('aria-haspopup', 'dialog');
    open.addEventListener('click', () => this.actions.open(match.id));
    const row = (side) => {
      const line = el('span', `team ${side}`);
      const name = el('span', 'team-name');
      const score = el('span', `score ${side}-score`);
      line.append(teamBadge(this.store.team(match[side])), name, score);
      return { line, name, score };
    };
    const homeRow = row('home');
    const awayRow = row('away');
    open.append(homeRow.line, awayRow.line);

    const foot = el('div', 'match-foot');
    const kickoff = el('time', 'kickoff');
    const latest = el('span', 'latest');
    foot.append(kickoff, latest);
    root.append(top, open, foot);
    return {
      root, status, clock, star, open, kickoff, latest,
      homeName: homeRow.name, awayName: awayRow.name,
      homeScore: homeRow.score, awayScore: awayRow.score,
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

  render(visible) {
    const keep = new Set();
    const nodes = [];
    for (const item of this.store.newsNewestFirst()) {
      if (!visible(item)) continue;
      keep.add(item.id);
      nodes.push(this.updateItem(item));
    }
    for (const [id, entry] of this.items) {
      if (!keep.has(id)) {
        entry.li.remove();
        this.items.delete(id);
      }
    }
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
      item.match_id, item.published_at]);
    if (entry.signature === signature) return entry.li;
    const edited = entry.version !== null && entry.version !== item.version;
    entry.signature = signature;
    entry.version = item.version;
    entry.published = item.published_at;
    entry.headline.textContent = item.headline;
    entry.body.textContent = item.body || '';
    entry.body.hidden = !item.body;
    entry.time.dateTime = item.published_at;
    entry.time.textContent = relativeTime(item.published_at);
    entry.updated.hidden = !(item.version > 1);
    entry.tags.replaceChildren(...(item.tags || []).map((tag) => el('li', 'tag', tag)));
    const match = item.match_id != null ? this.store.matches.get(item.match_id) : null;
    entry.about.textContent = match
      ? `${this.store.team(match.home).short_name} v ${this.store.team(match.away).short_name}` : '';
    entry.about.hidden = !match;
    // Items present at the first render are not news to the reader; later ones are marked.
    if (edited || (isNew && this.rendered)) highlight(entry.article, 'fresh');
    return entry.li;
  }

  buildItem(item) {
    const li = el('li');
    const article = el('article', 'news-item');
    article.dataset.newsId = String(item.id);
    const headline = el('h3', 'headline');
    const body = el('p', 'news-body');
    const meta = el('div', 'news-meta');
    const time = el('time');
    const about = el('span', 'news-about');
    const updated = el('span', 'news-updated', 'updated');
    const tags = el('ul', 'tags');
    tags.setAttribute('aria-label', 'tags');
    meta.append(time, about, updated, tags);
    article.append(headline, body, meta);
    li.append(article);
    return {
      li, article, headline, body, time, about, updated, tags, version: null, published: null, signature: null,
    };
  }
}

function latestIncident(match) {
  let latest = null;
  for (const incident of match.incidents) {
    if (incident.kind === 'foul' || incident.kind === 'timeout') continue;
    if (!latest || incident.id > latest.id) latest = incident;
  }
  return latest;
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
