// What a fan follows (teams and leagues, by id, so a follow outlives the round it was made in) and
// the alerts for it: a goal or a final whistle of a followed match shows as a count in the tab
// title while the tab is hidden, a browser notification when the fan opted in, and a short beep
// when the sound is on. Shared by the dashboard and the match page; kept in localStorage.

const KEY = 'livescore.follow.v1';
const BEEP_HZ = 880;
const BEEP_SECONDS = 0.18;

export class Follows {
  constructor() {
    this.listeners = new Set();
    this.load();
    // Another tab changed them: take them over.
    window.addEventListener('storage', (event) => {
      if (event.key !== KEY) return;
      this.load();
      this.changed();
    });
  }

  load() {
    let saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    } catch {
      saved = null;
    }
    const list = (value) => (Array.isArray(value) ? value.map(String) : []);
    this.teams = new Set(list(saved && saved.teams));
    this.leagues = new Set(list(saved && saved.leagues));
    this.onlyFollowed = Boolean(saved && saved.onlyFollowed === true);
    this.notify = Boolean(saved && saved.notify === true);
    this.sound = Boolean(saved && saved.sound === true);
  }

  save() {
    try {
      localStorage.setItem(KEY, JSON.stringify({
        teams: [...this.teams], leagues: [...this.leagues], onlyFollowed: this.onlyFollowed,
        notify: this.notify, sound: this.sound,
      }));
    } catch {
      // Storage full or disabled (private mode): the follows last for this page only.
    }
  }

  subscribe(fn) {
    this.listeners.add(fn);
  }

  changed() {
    for (const fn of this.listeners) fn();
  }

  update(fn) {
    fn(this);
    this.save();
    this.changed();
  }

  toggleTeam(id) {
    this.update(() => (this.teams.has(id) ? this.teams.delete(id) : this.teams.add(id)));
  }

  toggleLeague(id) {
    this.update(() => (this.leagues.has(id) ? this.leagues.delete(id) : this.leagues.add(id)));
  }

  get any() {
    return this.teams.size > 0 || this.leagues.size > 0;
  }

  /** Whether a match involves a followed team or is in a followed league. */
  match(match) {
    return this.teams.has(match.home) || this.teams.has(match.away) || this.leagues.has(match.league);
  }
}

/**
 * Alerts for followed matches. `store` is the page's FeedStore, `announce(text)` the page's live
 * region, `baseTitle()` the page title without the badge.
 */
export class Alerts {
  constructor(store, follows, { announce, baseTitle }) {
    this.store = store;
    this.follows = follows;
    this.announce = announce;
    this.baseTitle = baseTitle;
    this.unseen = 0;
    this.scores = new Map();
    this.stream = undefined;
    this.audio = null;
    store.subscribe((change) => this.onChange(change));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.clearBadge();
    });
  }

  /**
   * A snapshot of the stream already shown (the poll transport, a resume that fell back to a
   * snapshot) may hold goals and final whistles that came as no event: alert for those too. The
   * first snapshot, or one of another stream, is how things stand, not news.
   */
  onSnapshot() {
    const sameStream = this.stream !== undefined && this.stream === this.store.stream;
    this.stream = this.store.stream;
    for (const match of this.store.matches.values()) {
      const before = this.scores.get(match.id);
      this.scores.set(match.id, { ...match.score, status: match.status });
      if (!sameStream || !before || !this.follows.match(match)) continue;
      this.check(match, before, match.score, before.status !== 'final' && match.status === 'final');
    }
  }

  onChange(change) {
    if (change.type === 'snapshot') {
      this.onSnapshot();
      return;
    }
    const match = change.match_id != null ? this.store.matches.get(change.match_id) : null;
    if (!match) return;
    const before = this.scores.get(match.id);
    this.scores.set(match.id, { ...match.score, status: match.status });
    if (!before || !this.follows.match(match)) return;
    if (change.type === 'score') this.check(match, before, change, false);
    else if (change.type === 'status') this.check(match, before, before, before.status !== 'final' && change.status === 'final');
  }

  /** Alert for a football goal (a side's score went up), a goal taken back, or a final whistle. */
  check(match, before, after, finished) {
    const line = this.store.scoreLine(match);
    if (match.sport === 'football' && (after.home > before.home || after.away > before.away)) {
      this.fire(`Goal! ${line}`, match);
    } else if (match.sport === 'football' && (after.home < before.home || after.away < before.away)) {
      this.fire(`Goal cancelled: ${line}`, match);
    }
    if (finished) this.fire(`Full time: ${line}`, match);
  }

  fire(text, match) {
    this.announce(text);
    if (document.visibilityState === 'hidden') {
      this.unseen += 1;
      document.title = `(${this.unseen}) ${this.baseTitle()}`;
    }
    if (this.follows.notify && 'Notification' in window && Notification.permission === 'granted') {
      try {
        // One notification per match: a second goal replaces the first.
        new Notification(text, { tag: `livescore-match-${match.id}`, body: this.store.league(match.league).name });
      } catch {
        // Some browsers only allow notifications from a service worker; the badge still tells.
      }
    }
    if (this.follows.sound) this.beep();
  }

  clearBadge() {
    this.unseen = 0;
    document.title = this.baseTitle();
  }

  /** Ask for notification permission (from a click); returns whether alerts may be shown. */
  async enableNotifications() {
    if (!('Notification' in window)) return false;
    const permission = Notification.permission === 'default'
      ? await Notification.requestPermission() : Notification.permission;
    const granted = permission === 'granted';
    this.follows.update((f) => { f.notify = granted; });
    return granted;
  }

  /** Turn the sound on or off (from a click, which lets the audio context start). */
  setSound(on) {
    this.follows.update((f) => { f.sound = on; });
    if (on) {
      this.context();
      this.beep();
    }
  }

  context() {
    if (!this.audio) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return null;
      this.audio = new Context();
    }
    if (this.audio.state === 'suspended') this.audio.resume().catch(() => {});
    return this.audio;
  }

  /** A short sine beep, fading out so it does not click. */
  beep() {
    const context = this.context();
    if (!context) return;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = BEEP_HZ;
    gain.gain.setValueAtTime(0.2, context.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + BEEP_SECONDS);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start();
    oscillator.stop(context.currentTime + BEEP_SECONDS);
  }
}
