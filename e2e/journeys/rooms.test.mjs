// Shared rooms (共享功能室), each person in their own browser:
//
//   1. a clerk opens 日常办公 › 功能室预约 from the navigation, sees the demo week's
//      bookings on the day view and books the 3楼专家评审室;
//   2. a clerk of another department, on a phone, tries an overlapping
//      booking and then one over the lunch break: both are refused with the
//      Chinese reason next to the form, and nothing is booked;
//   3. the room's week view shows the booking, reachable by keyboard;
//   4. the administrator approves a pending 评标室 booking.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, screenshot, login, followNav } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const DESKTOP = { viewport: { width: 1920, height: 1080 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const ROOM = '3楼专家评审室';
const DAY = '2026-10-13';
const PURPOSE = '养老保险政策研讨会';

let server;
let browser;

before(async () => {
  // Monday 12 October 2026, 10:00: the demo booked this week's rooms.
  server = await startServer({ now: '2026-10-12T10:00:00+08:00' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function chooseRoom(page, name) {
  const option = page.locator('#room_id option', { hasText: name });
  await page.getByLabel('功能室', { exact: true }).selectOption(await option.getAttribute('value'));
}

test('1. a clerk books a room on the day view', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'clerk', PASSWORD);
  await followNav(page, '日常办公', '功能室预约');
  await page.waitForURL(/\/rooms$/);
  const grid = page.getByTestId('rooms-grid');
  assert.match(await grid.innerText(), /中心周例会/, 'the demo booking of this morning is drawn');

  await chooseRoom(page, ROOM);
  await page.getByLabel('使用日期').fill(DAY);
  await page.getByLabel('开始时间').fill('14:00');
  await page.getByLabel('结束时间').fill('15:30');
  await page.getByLabel('用途（会议主题）').fill(PURPOSE);
  await page.getByLabel('参加人数').fill('8');
  assert.equal(await page.getByLabel('使用部门').inputValue(), '人社局', 'the organiser starts as the clerk’s department');
  await page.getByRole('button', { name: '提交预约' }).click();
  await page.waitForURL(new RegExp(`date=${DAY}&booked=`));
  await page.getByRole('status').waitFor();
  const block = page.getByTestId('booking-block').filter({ hasText: PURPOSE });
  assert.match(await block.innerText(), /14:00-15:30/);
  assert.match(await block.innerText(), /已批准/, 'an expert-review room needs no approval');
  const row = page.getByTestId('bookings').locator('tr', { hasText: PURPOSE });
  assert.match(await row.innerText(), /王窗口/);
  await screenshot(page, 'rooms-day');
  await page.context().close();
});

test('2. an overlapping booking is refused with the reason in Chinese', async () => {
  const page = await newPage(browser, PHONE);
  await login(page, server.baseURL, 'clerk2', PASSWORD);
  await page.goto(`${server.baseURL}/rooms?date=${DAY}`);
  await chooseRoom(page, ROOM);
  await page.getByLabel('开始时间').fill('15:00');
  await page.getByLabel('结束时间').fill('16:00');
  await page.getByLabel('用途（会议主题）').fill('户籍业务培训');
  await page.getByLabel('参加人数').fill('6');
  await page.getByRole('button', { name: '提交预约' }).click();
  const refusal = page.getByTestId('booking-refusal');
  await refusal.waitFor();
  const text = await refusal.innerText();
  assert.match(text, /该时段已被预约/);
  assert.match(text, new RegExp(`${DAY} 14:00-15:30（${PURPOSE}，已批准）`));
  assert.equal(await page.getByLabel('用途（会议主题）').inputValue(), '户籍业务培训', 'what was typed is kept');
  await screenshot(page, 'rooms-refused-phone');

  await page.getByLabel('开始时间').fill('11:30');
  await page.getByLabel('结束时间').fill('14:00');
  await page.getByRole('button', { name: '提交预约' }).click();
  await page.getByTestId('booking-refusal').filter({ hasText: '开放时间' }).waitFor();
  assert.match(await page.getByTestId('booking-refusal').innerText(), /不能跨越午休/);

  await page.goto(`${server.baseURL}/rooms?date=${DAY}`);
  assert.equal(await page.getByTestId('booking-block').filter({ hasText: '户籍业务培训' }).count(), 0, 'nothing was booked');
  await page.context().close();
});

test('3. the week view shows the booking and works with the keyboard', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'clerk', PASSWORD);
  await page.goto(`${server.baseURL}/rooms?date=${DAY}`);
  await page.getByTestId('rooms-grid').getByRole('link', { name: ROOM }).click();
  await page.waitForURL(new RegExp(`/rooms/\\d+\\?week=${DAY}`));
  assert.match(await page.getByTestId('rooms-heading').innerText(), /3楼专家评审室 · 2026年10月12日至10月18日/);
  const block = page.getByTestId('booking-block').filter({ hasText: PURPOSE });
  await block.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#booking-\d+$/);
  const id = page.url().split('#')[1];
  assert.match(await page.locator(`#${id}`).innerText(), new RegExp(PURPOSE));
  await screenshot(page, 'rooms-week');
  await page.context().close();
});

test('4. the administrator approves a pending bid-evaluation booking', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'admin', PASSWORD);
  await page.goto(`${server.baseURL}/admin`);
  await page.getByRole('link', { name: '预约审批' }).click();
  const row = page.getByTestId('approvals').locator('tr', { hasText: '办公设备采购项目评标' });
  assert.match(await row.innerText(), /评标室/);
  await row.getByRole('button', { name: /^批准/ }).click();
  await page.waitForURL(/done=approve/);
  assert.equal(await page.getByTestId('approvals').locator('tr', { hasText: '办公设备采购项目评标' }).count(), 0);
  await page.context().close();
});
