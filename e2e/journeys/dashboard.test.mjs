// The leaders' big screen and the reports, each person in their own browser:
//
//   1. at the window, the clerk accepts two cases (a promised one that keeps
//      running and an on-the-spot one), and the approver concludes the
//      on-the-spot one straight away — all through the API;
//   2. the leader logs in, follows 统计报表 › 领导大屏 in the top navigation and sees
//      today's figures on the 1920×1080 dark screen: two accepted, one
//      concluded, one in progress, the on-time rate and 人社局 ranked, with
//      no applicant named anywhere on it; a minute after the clerk accepts
//      another case, the screen shows it without being reloaded;
//   3. the leader opens the case report (办件统计) from the back office,
//      sees 人社局's line (three accepted, one of them on the spot) and
//      downloads it as Excel.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launchBrowser, newPage, screenshot, login, followNav } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const BIG_SCREEN = { viewport: { width: 1920, height: 1080 } };
const DESKTOP = { viewport: { width: 1440, height: 900 } };
const PROMISED_ITEM = 11; // 企业职工基本养老保险关系转移接续 (人社局, 10 working days)
const ON_THE_SPOT_ITEM = 21; // 社会保障卡信息变更 (人社局, 即办)
const NAMES = ['周建国', '吴丽娟'];

let server;
let browser;
let clerk;

before(async () => {
  server = await startServer({ now: '2026-10-09T10:00:00+08:00' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(token, method, p, body) {
  const res = await fetch(`${server.baseURL}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function token(username) {
  return (await api(null, 'POST', '/api/v1/auth/token', { username, password: PASSWORD })).token;
}

function idCardNumber(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

function applicant(name, first17) {
  return { name, id_type: 'id_card', id_number: idCardNumber(first17), phone: '13947110009' };
}

/** A window case of the promised item, accepted by the clerk. */
async function acceptPromised(name, first17) {
  const created = await api(clerk, 'POST', '/api/v1/cases', {
    item_id: PROMISED_ITEM,
    channel: 'window',
    applicant: applicant(name, first17),
    materials: [
      { name: '居民身份证', paper: true },
      { name: '基本养老保险关系转移接续申请表', paper: true },
    ],
  });
  await api(clerk, 'POST', `/api/v1/cases/${created.case_no}/accept`, {});
}

test('1. two cases are accepted at the window and one is concluded on the spot', async () => {
  clerk = await token('clerk');
  const approver = await token('approver');
  await acceptPromised(NAMES[0], '15010219700312204');

  const spot = await api(clerk, 'POST', '/api/v1/cases', {
    item_id: ON_THE_SPOT_ITEM,
    channel: 'window',
    applicant: applicant(NAMES[1], '15010219850101302'),
    materials: [
      { name: '居民身份证', paper: true },
      { name: '户口簿', paper: true },
    ],
  });
  await api(clerk, 'POST', `/api/v1/cases/${spot.case_no}/accept`, {});
  const concluded = await api(approver, 'POST', `/api/v1/cases/${spot.case_no}/conclude`, { decision: 'approved' });
  assert.equal(concluded.status, 'concluded');
});

test('2. the leader watches the big screen', async () => {
  const page = await newPage(browser, BIG_SCREEN);
  // The page's own clock, so the journey can let a minute pass without waiting.
  await page.clock.install();
  await login(page, server.baseURL, 'leader', PASSWORD);
  await followNav(page, '统计报表', '领导大屏');
  await page.waitForURL(/\/dashboard$/);
  assert.equal(await page.locator('header.site').count(), 0, 'no site header on the big screen');

  assert.equal(await page.getByTestId('today-accepted').innerText(), '2');
  assert.equal(await page.getByTestId('today-concluded').innerText(), '1');
  assert.equal(await page.getByTestId('in-progress').innerText(), '1');
  assert.match(await page.getByTestId('bs-date').innerText(), /2026年10月9日 星期五/);
  // The one case concluded this month was on time.
  assert.match(await page.getByTestId('on-time-rate').innerText(), /100\.0%/);
  const ranking = page.getByRole('img', { name: '10月各部门按时办结率排名' });
  await ranking.waitFor();
  assert.match(await ranking.locator('desc').textContent(), /第1名人社局，100\.0%（办结1件）/);
  const trend = page.getByRole('img', { name: '近30天受理与办结趋势' });
  assert.match(await trend.locator('desc').textContent(), /今日受理2件、办结1件/);

  const text = await page.locator('body').innerText();
  for (const name of NAMES) assert.ok(!text.includes(name), `${name} is not on the big screen`);

  // The screen fills 1920×1080 without scrolling.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height <= 1080, `the page is ${height}px high`);
  await screenshot(page, 'dashboard-big-screen');

  // A minute later the screen shows the next case, without a reload.
  await acceptPromised('郑海燕', '15010219920707402');
  await page.evaluate(() => {
    window.notReloaded = true;
  });
  await page.clock.runFor(61_000);
  await page.getByTestId('today-accepted').filter({ hasText: /^3$/ }).waitFor();
  assert.equal(await page.getByTestId('in-progress').innerText(), '2');
  assert.ok(await page.evaluate(() => window.notReloaded), 'the figures were swapped in place');
  assert.ok(await page.locator('#bs-status').isHidden(), 'no failure is shown');
  await page.context().close();
});

test('3. the leader opens the case report and downloads it as Excel', async () => {
  const page = await newPage(browser, { ...DESKTOP, acceptDownloads: true });
  await login(page, server.baseURL, 'leader', PASSWORD);
  await page.goto(`${server.baseURL}/admin`);
  await page.getByRole('link', { name: '办件统计', exact: true }).click();
  await page.waitForURL(/\/reports\/cases/);
  const row = page.getByTestId('case-report').locator('tr', { hasText: '人力资源和社会保障局' });
  const cells = await row.locator('td').allInnerTexts();
  // 序号, 受理 3, 即办 1, 33.3%, 网上 0, 0%, 办结 1, 按时 1, 100%, 0.0 working days.
  assert.deepEqual(cells.slice(1), ['3', '1', '33.3%', '0', '0.0%', '1', '1', '100.0%', '0.0']);
  await screenshot(page, 'report-cases');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: '下载Excel' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^办件统计表-20261001-20261009\.xlsx$/);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an .xlsx is a zip file');
  await page.context().close();
});
