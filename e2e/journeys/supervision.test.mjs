// Electronic supervision as the clock passes, each person in their own browser:
//
//   1. on 30 September the clerk accepts a window case of
//      企业职工基本养老保险关系转移接续 (10 working days: due 20 October
//      across the National Day holiday); the supervision desk shows no
//      warning for it;
//   2. the server is started again on 16 October (same data): the case is
//      yellow (黄牌预警) on the desk, and the supervisor issues a correction
//      order (督办单) on it from the warning row;
//   3. the department's chief representative finds the order on the
//      department's list and answers it;
//   4. on 21 October the case is red (红牌警告); the supervisor reads the
//      answer and closes the order.
//
// The tests share the data directory and run in order.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, newPage, screenshot, login, followNav } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const DESKTOP = { viewport: { width: 1920, height: 1080 } };
const ITEM_ID = 11; // 企业职工基本养老保险关系转移接续 (人社局)
const REASON = '该件已临近办结期限，请说明进度并确保按期办结';
const REPLY = '已安排专人加快审核，预计10月20日前办结';

let dataDir;
let server;
let browser;
let caseNo;

before(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'govhall-e2e-supervision-'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Stops the running server and starts it again at `now` on the same data. */
async function restartAt(now) {
  await server?.stop();
  server = await startServer({ command: server ? 'serve' : 'demo', dataDir, now });
  return server.baseURL;
}

async function api(base, token, method, p, body) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Completes 17 digits with their GB 11643 check character. */
function idCardNumber(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

/** The warning row of our case on the supervision desk. */
function warningRow(page) {
  return page.getByTestId('warnings').locator('tr', { hasText: caseNo });
}

test('1. a case accepted on 30 September has no warning yet', async () => {
  const base = await restartAt('2026-09-30T09:30:00+08:00');
  const { token } = await api(base, null, 'POST', '/api/v1/auth/token', { username: 'clerk', password: PASSWORD });
  const created = await api(base, token, 'POST', '/api/v1/cases', {
    item_id: ITEM_ID,
    channel: 'window',
    applicant: { name: '王建国', id_type: 'id_card', id_number: idCardNumber('15010219650520123'), phone: '13947110000' },
    materials: [
      { name: '居民身份证', paper: true },
      { name: '基本养老保险关系转移接续申请表', paper: true },
    ],
  });
  caseNo = created.case_no;
  const accepted = await api(base, token, 'POST', `/api/v1/cases/${caseNo}/accept`, {});
  assert.equal(accepted.due_date, '2026-10-20');

  const page = await newPage(browser, DESKTOP);
  await login(page, base, 'supervisor', PASSWORD);
  await followNav(page, '监督考核', '电子监察');
  await page.waitForURL(/\/supervision$/);
  await assert.doesNotReject(page.getByRole('heading', { name: '电子监察', level: 1 }).waitFor());
  assert.equal(await page.locator('tr', { hasText: caseNo }).count(), 0);
  await page.context().close();
});

test('2. on 16 October the case is yellow and the supervisor issues a correction order', async () => {
  const base = await restartAt('2026-10-16T10:00:00+08:00');
  const page = await newPage(browser, DESKTOP);
  await login(page, base, 'supervisor', PASSWORD);
  await page.goto(`${base}/supervision?level=yellow`);
  const row = warningRow(page).and(page.locator('[data-rule="near_deadline"]'));
  await row.waitFor();
  assert.match(await row.innerText(), /黄牌预警/);
  assert.match(await row.innerText(), /2026-10-16/);
  assert.match(await row.innerText(), /王\*\*/, 'the applicant is masked');
  await screenshot(page, 'supervision-desk-yellow');

  await row.getByRole('link', { name: '督办' }).click();
  await page.waitForURL(/\/supervision\/corrections\?case_no=/);
  assert.equal(await page.getByLabel('办件编号').inputValue(), caseNo);
  // An empty reason is refused and nothing is issued.
  await page.getByLabel('答复期限（工作日）').fill('2');
  await page.getByRole('button', { name: '下发' }).click();
  // The browser's own check stops an empty required field first.
  assert.ok(await page.getByLabel('督办事由').evaluate((el) => !el.checkValidity()));
  await page.getByLabel('督办事由').fill(REASON);
  await page.getByRole('button', { name: '下发' }).click();
  await page.waitForURL(/\/supervision\/corrections\/\d+$/);
  const body = await page.locator('main').innerText();
  assert.match(body, /待答复/);
  assert.match(body, /2026-10-20（2个工作日）/);
  assert.ok(body.includes(REASON));
  await page.context().close();
});

test('3. the department answers the order', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'chief', PASSWORD);
  await followNav(page, '监督考核', '电子监察');
  await page.locator('main').getByRole('link', { name: '督办单' }).first().click();
  await page.getByTestId('corrections').locator('tr', { hasText: caseNo }).getByRole('link').first().click();
  await page.getByLabel('答复内容（原因、整改措施和结果）').fill(REPLY);
  await page.getByRole('button', { name: '提交答复' }).click();
  await page.waitForURL(/saved=reply/);
  assert.match(await page.locator('main').innerText(), /已答复待审核/);
  assert.equal(await page.getByTestId('reply').innerText(), REPLY);
  // The department cannot close its own order.
  assert.equal(await page.getByRole('button', { name: '办结' }).count(), 0);
  await page.context().close();
});

test('4. on 21 October the case is red and the supervisor closes the order', async () => {
  const base = await restartAt('2026-10-21T09:00:00+08:00');
  const page = await newPage(browser, DESKTOP);
  await login(page, base, 'supervisor', PASSWORD);
  await page.goto(`${base}/supervision?level=red`);
  const row = warningRow(page);
  await row.waitFor();
  assert.match(await row.innerText(), /红牌警告/);
  assert.match(await row.innerText(), /超期未办结/);
  assert.ok(Number(await page.getByTestId('red-count').locator('.n').innerText()) >= 1);
  await screenshot(page, 'supervision-desk-red');

  await page.goto(`${base}/supervision/corrections?status=replied`);
  await page.getByTestId('corrections').locator('tr', { hasText: caseNo }).getByRole('link').first().click();
  assert.ok((await page.locator('main').innerText()).includes(REPLY));
  await page.getByLabel('审核意见').fill('答复属实，继续跟踪');
  await page.getByRole('button', { name: '办结' }).click();
  await page.waitForURL(/saved=close/);
  const text = await page.locator('main').innerText();
  assert.match(text, /已办结/);
  assert.match(text, /下发督办[\s\S]*部门答复[\s\S]*办结/);
  await page.context().close();
});
