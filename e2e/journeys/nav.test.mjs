// Journey: the top navigation (base.html, crates/web/src/pages/nav.rs, static/nav.js).
//
//   1. at 1920×1080 the administrator's menus fit on one row; a menu opens
//      with the keyboard, Tab walks into it, Escape closes it and returns
//      focus; only one menu is open at a time; an entry followed by keyboard
//      is marked current, with its menu;
//   2. every entry of the administrator's and the clerk's menus answers
//      (nothing the navigation offers refuses its user);
//   3. a citizen sees the public services as plain links on one row;
//   4. on a 390 px phone the navigation folds behind 菜单, which opens it,
//      lets the clerk reach 窗口叫号 and closes again with Escape;
//   5. printing hides the navigation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, newPage, login, followNav, SCREENSHOT_DIR } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const DESKTOP = { viewport: { width: 1920, height: 1080 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

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

/** The screen as the user sees it (not the whole page): docs/screenshots/<name>.png. */
async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** The header's height and the distinct tops of the navigation's entries. */
async function navRow(page) {
  return page.evaluate(() => {
    const header = document.querySelector('header.site');
    const items = [...document.querySelectorAll('#site-nav .nav-menus > li, #site-nav .nav-user')];
    const tops = new Set(items.map((el) => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2)));
    return { height: header.getBoundingClientRect().height, middles: [...tops], count: items.length };
  });
}

const summary = (page, label) => page.locator('#site-nav summary', { hasText: new RegExp(`^${label}$`) });
const isOpen = (page, label) => summary(page, label).evaluate((s) => s.parentElement.open);
const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.trim());

test('1. the administrator\'s menus fit on one row and work with the keyboard', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'admin', PASSWORD);
  await page.goto(`${server.baseURL}/admin/items`);

  const row = await navRow(page);
  assert.equal(row.middles.length, 1, `the navigation is on one row: ${JSON.stringify(row)}`);
  assert.ok(row.height < 100, `the header is ${row.height}px high`);
  const labels = await page.locator('#site-nav summary').allInnerTexts();
  assert.deepEqual(labels.map((l) => l.trim()), ['办事服务', '监督考核', '统计报表', '日常办公', '系统管理']);
  // The current page's entry and its menu are marked.
  assert.equal(await summary(page, '日常办公').getAttribute('aria-current'), 'true');
  assert.equal(await summary(page, '统计报表').getAttribute('aria-current'), null);
  assert.equal(await page.locator('#site-nav a[aria-current="page"]').getAttribute('href'), '/admin/items');

  // Keyboard: focus the menu's label, Enter opens it, Tab goes into it.
  await summary(page, '统计报表').focus();
  const outline = await summary(page, '统计报表').evaluate((s) => getComputedStyle(s).outlineStyle);
  await page.keyboard.press('Enter');
  assert.equal(await isOpen(page, '统计报表'), true);
  const first = page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '办件统计', exact: true });
  assert.ok(await first.isVisible(), 'the open menu shows its entries');
  await page.keyboard.press('Tab');
  assert.equal(await focusedText(page), '办件统计');
  assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'solid', 'focus is visible');
  await screenshot(page, 'nav-staff-desktop');
  // Escape closes it and puts focus back on its label.
  await page.keyboard.press('Escape');
  assert.equal(await isOpen(page, '统计报表'), false);
  assert.equal(await focusedText(page), '统计报表');
  assert.equal(outline, 'solid', 'the focused label shows its outline');
  assert.equal(await first.isVisible(), false);

  // One menu at a time; a click elsewhere closes it.
  await summary(page, '统计报表').click();
  await summary(page, '系统管理').click();
  assert.equal(await isOpen(page, '统计报表'), false);
  assert.equal(await isOpen(page, '系统管理'), true);
  const box = await page.locator('#site-nav details[open] ul').boundingBox();
  assert.ok(box.x + box.width <= 1920, 'the last menu stays on the screen');
  await page.locator('main h1').click();
  assert.equal(await isOpen(page, '系统管理'), false);

  // Tabbing past a menu's last entry closes it.
  await summary(page, '日常办公').focus();
  await page.keyboard.press('Space');
  const entries = await page.locator('#site-nav details[open] ul a').count();
  for (let i = 0; i <= entries; i++) await page.keyboard.press('Tab');
  assert.equal(await isOpen(page, '日常办公'), false, 'focus left the menu and it closed');

  // Following an entry by keyboard marks it on the next page.
  await summary(page, '监督考核').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await focusedText(page), '电子监察');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/supervision$/);
  assert.equal(await summary(page, '监督考核').getAttribute('aria-current'), 'true');
  assert.equal(await page.locator('#site-nav a[aria-current="page"]').getAttribute('href'), '/supervision');
  await page.context().close();
});

test('2. every entry the navigation offers answers its user', async () => {
  for (const user of ['admin', 'clerk', 'leader', 'supervisor']) {
    const page = await newPage(browser, DESKTOP);
    await login(page, server.baseURL, user, PASSWORD);
    const hrefs = await page.locator('#site-nav a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length > 10, `${user} has ${hrefs.length} entries`);
    for (const href of hrefs) {
      const res = await page.request.get(`${server.baseURL}${href}`, { maxRedirects: 0 });
      assert.equal(res.status(), 200, `${user}: ${href} answers ${res.status()}`);
    }
    await page.context().close();
  }
});

test('3. a citizen sees the public services as plain links on one row', async () => {
  const page = await newPage(browser, DESKTOP);
  await page.goto(`${server.baseURL}/hall`);
  const nav = page.getByRole('navigation', { name: '主导航' });
  assert.equal(await nav.locator('summary').count(), 0, 'no menus for the public');
  for (const name of ['办事指南', '大厅导览', '排队取号', '预约办事', '办件查询', '好差评公示', '人员公示', '投诉与建议', '登录']) {
    assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), name);
  }
  assert.equal(await nav.getByRole('link', { name: '大厅导览' }).getAttribute('aria-current'), 'page');
  const row = await navRow(page);
  assert.equal(row.middles.length, 1, `one row: ${JSON.stringify(row)}`);
  assert.ok(row.height < 100, `the header is ${row.height}px high`);
  await screenshot(page, 'nav-public-desktop');
  await followNav(page, '办事服务', '排队取号');
  await page.waitForURL(/\/queue\/take$/);
  await page.context().close();
});

test('4. on a phone the navigation folds behind 菜单', async () => {
  const citizen = await newPage(browser, PHONE);
  await citizen.goto(server.baseURL);
  const toggle = citizen.getByRole('button', { name: '菜单' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await citizen.getByRole('navigation', { name: '主导航' }).isVisible(), false, 'folded');
  const folded = await citizen.locator('header.site').boundingBox();
  assert.ok(folded.height < 120, `the folded header is ${folded.height}px high`);
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  assert.ok(await citizen.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '预约办事', exact: true }).isVisible());
  await screenshot(citizen, 'nav-public-phone');
  assert.ok(await citizen.evaluate(() => document.documentElement.scrollWidth <= 390), 'nothing sticks out sideways');
  await citizen.context().close();

  const clerk = await newPage(browser, PHONE);
  await login(clerk, server.baseURL, 'clerk', PASSWORD);
  await clerk.goto(`${server.baseURL}/desk`);
  const menu = clerk.getByRole('button', { name: '菜单' });
  await menu.click();
  await summary(clerk, '窗口业务').click();
  assert.ok(await clerk.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '窗口叫号', exact: true }).isVisible());
  assert.ok(await clerk.evaluate(() => document.documentElement.scrollWidth <= 390), 'nothing sticks out sideways');
  await screenshot(clerk, 'nav-staff-phone');
  // Escape closes the open menu first, then the folded navigation.
  await summary(clerk, '窗口业务').focus();
  await clerk.keyboard.press('Escape');
  assert.equal(await isOpen(clerk, '窗口业务'), false);
  await clerk.keyboard.press('Escape');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await focusedText(clerk), '菜单');
  await followNav(clerk, '窗口业务', '窗口叫号');
  await clerk.waitForURL(/\/queue\/window$/);
  await clerk.context().close();
});

test('5. printing hides the navigation', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'clerk', PASSWORD);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.site').isVisible(), false);
  await page.context().close();
});
