// A citizen looks for how to get a business licence: types 营业执照 on the
// home page, sees results appear while typing, opens the guide and finds the
// materials, the procedure and the phones. Also checked on a phone screen.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, screenshot } from '../lib.mjs';

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

test('a citizen searches 营业执照 and opens a guide', async () => {
  const page = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
  await page.goto(`${server.baseURL}/`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await screenshot(page, 'home');

  // Results as you type: no submit.
  await page.getByLabel('搜索事项').pressSequentially('营业执照', { delay: 30 });
  // The URL changes as soon as the query does, the list only when its answer
  // arrives: wait for the answer itself before reading the list.
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === '营业执照');
  await page.locator(`#results[data-shows="${new URLSearchParams({ q: '营业执照' })}"]`).waitFor({ state: 'attached' });
  const names = await page.locator('#results li a.title').allInnerTexts();
  assert.ok(names.length > 0, 'no results');
  assert.ok(names.some((n) => n.includes('营业执照')), `no 营业执照 item among ${names.join('、')}`);
  await screenshot(page, 'search-results');

  const target = page.locator('#results li a.title', { hasText: '营业执照' }).first();
  const name = await target.innerText();
  await target.click();
  await page.waitForURL(/\/items\/\d+$/);
  await assert.doesNotReject(page.getByRole('heading', { level: 1, name }).waitFor());
  for (const section of ['设定依据', '受理条件', '申请材料', '办理流程', '收费标准', '办理地点与时间']) {
    assert.ok(await page.getByRole('heading', { level: 2, name: section }).isVisible(), `missing section ${section}`);
  }
  assert.ok(await page.getByText('咨询电话').first().isVisible());
  await screenshot(page, 'guide');

  // The printed guide hides the site chrome.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.site').isVisible(), false);
  await page.emulateMedia({ media: 'screen' });
});

test('pinyin initials find the guide too, and filters narrow the list', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.baseURL}/?q=yyzz`);
  const names = await page.locator('#results li a.title').allInnerTexts();
  assert.ok(names.some((n) => n.includes('营业执照')), `yyzz found ${names.join('、')}`);

  await page.goto(`${server.baseURL}/`);
  await page.getByLabel('只看可网上办理').check();
  await page.locator('#results[data-shows="online=true"]').waitFor({ state: 'attached' });
  await page.locator('#results li').first().waitFor();
  const badges = await page.locator('#results li').evaluateAll((lis) => lis.every((li) => li.textContent.includes('可网上办理')));
  assert.ok(badges, 'a result without 可网上办理 survived the online filter');
});

test('the guide works on a phone', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${server.baseURL}/?q=社会保障卡`);
  await page.locator('#results li a.title').first().click();
  await page.waitForURL(/\/items\/\d+$/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
  await screenshot(page, 'guide-phone');
});
