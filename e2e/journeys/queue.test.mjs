// The queue in the hall, each person on their own screen:
//
//   1. the big screen above the hall shows /queue/display (1920×1080, dark),
//      waiting for calls;
//   2. a citizen touches 社保医保 at the kiosk (/queue/kiosk) and gets the
//      slip D001 with nobody ahead;
//   3. the clerk follows 窗口业务 › 窗口叫号 in the top navigation, signs on at window 27,
//      sees one waiting and calls the next: D001 is at the window;
//   4. the big screen shows "D001 请到 27 号窗口" without being reloaded (the
//      server-sent events), and the screen above window 27 shows it too;
//   5. the clerk starts serving and is offered 受理办件 for the ticket.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, screenshot, login, followNav } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const BIG_SCREEN = { viewport: { width: 1920, height: 1080 } };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a citizen takes a ticket, the clerk calls it and the display shows the call', async () => {
  const base = server.baseURL;

  // 1. The hall's big screen, opened before anything happens.
  const display = await newPage(browser, BIG_SCREEN);
  await display.goto(`${base}/queue/display`);
  await assert.doesNotReject(display.getByTestId('latest-call').getByText('欢迎光临').waitFor());
  const loadedAt = await display.evaluate(() => performance.timeOrigin);

  // 2. The kiosk.
  const kiosk = await newPage(browser, { viewport: { width: 1280, height: 1024 } });
  await kiosk.goto(`${base}/queue/kiosk`);
  await kiosk.getByRole('button', { name: /社保医保/ }).click();
  await kiosk.getByTestId('slip').waitFor();
  assert.equal(await kiosk.getByTestId('slip-number').innerText(), 'D001');
  assert.equal(await kiosk.getByTestId('slip-ahead').innerText(), '0');
  await screenshot(kiosk, 'queue-kiosk-slip');
  // The waiting count reaches the big screen without a reload.
  await display.locator('#d-waiting li', { hasText: '社保医保' }).getByText('1', { exact: true }).waitFor({ timeout: 10_000 });

  // 3. The clerk at window 27.
  const clerk = await newPage(browser, { viewport: { width: 1440, height: 900 } });
  await login(clerk, base, 'clerk', PASSWORD);
  await followNav(clerk, '窗口业务', '窗口叫号');
  // 人社局's first window in the demo hall (seed 000's layout) is 27.
  const option = clerk.getByLabel('窗口').locator('option', { hasText: /^27号窗口/ });
  await clerk.getByLabel('窗口').selectOption(await option.getAttribute('value'));
  await clerk.getByRole('button', { name: '签到' }).click();
  await clerk.getByText('已签到', { exact: true }).waitFor();
  await clerk.getByText('社保医保 1 人').waitFor();
  const windowScreen = await newPage(browser, { viewport: { width: 1280, height: 400 } });
  const windows = await (await fetch(`${base}/api/v1/public/queue/waiting`)).json();
  assert.equal(windows.total, 1);
  await clerk.getByTestId('call-next').click();
  await clerk.getByTestId('held-number').getByText('D001').waitFor();

  // 4. The big screen shows the call live, on the same page load.
  const latest = display.getByTestId('latest-call');
  await latest.getByText('D001').waitFor({ timeout: 10_000 });
  assert.match(await latest.innerText(), /D001\s*请到\s*27\s*号窗口/);
  assert.equal(await display.evaluate(() => performance.timeOrigin), loadedAt, 'the display was not reloaded');
  await display.locator('#d-waiting li', { hasText: '社保医保' }).getByText('0', { exact: true }).waitFor({ timeout: 10_000 });
  await screenshot(display, 'queue-display');

  // The screen above window 27 (found from the clerk's session) shows it on connect.
  const activity = await clerk.evaluate(async () => (await fetch('/api/v1/queue/windows')).json());
  const open = activity.find((w) => w.open && w.serving);
  assert.ok(open, `a window is open and serving: ${JSON.stringify(activity)}`);
  await windowScreen.goto(`${base}/queue/display?window_id=${open.window_id}`);
  await windowScreen.getByTestId('latest-call').getByText('D001').waitFor();

  // 5. Serving: the clerk is offered to accept a case for the ticket.
  await clerk.getByRole('button', { name: '开始办理' }).click();
  const accept = clerk.getByRole('link', { name: '受理办件' });
  await accept.waitFor();
  assert.match(await accept.getAttribute('href'), /^\/desk\/new\?ticket=\d+$/);
  await screenshot(clerk, 'queue-window');
});
