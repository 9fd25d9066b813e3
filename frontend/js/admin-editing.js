// Per-match presence in the console: the match an editor is at work on (focus in its card, or a
// dialog opened from it) is told to the other admins as `{"type":"editing","match_id":..}`, and
// each card shows who else is on it ("bob is editing"), so two editors do not record the same
// goal twice without knowing.

import { el } from './render.js';

// Focus moving between controls of one card, or into a dialog and back, is no change worth a
// frame to every admin; the settled state is sent.
const SETTLE_MS = 250;

/**
 * Watch focus in `board` (the match cards); `send(frame)` sends a frame on the admin channel.
 * Returns `{ resend() }`, for a new connection (the server forgets a closed session's match).
 */
export function watchEditing(board, send) {
  // A new session is on no match, as far as the server knows.
  let sent = null;
  let timer = null;
  const current = () => {
    const active = document.activeElement;
    const card = active && active.closest ? active.closest('[data-match-id]') : null;
    if (card && board.contains(card)) return Number(card.dataset.matchId);
    // A dialog opened from a card keeps the editor on that match.
    if (active && active.closest && active.closest('dialog[open]')) return sent ?? null;
    return null;
  };
  const settle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const matchId = current();
      if (matchId === sent) return;
      if (send({ type: 'editing', match_id: matchId })) sent = matchId;
    }, SETTLE_MS);
  };
  document.addEventListener('focusin', settle);
  document.addEventListener('focusout', settle);
  return {
    resend() {
      sent = null;
      settle();
    },
  };
}

/** Mark each card with the other admins at work on it (`editing`: [{admin, match_id}]). */
export function showEditing(board, editing, me) {
  const byMatch = new Map();
  for (const { admin, match_id: matchId } of editing || []) {
    if (admin === me) continue;
    if (!byMatch.has(matchId)) byMatch.set(matchId, []);
    byMatch.get(matchId).push(admin);
  }
  for (const card of board.querySelectorAll('[data-match-id]')) {
    const names = byMatch.get(Number(card.dataset.matchId)) || [];
    let note = card.querySelector(':scope > .editing-by');
    if (!names.length) {
      if (note) note.remove();
      continue;
    }
    if (!note) {
      note = el('p', 'editing-by');
      card.append(note);
    }
    const text = `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} editing`;
    if (note.textContent !== text) note.textContent = text;
  }
}
