// The incident timeline of one match, in a modal dialog: a score-progression chart and every
// incident, newest first. It follows the match live while open.

import { drawScoreProgression } from './charts.js';
import {
  clockText, incidentClock, incidentPoints, incidentText, kickoffTime, scoringSide, statusWords,
} from './format.js';
import { el, teamBadge } from './render.js';

export class TimelineDialog {
  constructor(dialog, store) {
    this.dialog = dialog;
    this.store = store;
    this.matchId = null;
    this.title = dialog.querySelector('#timeline-title');
    this.meta = dialog.querySelector('.timeline-meta');
    this.board = dialog.querySelector('.timeline-score');
    this.chart = dialog.querySelector('#score-chart');
    this.list = dialog.querySelector('.timeline-list');
    dialog.querySelector('.close').addEventListener('click', () => dialog.close());
    // A click on the backdrop (outside the dialog's box) closes it too.
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener('close', () => { this.matchId = null; });
  }

  open(matchId) {
    this.matchId = matchId;
    this.render();
    if (!this.dialog.open) this.dialog.showModal();
  }

  /** Redraw when open; closes itself when the match left the feed (a new snapshot without it). */
  render() {
    if (this.matchId === null) return;
    const match = this.store.matches.get(this.matchId);
    if (!match) {
      this.dialog.close();
      return;
    }
    const home = this.store.team(match.home);
    const away = this.store.team(match.away);
    const league = this.store.league(match.league);
    this.title.textContent = `${home.name} v ${away.name}`;
    const when = {
      scheduled: `kick-off ${kickoffTime(match.kickoff)}`,
      live: `live, ${clockText(match)}`,
    }[match.status] || statusWords(match.status);
    this.meta.textContent = `${league.name} · ${when}`;
    this.dialog.dataset.status = match.status;

    const side = (team, score, className) => {
      const box = el('div', `timeline-team ${className}`);
      box.append(teamBadge(team), el('span', 'team-name', team.short_name || team.name),
        el('span', 'score', score));
      return box;
    };
    this.board.replaceChildren(side(home, match.score.home, 'home'),
      side(away, match.score.away, 'away'));

    drawScoreProgression(this.chart, match, { scoringSide, incidentPoints });
    this.dialog.querySelector('.key-home').textContent = home.short_name || home.name;
    this.dialog.querySelector('.key-away').textContent = away.short_name || away.name;
    this.chart.setAttribute('aria-label',
      `Score progression: ${home.name} (solid) and ${away.name} (dashed)`);

    const incidents = [...match.incidents].sort((a, b) =>
      (b.period || 0) - (a.period || 0) || (b.minute || 0) - (a.minute || 0) || b.id - a.id);
    if (incidents.length === 0) {
      this.list.replaceChildren(el('li', 'empty', 'Nothing has happened yet.'));
      return;
    }
    this.list.replaceChildren(...incidents.map((incident) => {
      const item = el('li', `incident kind-${incident.kind}`);
      if (incident.team) item.classList.add(`side-${incident.team}`);
      const team = incident.team ? this.store.team(match[incident.team]) : null;
      item.append(
        el('span', 'incident-clock', incidentClock(incident, match.sport)),
        el('span', 'incident-mark'),
        el('span', 'incident-text', incidentText(incident, team ? team.short_name : '')),
      );
      return item;
    }));
  }
}
