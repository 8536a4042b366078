// Performance scoring (绩效考核) on a demo hall with 60 days of history:
//
//   1. the supervisor follows 监督考核 › 绩效考核 in the top navigation and computes the
//      departments' October scores; the ranking lists the departments that
//      handled cases (the history is the whole hall's), with the month's 6
//      red-flag windows named, each a different department;
//   2. from the ranking the supervisor opens a department, sees its
//      indicators with what was measured, and follows 查看明细 of the on-time
//      indicator down to the cases behind it;
//   3. the supervisor enters a manual indicator with its reason; the score is
//      recomputed and the reason is shown as the indicator's basis;
//   4. the leader opens the same run and the staff ranking is computed for
//      the quarter, naming its 15 advanced staff.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, screenshot, login, followNav } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const DESKTOP = { viewport: { width: 1440, height: 900 } };

let server;
let browser;
let runURL;

before(async () => {
  server = await startServer({ now: '2026-11-03T10:00:00+08:00', args: ['--history-days', '60'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('1. the supervisor computes October and sees the ranking', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'supervisor', PASSWORD);
  await followNav(page, '监督考核', '绩效考核');
  await page.waitForURL(/\/scoring$/);
  await page.getByLabel('考核对象').selectOption('department');
  await page.getByLabel(/考核期间/).fill('2026-10');
  await page.getByRole('button', { name: '计算' }).click();
  await page.waitForURL(/\/scoring\/runs\/\d+$/);
  runURL = page.url();
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /2026年10月.*考核/);

  const rows = page.getByTestId('ranking').locator('tbody tr');
  assert.ok((await rows.count()) >= 2, 'the demo departments are scored');
  // The history is the whole hall's: most departments handled cases.
  const ranked = await page.getByTestId('ranking').locator('tbody tr td:first-child').allInnerTexts();
  assert.ok(ranked.filter((r) => /^\d+$/.test(r.trim())).length >= 15, `${ranked.length} ranked`);
  // The first place is ranked 1 and has a total between 0 and 100.
  const first = rows.first();
  assert.equal((await first.locator('td').first().innerText()).trim(), '1');
  const total = Number(await first.locator('strong').innerText());
  assert.ok(total > 0 && total <= 100, `total ${total}`);
  // Below 80 points a department is warned with its leaders named; the
  // month's red flags (at most 6) go to departments that were not.
  const warned = page.getByTestId('warned');
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    const score = Number(await row.locator('strong').innerText());
    const name = (await row.getByRole('link').innerText()).trim();
    if (score < 80) {
      assert.match(await row.getAttribute('class'), /warned/, `${name} (${score}) is warned`);
      assert.match(await warned.innerText(), new RegExp(`${name}.*已通知`));
    }
  }
  // October's 6 red-flag windows, each a different department.
  const flags = await page.locator('[data-testid="honoured"] .badge').allInnerTexts();
  assert.equal(flags.length, 6, `${flags.length} red flags`);
  assert.equal(new Set(flags.map((f) => f.replace(/（.*$/, ''))).size, 6, flags.join(' '));
  await screenshot(page, 'scoring-run');
  await page.close();
});

test('2. a department is explained down to its cases', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'supervisor', PASSWORD);
  await page.goto(runURL);
  const link = page.getByTestId('ranking').locator('tbody tr').first().getByRole('link');
  const name = (await link.innerText()).trim();
  await link.click();
  await page.waitForURL(/\/units\/\d+$/);
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), new RegExp(name));

  const indicators = page.getByTestId('indicators').locator('tbody tr');
  assert.ok((await indicators.count()) >= 30, 'the department scheme has 39 indicators');
  const onTime = indicators.filter({ hasText: '办结按时率' }).first();
  await onTime.getByRole('link', { name: '查看明细' }).click();
  await page.waitForURL(/\/scoring\/explain\?/);
  const explained = page.getByTestId('explain').locator('tbody tr');
  assert.ok((await explained.count()) >= 1, 'the cases behind the on-time rate are listed');
  const caseLink = explained.first().getByRole('link');
  const caseNo = (await caseLink.innerText()).trim();
  await caseLink.click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('main').innerText(), new RegExp(caseNo));
  await page.close();
});

test('3. a manual indicator is entered with its reason', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'supervisor', PASSWORD);
  await page.goto(runURL);
  await page.getByTestId('ranking').locator('tbody tr').first().getByRole('link').click();
  await page.waitForURL(/\/units\/\d+$/);
  const before = Number(await page.getByTestId('total').innerText());

  const select = page.getByLabel('指标', { exact: true });
  const first = await select.locator('option').first();
  const code = await first.getAttribute('value');
  await select.selectOption(code);
  await page.getByLabel('得分', { exact: true }).fill('0');
  const reason = '10月18日窗口无人值守，经核实扣分';
  await page.getByLabel('评分理由', { exact: true }).fill(reason);
  await page.getByRole('button', { name: '录入并重新计算' }).click();
  await page.waitForURL(/\/units\/\d+/);
  await page.getByRole('status').waitFor();
  const after = Number(await page.getByTestId('total').innerText());
  assert.ok(after < before, `the total fell from ${before} to ${after}`);
  const row = page.locator(`[data-testid="indicators"] tr[data-code="${code}"]`);
  assert.match(await row.innerText(), new RegExp(reason));
  await page.close();
});

test('4. the leader reads the run; the quarter names the advanced staff', async () => {
  const leader = await newPage(browser, DESKTOP);
  await login(leader, server.baseURL, 'leader', PASSWORD);
  await leader.goto(runURL);
  assert.ok((await leader.getByTestId('ranking').locator('tbody tr').count()) >= 2);
  // Leaders read the results; the supervision office computes them.
  await leader.goto(`${server.baseURL}/scoring`);
  assert.equal(await leader.locator('form[action="/scoring"]').count(), 0);
  await leader.close();

  // Staff of the third quarter (the history reaches back into September).
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'supervisor', PASSWORD);
  await page.goto(`${server.baseURL}/scoring`);
  await page.getByLabel('考核对象').selectOption('staff');
  await page.getByLabel(/考核期间/).fill('2026-Q3');
  await page.getByRole('button', { name: '计算' }).click();
  await page.waitForURL(/\/scoring\/runs\/\d+$/);
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /2026年第3季度/);
  assert.ok((await page.getByTestId('ranking').locator('tbody tr').count()) >= 1, 'staff who accepted cases are scored');
  assert.match(await page.locator('#h-honours').innerText(), /先进个人/);
  // The quarter's 15 advanced staff come from the cases they handled.
  assert.equal(await page.locator('[data-testid="honoured"] .badge').count(), 15);
  await screenshot(page, 'scoring-staff-quarter');
  await page.close();
});
