// An administrator logs in, creates an item in the editor (a bad limit is
// refused next to its field first), saves the draft, publishes it, and a
// citizen then finds it. Also takes screenshots of the back-office pages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, screenshot, login } from '../lib.mjs';

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

const NAME = '犬只养殖场所备案（演示新增）';

test('the entry report reproduces the seed table', async () => {
  const page = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
  await login(page, server.baseURL, 'admin', 'govhall-demo');
  await page.goto(`${server.baseURL}/admin/reports/entry`);
  const total = page.locator('#entry-report tr.total');
  const cells = await total.locator('td').allInnerTexts();
  assert.equal(cells[2], '594');
  assert.equal(cells[3], '61');
  assert.equal(cells[6], '31');
  const wjw = page.locator('#entry-report tr', { hasText: '卫健委' });
  assert.match(await wjw.innerText(), /52\.4%/);
  await screenshot(page, 'entry-report');

  await page.goto(`${server.baseURL}/admin/items`);
  await screenshot(page, 'admin-items');
  await page.goto(`${server.baseURL}/admin/departments`);
  await screenshot(page, 'admin-departments');
});

test('an admin creates and publishes an item that a citizen then finds', async () => {
  const page = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
  await login(page, server.baseURL, 'admin', 'govhall-demo');
  await page.goto(`${server.baseURL}/admin`);
  await screenshot(page, 'admin-dashboard');

  await page.goto(`${server.baseURL}/admin/items/new`);
  await page.getByLabel('事项名称').fill(NAME);
  await page.getByLabel('实施部门').selectOption({ label: '农牧水利局' });
  await page.getByLabel('事项类型').selectOption('10');
  await page.getByLabel('办件类型').selectOption('promised');
  await page.getByLabel('法定办结时限（天，空表示无法定时限）').fill('20');
  // Longer than the legal limit: refused, and the message sits by the field.
  await page.getByLabel('承诺办结时限（天，即办件填0）').fill('25');
  await page.getByLabel('允许延期次数').fill('2');
  await page.getByLabel('办理结果').fill('犬只养殖场所备案回执');
  await page.getByLabel('受理条件').fill('在本区范围内从事犬只养殖，场所符合动物防疫条件。');
  await page.getByLabel('设定依据').fill('《中华人民共和国动物防疫法》第二十四条');
  await page.getByRole('button', { name: '添加环节' }).click();
  await page.getByLabel('环节名称').fill('受理');
  await page.getByRole('button', { name: '添加材料' }).click();
  await page.getByLabel('材料名称').fill('犬只养殖场所备案表');
  await page.getByRole('button', { name: '保存草稿' }).click();
  const summary = page.locator('#form-errors');
  await summary.waitFor({ state: 'visible' });
  assert.match(await summary.innerText(), /承诺办结时限不得超过法定办结时限/);
  await screenshot(page, 'item-editor-error');

  await page.getByLabel('承诺办结时限（天，即办件填0）').fill('5');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await page.waitForURL(/\/admin\/items\/\d+\?saved=1$/);
  assert.match(await page.locator('main').innerText(), /草稿已保存/);
  const itemPath = new URL(page.url()).pathname;

  // Not public yet.
  const before = await (await fetch(`${server.baseURL}/api/v1/items?q=${encodeURIComponent(NAME)}`)).json();
  assert.equal(before.items.filter((i) => i.name === NAME).length, 0, 'a draft was visible to the public');

  await page.getByRole('button', { name: '发布' }).click();
  await page.waitForURL(/published=1/);
  assert.equal(new URL(page.url()).pathname, itemPath);
  await screenshot(page, 'admin-item');
  const published = await (await fetch(`${server.baseURL}/api/v1${itemPath.replace('/admin', '')}`)).json();
  assert.equal(published.max_extensions, 2, 'the extension limit set in the editor was not saved');

  // A citizen, not logged in, finds it.
  const citizen = await newPage(browser);
  await citizen.goto(`${server.baseURL}/`);
  await citizen.getByLabel('搜索事项').fill('犬只养殖');
  await citizen.locator('#results li a.title', { hasText: NAME }).waitFor();
  await citizen.locator('#results li a.title', { hasText: NAME }).click();
  await citizen.getByRole('heading', { level: 1, name: NAME }).waitFor();
  assert.match(await citizen.locator('main').innerText(), /5个工作日/);
});
