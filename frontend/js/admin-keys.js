// Keyboard-first scoring in the console: with focus anywhere in a match card (outside a text
// field), `g` then `h` or `a` opens the incident form set to a goal for the home or away side
// with the player list focused; typing the shirt number picks the scorer and Enter records it.
// Four keystrokes for a goal with its scorer. In basketball the same keys record points.

const WAIT_MS = 2000;
const SIDE_KEYS = { h: 'home', a: 'away' };

/** Listen for the goal keys on `root` (the match cards' container). */
export function goalKeys(root, store, openIncident) {
  let pending = null;
  root.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (!(target instanceof Element) || target.closest('input, textarea, select, dialog')) return;
    const card = target.closest('[data-match-id]');
    if (!card) return;
    const matchId = Number(card.dataset.matchId);
    const key = event.key.toLowerCase();
    if (key === 'g') {
      pending = { matchId, until: Date.now() + WAIT_MS };
      event.preventDefault();
      return;
    }
    const side = SIDE_KEYS[key];
    if (!side || !pending || pending.matchId !== matchId || Date.now() > pending.until) {
      pending = null;
      return;
    }
    pending = null;
    const match = store.matches.get(matchId);
    if (!match) return;
    event.preventDefault();
    openIncident(match, { kind: match.sport === 'basketball' ? 'points' : 'goal', side });
  });
}
