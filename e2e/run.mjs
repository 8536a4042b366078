#!/usr/bin/env node
// Runs every browser journey (e2e/journeys/*.test.mjs) with Node's built-in
// test runner and exits non-zero if any fails.
//
//   GOVHALL_BIN=target/debug/govhall node e2e/run.mjs            # all journeys
//   GOVHALL_BIN=target/debug/govhall node e2e/run.mjs smoke login # files whose name contains a word
//
// Each file runs in its own node process (node --test does that), one at a
// time: each journey starts its own server and chromium, and CI has 2 cores.

import { spawn } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const journeysDir = path.join(here, 'journeys');

if (!existsSync(path.join(here, 'node_modules', 'playwright-core'))) {
  console.error('e2e/node_modules is missing: run `npm ci` in e2e/ (scripts/test does this)');
  process.exit(2);
}
if (!process.env.GOVHALL_BIN || !existsSync(process.env.GOVHALL_BIN)) {
  console.error(`GOVHALL_BIN must name the built govhall binary (got: ${process.env.GOVHALL_BIN ?? 'unset'})`);
  process.exit(2);
}

const filters = process.argv.slice(2);
const files = readdirSync(journeysDir)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort()
  .map((f) => path.join(journeysDir, f));

// `node --test` with no files would go looking in the cwd: never let that happen.
if (files.length === 0) {
  console.error(`no journeys found in ${journeysDir}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(2);
}

const args = [
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=1',
  // A hung page or server must fail the run, not eat CI's 90 minutes.
  '--test-timeout=600000',
  ...files,
];
const child = spawn(process.execPath, args, { stdio: 'inherit' });
// Forward Ctrl-C / CI cancellation so the test processes can stop their servers.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
