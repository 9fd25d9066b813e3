// The dashboard's count of feed events per minute, kept from the first event on; drawn by
// charts.js only when the "About this feed" panel is open (and so loaded only then).

const MINUTE_MS = 60 * 1000;

/** Event counts by minute, kept only as long as the chart shows them. */
export class ActivityLog {
  constructor(minutes = 15) {
    this.minutes = minutes;
    this.counts = new Map(); // minute number since the epoch → events
  }

  record(timeMs, count = 1) {
    if (!Number.isFinite(timeMs) || count <= 0) return;
    const minute = Math.floor(timeMs / MINUTE_MS);
    this.counts.set(minute, (this.counts.get(minute) || 0) + count);
    const oldest = Math.floor(Date.now() / MINUTE_MS) - this.minutes;
    for (const key of this.counts.keys()) if (key < oldest) this.counts.delete(key);
  }

  /** `[{minute, count}]` for the last `minutes` minutes, oldest first, ending with the current one. */
  buckets(nowMs = Date.now()) {
    const current = Math.floor(nowMs / MINUTE_MS);
    const result = [];
    for (let minute = current - this.minutes + 1; minute <= current; minute += 1) {
      result.push({ minute, count: this.counts.get(minute) || 0 });
    }
    return result;
  }
}
