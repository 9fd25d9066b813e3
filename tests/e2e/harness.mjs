// Shared machinery of the browser tests: starting and stopping the real server binary, admin
// commands over HTTP, and Chromium pages that record console errors, uncaught exceptions and
// dialogs, with waits that fail with a message saying what was expected and what was found.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const BIN = process.env.LIVESCORE_BIN
  ? path.resolve(process.env.LIVESCORE_BIN)
  : path.join(ROOT, 'target', 'debug', 'livescore');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ALICE = 'alice-token-0001';
export const BOB = 'bob-token-0002';
export const FIXTURE_MATCHES = 12;

// ---------------------------------------------------------------- server processes

const children = new Set();

// One store for the whole run, so a restarted server comes back with the same state (and the
// same event stream), as it would in production.
export const DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'livescore-e2e-'));

export function killAll() {
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start the server on `port` (with `extra` flags) and wait for /healthz; retries briefly while
 * the port is still held. The generator stays off unless `generator` is true.
 */
export async function startServer(port, extra = [], { generator = false } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startServerOnce(port, extra, generator);
    } catch (error) {
      if (attempt >= 5 || !/address|in use|bind/i.test(error.message)) throw error;
      await sleep(300);
    }
  }
}

async function startServerOnce(port, extra, generator) {
  const flags = ['--bind', `127.0.0.1:${port}`, ...(generator ? [] : ['--no-generator']), '--data-dir', DATA_DIR, ...extra];
  const child = spawn(BIN, flags, {
    env: { ...process.env, LIVESCORE_ADMIN_TOKENS: `alice:${ALICE},bob:${BOB}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  child.on('error', (error) => { stderr += `\n${error.message}`; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) {
        const health = await response.json();
        return { child, base, port, exited, stream: health.stream, stderr: () => stderr };
      }
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`server ${BIN} did not answer /healthz on port ${port}: ${stderr.trim() || 'no output'}`);
}

export async function stopServer(server) {
  server.child.kill('SIGTERM');
  const result = await Promise.race([server.exited, sleep(10000).then(() => null)]);
  if (!result) {
    server.child.kill('SIGKILL');
    throw new Error('server did not stop within 10 s of SIGTERM');
  }
}

/** One admin command over HTTP; throws unless it is acknowledged. */
export async function command(server, body, token = ALICE) {
  const response = await fetch(`${server.base}/api/admin/commands`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reply = await response.json();
  if (reply.type !== 'ack') throw new Error(`${body.type} refused (${response.status}): ${JSON.stringify(reply)}`);
  return reply;
}

export async function getJson(server, route) {
  const response = await fetch(`${server.base}${route}`);
  if (!response.ok) throw new Error(`GET ${route}: ${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------- browser helpers

let browser;

/** The browser `launchBrowser` started, for tests that need a context of their own. */
export function theBrowser() {
  return browser;
}

export async function launchBrowser() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return browser;
}

/** A page that records console errors, uncaught exceptions and dialogs. */
export async function openPage(url, options = {}) {
  const context = await browser.newContext({
    viewport: options.viewport || { width: 1280, height: 900 },
    colorScheme: options.colorScheme || 'light',
  });
  // Runs before the page's own scripts, e.g. to plant saved preferences in localStorage.
  if (options.init) await context.addInitScript(options.init.script, options.init.arg);
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => {
    page.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  await page.goto(url);
  return page;
}

export async function closePage(page) {
  await page.context().close();
}

/** Fail with the page's console errors, ignoring network errors when `allowNetworkErrors`. */
export function assertClean(page, label, { allowNetworkErrors = false } = {}) {
  const network = /Failed to load resource|net::ERR_|WebSocket connection to .* failed|EventSource/i;
  const problems = page.problems.filter((p) => !(allowNetworkErrors && network.test(p)));
  if (problems.length) throw new Error(`${label}: ${problems.join(' | ')}`);
  if (page.dialogs.length) throw new Error(`${label}: a dialog opened: ${page.dialogs.join(' | ')}`);
}

export async function waitForText(page, selector, expected, timeout, what) {
  try {
    await page.waitForFunction(({ selector, expected }) => {
      const node = document.querySelector(selector);
      return node !== null && node.textContent.trim() === expected;
    }, { selector, expected }, { timeout });
  } catch {
    const actual = await page.locator(selector).first().textContent({ timeout: 200 }).catch(() => null);
    throw new Error(`${what}: expected ${selector} to read "${expected}" within ${timeout} ms, found ${actual === null ? 'no element' : `"${actual.trim()}"`}`);
  }
}

export async function waitForLive(page, what) {
  await waitForText(page, '#conn-state', 'live', 10000, `${what}: connection`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-match-id]').length >= n,
    FIXTURE_MATCHES, { timeout: 10000 })
    .catch(() => { throw new Error(`${what}: fewer than ${FIXTURE_MATCHES} matches shown`); });
}

export async function headlineShown(page, headline, timeout, what) {
  try {
    await page.waitForFunction((text) => [...document.querySelectorAll('[data-news-id] .headline')]
      .some((h) => h.textContent === text), headline, { timeout });
  } catch {
    throw new Error(`${what}: news headline "${headline}" not shown within ${timeout} ms`);
  }
}

export async function adminLogin(page, token) {
  await page.fill('#token', token);
  await page.click('#login');
  await page.waitForFunction(() => /^connected as /.test(document.querySelector('#admin-conn').textContent)
    && document.querySelectorAll('#admin-matches [data-match-id]').length > 0, null, { timeout: 10000 })
    .catch(async () => {
      const state = await page.locator('#admin-conn').textContent();
      throw new Error(`admin login did not complete: #admin-conn reads "${state}"`);
    });
}
