// The hall: an administrator adds a window on /admin/hall (a duplicate
// number is refused beside the form first) and it appears on the floor map;
// a citizen opens an item's guide, follows 去哪儿办 and sees the item's
// windows highlighted on the map with hall, floor, zone and numbers. The map
// is checked at 1920×1080 and on a 390×844 phone, and in print.

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

test('an admin adds a window and it appears on the map', async () => {
  const page = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
  await login(page, server.baseURL, 'admin', 'govhall-demo');
  await page.goto(`${server.baseURL}/admin/hall`);
  assert.equal(await page.locator('svg.hall-map').count(), 3, 'floors 1, 3 and 5');
  assert.equal(await page.locator('svg.hall-map [data-number="55"]').count(), 0);

  const form = page.locator('form', { has: page.getByRole('button', { name: '保存窗口' }) });
  // Window 01 exists already: refused, and the message sits by the form.
  await form.getByLabel('窗口号').fill('01');
  await form.getByLabel('窗口名称').fill('政务服务综合咨询');
  await form.getByLabel('窗口类型').selectOption({ label: '便民服务窗口' });
  await form.getByLabel('功能区').selectOption({ label: '1楼 中介服务' });
  await form.getByLabel('横向位置').fill('540');
  await form.getByLabel('纵向位置').fill('60');
  await form.getByRole('button', { name: '保存窗口' }).click();
  const refusal = page.locator('form .notice.error', { hasText: '该大厅已有这个窗口号' });
  await refusal.waitFor();
  assert.equal(await page.getByLabel('窗口名称').inputValue(), '政务服务综合咨询', 'the form keeps its input');

  await page.getByLabel('窗口号').fill('55');
  await page.getByRole('button', { name: '保存窗口' }).click();
  await page.waitForURL(/\/admin\/hall\?hall=\d+&saved=1/);
  const added = page.locator('svg.hall-map [data-number="55"]');
  assert.equal(await added.count(), 1, 'the new window is on the admin map');
  assert.match(await added.locator('title').textContent(), /55号窗口 政务服务综合咨询（中介服务，开放）/);
  await screenshot(page, 'hall-admin');

  await page.goto(`${server.baseURL}/hall`);
  assert.equal(await page.locator('svg.hall-map [data-number="55"]').count(), 1, 'and on the public map');
});

test('a citizen follows 去哪儿办 from a guide to the highlighted window', async () => {
  const page = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
  await page.goto(`${server.baseURL}/?q=社会保障卡`);
  await page.locator('#results li a.title').first().click();
  await page.waitForURL(/\/items\/\d+$/);
  const where = page.getByTestId('where-go');
  assert.match(await where.innerText(), /请到新城区政务服务大厅3楼部门办事窗口区.*号窗口/);
  await page.getByRole('link', { name: /去哪儿办/ }).click();
  await page.waitForURL(/\/hall\?item=\d+$/);

  const box = page.getByTestId('where');
  assert.match(await box.innerText(), /去哪儿办：/);
  assert.match(await box.innerText(), /3楼 部门办事窗口区/);
  const lit = page.locator('svg.hall-map .map-window.highlight');
  assert.ok((await lit.count()) >= 1, 'a window is highlighted');
  const floor3 = page.locator('section#floor-3');
  assert.ok((await floor3.locator('.map-window.highlight').count()) >= 1, 'on floor 3');
  await screenshot(page, 'hall-where');

  // Printed: the map and legend without the site chrome.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.site').isVisible(), false);
  assert.ok(await page.locator('.map-legend').isVisible());
  assert.ok(await page.locator('svg.hall-map').first().isVisible());
  await page.emulateMedia({ media: 'screen' });
});

test('the hall guide works on a phone', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${server.baseURL}/hall`);
  assert.equal(await page.locator('svg.hall-map').count(), 3);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
  await screenshot(page, 'hall-phone');
});
