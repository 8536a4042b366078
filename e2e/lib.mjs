// Shared helpers for the browser journeys in e2e/journeys/*.test.mjs.
//
// Journeys run under Node's built-in `node:test` runner (see run.mjs) and drive
// Debian's /usr/bin/chromium through playwright-core: playwright's own browser
// download cannot work on these machines (only package registries are reachable).
//
// Environment:
//   GOVHALL_BIN        absolute path of the built `govhall` binary (required; scripts/test sets it)
//   CHROMIUM_PATH      chromium executable (default /usr/bin/chromium)
//   GOVHALL_E2E_KEEP=1 keep each server's temp dir (data + server.log) for inspection

import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'node:test';
import { chromium } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
export const DEFAULT_NOW = '2026-09-30T09:00:00+08:00';

const HEALTH_TIMEOUT_MS = 120_000; // first start may migrate + seed the demo data
const POLL_INTERVAL_MS = 100;
const STOP_GRACE_MS = 5_000;

// Servers still running in this process; killed on exit so a journey that
// forgets stop() (or crashes) never leaves an orphan behind.
const running = new Set();
process.on('exit', () => {
  for (const s of running) s.killNow();
});

// Remember whether any test in this file failed, so stop() can print the
// server log exactly when it is useful. Registered at import time, i.e. on the
// root test of the journey file that imports this module, so it sees every test.
let anyTestFailed = false;
afterEach((t) => {
  if (t.passed === false) anyTestFailed = true;
});

/** A free TCP port on 127.0.0.1 (asks the kernel for one, then releases it). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start `govhall demo` on a free port with a fresh temp data dir and wait for
 * GET /healthz to answer 200.
 *
 * @param {{ now?: string, args?: string[], env?: Record<string,string>, command?: string, dataDir?: string }} [opts]
 *   now:  frozen clock passed as --now (default 2026-09-30T09:00:00+08:00)
 *   args: extra CLI args appended after the standard ones
 *   env:  extra environment for the server process
 *   command: `demo` (default: loads the demo data) or `serve`
 *   dataDir: a data directory to use (and keep) instead of a fresh one, so a
 *         journey can stop the server and start it again later in time
 * @returns {Promise<{ baseURL: string, port: number, dataDir: string, logFile: string,
 *                     readLog: () => string, stop: () => Promise<void> }>}
 */
export async function startServer({ now = DEFAULT_NOW, args = [], env = {}, command = 'demo', dataDir: givenDataDir } = {}) {
  const bin = process.env.GOVHALL_BIN;
  if (!bin) throw new Error('GOVHALL_BIN is not set: point it at the built govhall binary (scripts/test does this)');
  if (!existsSync(bin)) throw new Error(`GOVHALL_BIN=${bin} does not exist: run \`cargo build --bin govhall\` first`);

  const root = await mkdtemp(path.join(os.tmpdir(), 'govhall-e2e-'));
  const dataDir = givenDataDir ?? path.join(root, 'data');
  if (!givenDataDir) mkdirSync(dataDir);
  const logFile = path.join(root, 'server.log');
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const argv = [command, '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--now', now, ...args];

  // stdout+stderr go straight to a file: nothing to drain, nothing lost if we crash.
  const logFd = openSync(logFile, 'a');
  const child = spawn(bin, argv, {
    stdio: ['ignore', logFd, logFd],
    env: { RUST_BACKTRACE: '1', ...process.env, ...env },
  });
  closeSync(logFd);
  child.unref(); // the 'exit' handler above still kills it if the journey never calls stop()

  let exited = null; // { code, signal } once the process is gone
  let stopping = false;
  let logPrinted = false;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(handle);
      if (!stopping) {
        process.stderr.write(`\n!! govhall server exited unexpectedly (code=${code} signal=${signal})\n`);
        printLog();
      }
      resolve();
    });
  });
  // spawn failures (ENOENT, EACCES) come as 'error', not 'exit'.
  let spawnError = null;
  child.on('error', (err) => {
    spawnError = err;
  });

  const readLog = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  function printLog() {
    logPrinted = true;
    process.stderr.write(`----- ${logFile} ($ ${bin} ${argv.join(' ')}) -----\n${readLog()}\n----- end of server log -----\n`);
  }
  function cleanup() {
    if (process.env.GOVHALL_E2E_KEEP === '1') {
      process.stderr.write(`(GOVHALL_E2E_KEEP=1: kept ${root})\n`);
    } else {
      rmSync(root, { recursive: true, force: true });
    }
  }

  const handle = {
    baseURL,
    port,
    dataDir,
    logFile,
    readLog,
    // Synchronous last resort, used from process.on('exit').
    killNow() {
      stopping = true;
      if (!exited) {
        try {
          child.kill('SIGKILL');
        } catch {}
      }
      cleanup();
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      if (anyTestFailed && !logPrinted) printLog();
      if (!exited && !spawnError) {
        child.ref(); // keep node alive until the exit is seen
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, STOP_GRACE_MS);
        await exitPromise;
        clearTimeout(timer);
      }
      running.delete(handle);
      cleanup();
    },
  };
  running.add(handle);

  // Poll /healthz until 200, failing fast if the process dies.
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let lastError = 'no answer yet';
  for (;;) {
    if (spawnError || exited) {
      const why = spawnError ? `could not start ${bin}: ${spawnError.message}` : `exited early (code=${exited.code} signal=${exited.signal})`;
      if (spawnError) printLog();
      await handle.stop();
      throw new Error(`govhall server ${why}; see its log above`);
    }
    try {
      const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = err.cause?.code ?? err.message;
    }
    if (Date.now() > deadline) {
      printLog();
      await handle.stop();
      throw new Error(`govhall server on ${baseURL} not healthy after ${HEALTH_TIMEOUT_MS / 1000}s (last: ${lastError})`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
  return handle;
}

/** Launch Debian's chromium headless, with the flags this closed network needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox', // CI runs as root
      '--disable-gpu',
      // No outbound network here: stop chromium from trying (and logging) at every start.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * A page in a fresh context set up like a user in China: zh-CN, Asia/Shanghai,
 * a desktop viewport (so screenshots are stable from run to run).
 */
export async function newPage(browser, contextOptions = {}) {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 800 },
    ...contextOptions,
  });
  return context.newPage();
}

/** Save a full-page PNG to docs/screenshots/<name>.png; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Log in through the form at /login (fields labelled 用户名 / 密码, button 登录)
 * and wait until the app redirects away from /login.
 */
export async function login(page, baseURL, username, password) {
  await page.goto(`${baseURL}/login`);
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  try {
    await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 15_000 });
  } catch {
    const text = (await page.locator('body').innerText().catch(() => '')).slice(0, 500);
    throw new Error(`login as ${username} failed: still on ${page.url()}; page says: ${text}`);
  }
}

/**
 * Follow an entry of the top navigation (主导航, crates/web/src/pages/nav.rs):
 * on a narrow screen first open the folded navigation (菜单), then the menu
 * labelled `menu` (staff see menus; a citizen's public entries are plain links,
 * so a missing menu is skipped), then click the entry named `link` exactly.
 */
export async function followNav(page, menu, link) {
  const nav = page.getByRole('navigation', { name: '主导航' });
  const toggle = page.locator('header.site .nav-toggle');
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const details = nav.locator('.nav-menu > details').filter({ has: page.locator('summary', { hasText: new RegExp(`^${menu}$`) }) });
  if ((await details.count()) > 0 && !(await details.evaluate((d) => d.open))) {
    await details.locator('summary').click();
  }
  await nav.getByRole('link', { name: link, exact: true }).click();
}
