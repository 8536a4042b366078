// Starter journey: the demo server comes up, answers /healthz, and the home
// page is a Chinese page. Real journeys go beside this file as *.test.mjs.

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

test('GET /healthz answers 200', async () => {
  const res = await fetch(`${server.baseURL}/healthz`);
  assert.equal(res.status, 200);
});

test('home page opens, in zh-CN', async () => {
  const page = await newPage(browser);
  const res = await page.goto(`${server.baseURL}/`);
  assert.ok(res, 'no response for /');
  assert.ok(res.ok(), `GET / ended with HTTP ${res.status()} at ${page.url()}`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await screenshot(page, 'home');
});
