// What the editor console's browser tests share: their server (in memory; alice and bob are
// admins, carol an editor), a console signed in, the selector of a match's card, a match put in
// play over HTTP.

import {
  ALICE, BOB, adminLogin, command, freePort, openPage, startServer, stopServer,
} from './harness.mjs';

export const CAROL = 'carol-token-0003';
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

let shared = null;
/** The editor tests' server: alice and bob are admins, carol is an editor. */
export async function server() {
  if (!shared) {
    shared = await startServer(await freePort(), ['--in-memory',
      '--admin-tokens', `alice:${ALICE},bob:${BOB},carol:${CAROL}:editor`]);
  }
  return shared;
}

/** A short-lived server with the generator running, where an admin has generator controls. */
export async function withGeneratorServer(fn) {
  const s = await startServer(await freePort(), ['--in-memory',
    '--admin-tokens', `alice:${ALICE},carol:${CAROL}:editor`], { generator: true });
  try {
    return await fn(s);
  } finally {
    await stopServer(s);
  }
}

export async function consoleAs(token, options = {}, on = null) {
  const s = on || await server();
  const page = await openPage(`${s.base}/admin`, options);
  await adminLogin(page, token);
  return page;
}

export const card = (id) => `#admin-matches [data-match-id="${id}"]`;

/** A scheduled match of the fixtures, put in play over HTTP (so each test has its own). */
export async function liveMatch(s, id) {
  await command(s, { type: 'match.status', match_id: id, status: 'live' });
  return id;
}

export async function waitFor(page, fn, arg, what, timeout = 3000) {
  await page.waitForFunction(fn, arg, { timeout }).catch(() => { throw new Error(what); });
}

