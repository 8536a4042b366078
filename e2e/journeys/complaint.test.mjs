// Complaints and 12345 requests, each person in their own browser:
//
//   1. a citizen complains on the web from a phone about a case's delay; the
//      form refuses a bad phone number, then gives a number and a due date;
//   2. the supervisor imports a 12345 export: a file with a bad row is
//      refused whole, the corrected one is imported and routed;
//   3. the department signs for the web complaint and answers it;
//   4. the supervisor records the return visit and closes it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, newPage, screenshot, login } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const DESKTOP = { viewport: { width: 1920, height: 1080 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const CONTENT = '养老保险转移申请交了材料十多天没有进展，打电话也没人接';

let server;
let browser;
let tmp;
let complaintId;

before(async () => {
  server = await startServer({ now: '2026-10-12T10:00:00+08:00' });
  browser = await launchBrowser();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'govhall-e2e-complaint-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('1. a citizen complains on the web', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(server.baseURL);
  await page.getByRole('link', { name: '网上投诉与建议' }).click();
  await page.getByLabel('诉求类别').selectOption('delay');
  await page.getByLabel('诉求内容').fill(CONTENT);
  await page.getByLabel('联系电话').fill('12345');
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /联系电话应为11位手机号/);
  assert.equal(await page.getByLabel('诉求内容').inputValue(), CONTENT, 'what was typed is kept');
  await page.getByLabel('联系电话').fill('13947110009');
  await page.getByRole('button', { name: '提交' }).click();
  const receipt = page.locator('#complaint-receipt');
  await receipt.waitFor();
  const text = await receipt.innerText();
  complaintId = Number(text.match(/编号 (\d+)/)[1]);
  // 办事拖延: 5 working days from Monday 12 October.
  assert.match(text, /2026-10-19 前/);
  await screenshot(page, 'complaint-public-phone');
  await page.context().close();
});

test('2. the supervisor imports a 12345 export, all or nothing', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'supervisor', PASSWORD);
  await page.goto(`${server.baseURL}/supervision/complaints`);
  const header = '工单编号,诉求人,联系电话,诉求类别,诉求内容,承办部门\n';
  const bad = path.join(tmp, 'bad.csv');
  writeFileSync(bad, `${header}12345-1001,赵先生,13947110010,政策咨询,灵活就业如何参加养老保险,呼和浩特市新城区人力资源和社会保障局\n12345-1002,,139,服务态度,窗口人员不耐烦,\n`);
  await page.getByLabel('工单文件（Excel 或 UTF-8 CSV）').setInputFiles(bad);
  await page.getByRole('button', { name: '导入' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /第3行：联系电话应为11位手机号/);
  assert.equal(await page.getByTestId('complaints').locator('tr', { hasText: '12345-1001' }).count(), 0);

  const good = path.join(tmp, 'good.csv');
  writeFileSync(good, `${header}12345-1001,赵先生,13947110010,政策咨询,灵活就业如何参加养老保险,呼和浩特市新城区人力资源和社会保障局\n12345-1002,,13947110011,服务态度,窗口人员不耐烦,\n`);
  await page.getByLabel('工单文件（Excel 或 UTF-8 CSV）').setInputFiles(good);
  await page.getByRole('button', { name: '导入' }).click();
  await page.waitForURL(/imported=2/);
  const routed = page.getByTestId('complaints').locator('tr', { hasText: '12345-1001' });
  assert.match(await routed.innerText(), /人力资源和社会保障局/);
  assert.match(await routed.innerText(), /139\*\*\*\*0010/, 'phones are masked in the list');
  const waiting = page.getByTestId('complaints').locator('tr', { hasText: '12345-1002' });
  assert.match(await waiting.innerText(), /待交办/);
  await screenshot(page, 'complaints-list');
  await page.context().close();
});

test('3. the department signs for the web complaint and answers it', async () => {
  // The web complaint named no case or department: the supervisor assigns it.
  const sup = await newPage(browser, DESKTOP);
  await login(sup, server.baseURL, 'supervisor', PASSWORD);
  await sup.goto(`${server.baseURL}/supervision/complaints/${complaintId}`);
  await sup.getByLabel('承办部门').selectOption({ label: '呼和浩特市新城区人力资源和社会保障局' });
  await sup.getByRole('button', { name: '交办' }).click();
  await sup.waitForURL(/saved=assign/);
  await sup.context().close();

  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'chief', PASSWORD);
  await page.goto(`${server.baseURL}/supervision/complaints`);
  await page.getByTestId('complaints').getByRole('link', { name: `诉求〔${complaintId}〕` }).click();
  assert.match(await page.locator('main').innerText(), /13947110009/, 'the department sees the phone to call back');
  await page.getByRole('button', { name: '签收办理' }).click();
  await page.waitForURL(/saved=accept/);
  await page.getByLabel(/答复内容/).fill('经核实系审核人员休假造成积压，已于当日办结并电话致歉');
  await page.getByRole('button', { name: '提交答复' }).click();
  await page.waitForURL(/saved=reply/);
  assert.equal(await page.getByTestId('complaint-status').innerText(), '已答复待审核');
  await page.context().close();
});

test('4. the supervisor records the return visit and closes it', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'supervisor', PASSWORD);
  await page.goto(`${server.baseURL}/supervision/complaints?tab=replied`);
  await page.getByTestId('complaints').getByRole('link', { name: `诉求〔${complaintId}〕` }).click();
  await page.getByLabel('满意', { exact: true }).check();
  await page.getByLabel('回访记录 / 退回意见').fill('电话回访，诉求人满意');
  await page.getByRole('button', { name: '回访办结' }).click();
  await page.waitForURL(/saved=close/);
  const text = await page.locator('main').innerText();
  assert.equal(await page.getByTestId('complaint-status').innerText(), '已办结');
  assert.match(text, /登记[\s\S]*交办[\s\S]*签收[\s\S]*答复[\s\S]*回访办结/);
  await screenshot(page, 'complaint-closed');
  await page.context().close();
});
