// Small charts drawn as inline SVG, without a library: the feed's events per minute, and one
// match's score as it developed. Everything is built with createElementNS and text nodes.

const SVG_NS = 'http://www.w3.org/2000/svg';
const MINUTE_MS = 60000;

function svgElement(name, attributes = {}, text = null) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Draw bars of events per minute into `svg` (its viewBox is set here). */
export function drawActivity(svg, buckets) {
  const width = 300;
  const height = 110;
  const top = 14;
  const bottom = 18;
  const plot = height - top - bottom;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const peak = Math.max(0, ...buckets.map((b) => b.count));
  const max = Math.max(1, peak);
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const slot = width / buckets.length;
  svg.append(svgElement('line', {
    x1: 0, x2: width, y1: top + plot + 0.5, y2: top + plot + 0.5, class: 'axis',
  }));
  buckets.forEach((bucket, index) => {
    const barHeight = bucket.count === 0 ? 0 : Math.max(2, (bucket.count / max) * plot);
    const bar = svgElement('rect', {
      x: (index * slot + 2).toFixed(1),
      y: (top + plot - barHeight).toFixed(1),
      width: Math.max(1, slot - 4).toFixed(1),
      height: barHeight.toFixed(1),
      rx: 2,
      class: index === buckets.length - 1 ? 'bar bar-current' : 'bar',
    });
    const when = clockFormat.format(new Date(bucket.minute * MINUTE_MS));
    bar.append(svgElement('title', {}, `${when}: ${bucket.count} event${bucket.count === 1 ? '' : 's'}`));
    svg.append(bar);
  });
  svg.append(svgElement('text', { x: 0, y: height - 4, class: 'label' }, `${buckets.length} min ago`));
  svg.append(svgElement('text', { x: width, y: height - 4, class: 'label end' }, 'now'));
  svg.append(svgElement('text', { x: 0, y: 10, class: 'label' }, `peak ${peak}/min`));
  svg.append(svgElement('text', { x: width, y: 10, class: 'label end' }, `${total} event${total === 1 ? '' : 's'}`));
  if (total === 0) {
    svg.append(svgElement('text', { x: width / 2, y: top + plot / 2 + 4, class: 'label middle' },
      'Quiet so far: bars appear as events arrive'));
  }
  return total;
}

/**
 * Draw how the score developed, as two step lines (home and away) over the match minutes,
 * from the incidents that move it (scoring ones and the desk's corrections); the line ends at the
 * current score.
 */
export function drawScoreProgression(svg, match, { incidentDelta }) {
  const width = 300;
  const height = 120;
  const pad = { left: 24, right: 8, top: 8, bottom: 18 };
  const regulation = match.sport === 'basketball' ? 48 : 90;
  const ordered = [...match.incidents].sort((a, b) =>
    (a.period || 0) - (b.period || 0) || (a.minute || 0) - (b.minute || 0) || a.id - b.id);
  const lastMinute = Math.max(regulation, match.minute || 0,
    ...ordered.map((i) => i.minute || 0));
  const maxScore = Math.max(1, match.score.home, match.score.away);
  const x = (minute) => pad.left + (minute / lastMinute) * (width - pad.left - pad.right);
  const y = (score) => height - pad.bottom - (score / maxScore) * (height - pad.top - pad.bottom);

  const points = { home: [[0, 0]], away: [[0, 0]] };
  const totals = { home: 0, away: 0 };
  for (const incident of ordered) {
    const delta = incidentDelta(incident);
    for (const side of ['home', 'away']) {
      if (!delta[side]) continue;
      totals[side] += delta[side];
      points[side].push([incident.minute || 0, totals[side]]);
    }
  }
  const now = match.status === 'scheduled' ? 0 : (match.minute || lastMinute);
  for (const side of ['home', 'away']) points[side].push([now, match.score[side]]);

  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.replaceChildren();
  svg.append(svgElement('line', {
    x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: 'axis',
  }));
  svg.append(svgElement('text', { x: pad.left - 4, y: y(maxScore) + 4, class: 'label end' }, String(maxScore)));
  svg.append(svgElement('text', { x: pad.left - 4, y: y(0) + 4, class: 'label end' }, '0'));
  svg.append(svgElement('text', { x: pad.left, y: height - 4, class: 'label' }, "0'"));
  svg.append(svgElement('text', { x: width - pad.right, y: height - 4, class: 'label end' }, `${lastMinute}'`));
  for (const side of ['home', 'away']) {
    // A step line: the score holds until the next scoring minute, then jumps.
    let path = '';
    let previous = null;
    for (const [minute, score] of points[side]) {
      if (previous === null) path += `M${x(minute).toFixed(1)},${y(score).toFixed(1)}`;
      else path += ` H${x(minute).toFixed(1)} V${y(score).toFixed(1)}`;
      previous = score;
    }
    svg.append(svgElement('path', { d: path, class: `line line-${side}` }));
  }
}
