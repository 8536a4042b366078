// Ratings (好差评), each person in their own browser:
//
//   1. the clerk accepts a window case and opens the window's tablet
//      (窗口评价器) from the case page; the applicant rates it 非常满意;
//   2. at home, on a phone, the applicant finds the case by its number and
//      query code and gives a bad rating online: without a reason it is
//      refused, with one it is taken and a follow-up (差评整改单) is opened;
//   3. the department's chief representative finds the follow-up on the
//      department's list, verifies, rectifies and records the return visit;
//   4. the public page (好差评公示) shows the department's figures.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, screenshot, login, followNav } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const DESKTOP = { viewport: { width: 1920, height: 1080 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const ITEM_ID = 11; // 企业职工基本养老保险关系转移接续 (人社局)

let server;
let browser;
let caseNo;
let queryCode;

before(async () => {
  server = await startServer({ now: '2026-09-30T09:30:00+08:00' });
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

function idCardNumber(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

test('1. the applicant rates the service on the window tablet', async () => {
  const { token } = await api(null, 'POST', '/api/v1/auth/token', { username: 'clerk', password: PASSWORD });
  const created = await api(token, 'POST', '/api/v1/cases', {
    item_id: ITEM_ID,
    channel: 'window',
    applicant: { name: '李秀英', id_type: 'id_card', id_number: idCardNumber('15010219700312204'), phone: '13947110001' },
    materials: [
      { name: '居民身份证', paper: true },
      { name: '基本养老保险关系转移接续申请表', paper: true },
    ],
  });
  caseNo = created.case_no;
  queryCode = created.query_code;
  await api(token, 'POST', `/api/v1/cases/${caseNo}/accept`, {});

  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'clerk', PASSWORD);
  await page.goto(`${server.baseURL}/desk/cases/${caseNo}`);
  const tablet = await page.getByTestId('hall-rating').getAttribute('href');
  assert.match(tablet, /channel=hall/);
  await page.goto(`${server.baseURL}${tablet}`);
  await page.getByRole('heading', { name: '请您为本次服务评价' }).waitFor();
  assert.match(await page.locator('main').innerText(), /李\*\*/, 'the tablet shows the masked name');
  await page.getByLabel('非常满意').check();
  await page.getByLabel('服务热情').check();
  await screenshot(page, 'rating-hall-tablet');
  await page.getByRole('button', { name: '提交评价' }).click();
  await page.waitForURL(/done=1/);
  assert.match(await page.locator('#rate-done').innerText(), /感谢您的评价/);
  assert.match(await page.locator('main').innerText(), /您已通过“窗口评价器”评价/);
  await page.context().close();
});

test('2. at home the applicant gives a bad rating online, with a reason', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(`${server.baseURL}/inquiry`);
  await page.getByLabel('办件编号').fill(caseNo);
  await page.getByLabel('查询码').fill(queryCode);
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByTestId('rate-link').click();
  await page.waitForURL(/\/rate\//);
  assert.match(await page.locator('main').innerText(), /窗口评价器 非常满意/, 'the other channel is shown');

  // A bad rating without a reason is refused and nothing is recorded.
  await page.getByLabel('非常不满意').check();
  await page.getByRole('button', { name: '提交评价' }).click();
  const error = page.getByRole('alert');
  await error.waitFor();
  assert.match(await error.innerText(), /差评请选择不满意的原因或填写评价内容/);
  assert.ok(await page.getByLabel('非常不满意').isChecked(), 'the choice is kept');

  await page.getByLabel('多次跑动').check();
  await page.getByLabel('意见和建议（选填，500字以内）').fill('材料要求没有一次说清，跑了两趟');
  await screenshot(page, 'rating-phone-bad');
  await page.getByRole('button', { name: '提交评价' }).click();
  await page.waitForURL(/done=1/);
  assert.match(await page.locator('#rate-done').innerText(), /转交.*核实整改/);
  await page.context().close();
});

test('3. the department works the follow-up through to the return visit', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'chief', PASSWORD);
  await followNav(page, '监督考核', '电子监察');
  await page.locator('main').getByRole('link', { name: '差评整改' }).first().click();
  const row = page.getByTestId('followups').locator('tr', { hasText: caseNo });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /非常不满意/);
  assert.match(text, /多次跑动/);
  assert.match(text, /待核实/);
  // 15 working days from 30 September across National Day.
  assert.match(text, /2026-10-27/);
  await screenshot(page, 'rating-followups');
  await row.getByRole('link', { name: /整改〔/ }).click();

  await page.getByRole('textbox', { name: /核实情况/ }).fill('经调阅窗口录像，首次办理时未出具一次性告知书，属实');
  await page.getByRole('button', { name: '提交核实情况' }).click();
  await page.waitForURL(/saved=verify/);
  await page.getByLabel('整改措施及结果').fill('已对窗口人员批评教育，并在窗口张贴材料清单');
  await page.getByRole('button', { name: '提交整改结果' }).click();
  await page.waitForURL(/saved=rectify/);
  await page.getByLabel('申请人表示满意，办结').check();
  await page.getByRole('textbox', { name: /回访记录/ }).fill('10月9日电话回访，申请人表示满意');
  await page.getByRole('button', { name: '提交回访结果' }).click();
  await page.waitForURL(/saved=revisit/);
  assert.equal(await page.getByTestId('followup-status').innerText(), '已整改办结');
  assert.match(await page.locator('main').innerText(), /差评生成整改单[\s\S]*核实情况[\s\S]*整改完成[\s\S]*回访满意，办结/);
  await screenshot(page, 'rating-followup-closed');
  await page.context().close();
});

test('4. the public page shows the department\'s figures', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(server.baseURL);
  await followNav(page, '办事服务', '好差评公示');
  await page.waitForURL(/\/ratings/);
  await page.getByRole('link', { name: '本年' }).click();
  const row = page.getByTestId('departments').locator('tr', { hasText: '人力资源和社会保障局' });
  const cells = await row.locator('td').allInnerTexts();
  // 受理 1, 评价 2, 好评率 50%, 差评 1, 整改率 100%, 未评价率 0%.
  assert.deepEqual(cells, ['1', '2', '50.0%', '1', '100.0%', '0.0%']);
  await page.context().close();
  const wide = await newPage(browser, DESKTOP);
  await wide.goto(`${server.baseURL}/ratings?period=year`);
  await screenshot(wide, 'ratings-public');
  await wide.context().close();
});
