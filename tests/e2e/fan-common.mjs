// What the fan page tests share: their own server, viewports, small assertions.

import path from 'node:path';
import { ROOT, freePort, startServer, stopServer } from './harness.mjs';

export const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };
export const VIEWPORTS = [['phone', PHONE], ['desktop', DESKTOP]];

let fan = null;

/** The fan tests' own server (in memory, fixtures, no generator), started on first use. */
export async function server() {
  if (!fan) fan = await startServer(await freePort(), ['--in-memory']);
  return fan;
}

export const expect = (actual, expected, what) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
};

export async function rowIds(page, section) {
  const scope = section ? `[data-section="${section}"] ` : '';
  return page.$$eval(`${scope}[data-match-id]`, (rows) => rows.map((r) => Number(r.dataset.matchId)));
}

/** Forget the server (it was stopped); with `stop`, stop it first. */
export async function dropServer(stop = false) {
  if (stop && fan) await stopServer(fan);
  fan = null;
}
