import { launchBrowser, killAll } from './harness.mjs';
import { tests } from './fan-firstload.mjs';
await launchBrowser();
let failed = 0;
for (const [name, fn] of tests) {
  try { console.log('ok', name, '-', await fn()); } catch (e) { failed++; console.log('FAIL', name, e.message); }
}
killAll(); process.exit(failed ? 1 : 0);
