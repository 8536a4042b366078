// A whole case, from the citizen's online application to the result handed
// over at the window, each person in their own browser:
//
//   1. the citizen applies online for 企业职工基本养老保险关系转移接续 with a
//      scan of the ID card but without the required application form (a
//      wrong ID number is refused first, creating nothing); the form also
//      fits a phone;
//   2. the clerk finds it among the cases waiting at the window, cannot
//      accept it while a required material is missing (nothing changes), and
//      sends a one-time notice (一次性告知) naming the missing form;
//   3. the citizen uploads the form and resubmits;
//   4. the clerk accepts and prints the acceptance receipt (a real PDF);
//   5. the approver finds it on the to-do list with its deadline, gives an
//      opinion on the review step and concludes it approved;
//   6. the clerk hands the result over at the window (this item charges no
//      fee, and no item of the demo staff's department 人社局 does, so there
//      is no fee step);
//   7. anyone with the case number and query code sees 已送达 on the public
//      inquiry, with no ID number or phone on the page;
//   8. an administrator looks at the working calendar the deadlines use.
//
// The tests share one server and run in order: each continues the case.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, newPage, screenshot, login } from '../lib.mjs';

const PASSWORD = 'govhall-demo';
const DESKTOP = { viewport: { width: 1920, height: 1080 } };

const ITEM = '企业职工基本养老保险关系转移接续';
const RESULT = '基本养老保险关系转移接续联系函及转入信息';
const ID_CARD = '居民身份证';
const FORM = '基本养老保险关系转移接续申请表';
const PROBLEM = '未提交申请表。请下载填写、本人签字后上传扫描件';

const NAME = '陈晓明';
const MASKED_NAME = '陈**';
const ID_NUMBER = idCardNumber('15010219880615123');
// The same number with a wrong check character.
const BAD_ID_NUMBER = ID_NUMBER.slice(0, 17) + (ID_NUMBER.endsWith('1') ? '2' : '1');
const PHONE = '13947112345';
const CERTIFICATE_NO = 'YLZY-2026-000917';
// 10 working days after 2026-09-30 on the demo's 2026 calendar.
const DUE = '2026-10-20';

/** Completes 17 digits with their GB 11643 check character. */
function idCardNumber(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

/** A small but well-formed one-page PDF (with a correct xref table). */
function tinyPdf(title) {
  const text = `BT /F1 18 Tf 72 760 Td (${title}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

let server;
let browser;
let base;
let tmp;
let scans;
// The people, each in their own browser context, kept signed in between steps.
let citizen;
let clerk;
let approver;
// What the citizen is given on submission.
let caseNo;
let queryCode;

before(async () => {
  server = await startServer();
  base = server.baseURL;
  browser = await launchBrowser();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'govhall-case-'));
  scans = {
    idCard: path.join(tmp, 'id-card.pdf'),
    form: path.join(tmp, 'transfer-application.pdf'),
  };
  writeFileSync(scans.idCard, tinyPdf('ID card scan'));
  writeFileSync(scans.form, tinyPdf('Pension transfer application form'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Fails fast with a clear message when an earlier step did not get as far. */
function needCase() {
  assert.ok(caseNo && queryCode, 'no case: the application step failed');
}

/** The status shown at the top of a staff case page. */
async function deskStatus(page) {
  return (await page.locator('.desk-case-head .desk-status').innerText()).trim();
}

/** The status badge at the top of the applicant's case page. */
async function myStatus(page) {
  return (await page.locator('.case-head .case-status').innerText()).trim();
}

async function trailLength(page) {
  return page.locator('table.trail tbody tr').count();
}

test('1. the citizen applies online, leaving out a required material', async () => {
  citizen = await newPage(browser, DESKTOP);
  await login(citizen, base, 'citizen', PASSWORD);

  const found = await (await fetch(`${base}/api/v1/items?q=${encodeURIComponent(ITEM)}`)).json();
  const item = found.items.find((i) => i.name === ITEM);
  assert.ok(item, `item ${ITEM} not in the demo catalogue`);

  // From the guide to the form.
  await citizen.goto(`${base}/items/${item.id}`);
  await citizen.getByRole('link', { name: '在线申报', exact: true }).click();
  await citizen.waitForURL(`${base}/items/${item.id}/apply`);
  await citizen.getByRole('heading', { level: 1, name: `在线申报：${ITEM}` }).waitFor();
  const facts = await citizen.locator('.item-facts').innerText();
  assert.match(facts, /人力资源和社会保障局/);
  assert.match(facts, /3项，其中必需2项/);
  assert.match(facts, /不收费/);

  await citizen.getByLabel('申请人姓名', { exact: true }).fill(NAME);
  assert.equal(await citizen.getByLabel('证件类型', { exact: true }).inputValue(), 'id_card');
  await citizen.getByLabel('证件号码', { exact: true }).fill(BAD_ID_NUMBER);
  await citizen.getByLabel('联系电话', { exact: true }).fill(PHONE);
  await citizen.getByLabel(`选择文件：${ID_CARD}`, { exact: true }).setInputFiles(scans.idCard);
  // The application form (required) is deliberately left out.
  await citizen.getByLabel(/^本人承诺所填信息真实准确/).check();
  await citizen.locator('#m0-files-chosen li', { hasText: 'id-card.pdf' }).waitFor();
  // The item facts are sticky: shoot from the top so they sit beside the heading.
  await citizen.evaluate(() => window.scrollTo(0, 0));
  await screenshot(citizen, 'case-apply');

  // A mistyped ID number (wrong check character): refused next to the field, nothing is created.
  await citizen.getByRole('button', { name: '提交申请' }).click();
  const summary = citizen.locator('#error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /提交未成功/);
  assert.match(await summary.innerText(), /校验位不正确/);
  const idInput = citizen.getByLabel('证件号码', { exact: true });
  assert.equal(await idInput.getAttribute('aria-invalid'), 'true');
  assert.match(await citizen.locator('#id_number-error').innerText(), /校验位不正确/);
  assert.equal(await idInput.inputValue(), BAD_ID_NUMBER, 'the typed number was lost');
  assert.equal(await citizen.getByLabel('申请人姓名', { exact: true }).inputValue(), NAME);
  assert.match(await citizen.locator('main').innerText(), /请重新选择文件/);
  const mine = await citizen.context().request.get(`${base}/my/cases`);
  assert.match(await mine.text(), /您还没有网上申报的办件/, 'a refused application created a case');

  // Corrected; the scan has to be chosen again.
  await idInput.fill(ID_NUMBER);
  await citizen.getByLabel(`选择文件：${ID_CARD}`, { exact: true }).setInputFiles(scans.idCard);
  assert.ok(await citizen.getByLabel(/^本人承诺所填信息真实准确/).isChecked(), 'the pledge was lost');

  await citizen.getByRole('button', { name: '提交申请' }).click();
  await citizen.waitForURL(/\/my\/cases\/[^/?]+\?done=submitted$/);
  caseNo = decodeURIComponent(new URL(citizen.url()).pathname.split('/').pop());
  assert.match(caseNo, /^XC-\d{8}-\d{5}$/);
  queryCode = (await citizen.locator('.receipt .receipt-value.code').innerText()).trim();
  assert.match(queryCode, /^\d{6}$/);
  assert.match(await citizen.locator('#flash').innerText(), /申报成功/);
  assert.equal(await myStatus(citizen), '已申报');
  const materials = citizen.locator('section[aria-labelledby="materials-title"]');
  assert.match(await materials.locator('tr', { hasText: FORM }).innerText(), /未提交/);
  assert.match(await materials.locator('tr', { hasText: ID_CARD }).innerText(), /id-card\.pdf/);

  // The same form on a phone: nothing wider than the screen.
  const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(`${base}/items/${item.id}/apply`);
  await phone.getByRole('heading', { level: 1, name: `在线申报：${ITEM}` }).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the apply page is ${overflow}px wider than the phone`);
  assert.ok(await phone.getByLabel(`选择文件：${FORM}`, { exact: true }).isVisible());
  await screenshot(phone, 'case-apply-phone');
  await phone.context().close();
});

test('2. the clerk cannot accept it incomplete and sends a one-time notice', async () => {
  needCase();
  clerk = await newPage(browser, DESKTOP);
  await login(clerk, base, 'clerk', PASSWORD);

  // The desk opens on the cases waiting at the window.
  await clerk.goto(`${base}/desk`);
  assert.match(await clerk.locator('.desk-tabs a[aria-current="page"]').innerText(), /待受理/);
  const link = clerk.getByRole('link', { name: caseNo, exact: true });
  const row = clerk.locator('table.desk-table tbody tr', { has: link });
  const cells = await row.innerText();
  assert.match(cells, new RegExp(ITEM));
  assert.match(cells, new RegExp(MASKED_NAME.replace(/\*/g, '\\*')));
  assert.match(cells, /网上申报/);
  assert.match(cells, /已申报/);
  assert.ok(!cells.includes(NAME), 'the desk list shows the full name');
  await link.click();
  await clerk.waitForURL(`${base}/desk/cases/${caseNo}`);
  await clerk.getByRole('heading', { level: 1, name: `办件 ${caseNo}` }).waitFor();
  assert.equal(await deskStatus(clerk), '已申报');
  assert.match(await clerk.locator('section[aria-labelledby="h-applicant"]').innerText(), new RegExp(ID_NUMBER));

  // Accepting with a required material missing is refused and changes nothing.
  const events = await trailLength(clerk);
  await clerk.getByRole('button', { name: '予以受理' }).click();
  const refusal = clerk.getByRole('alert');
  await refusal.waitFor();
  const why = await refusal.innerText();
  assert.match(why, /操作未完成，办件没有任何改变/);
  assert.match(why, new RegExp(`缺少必需材料：${FORM}`));
  assert.equal(await refusal.getAttribute('data-status'), '409');
  assert.equal(await deskStatus(clerk), '已申报');
  assert.equal(await trailLength(clerk), events, 'a refused acceptance was recorded');

  // The one-time notice: the missing required material is ticked already.
  await clerk.locator('#act-notify > summary').click();
  const pick = clerk.getByLabel(FORM, { exact: true });
  assert.ok(await pick.isChecked(), 'the missing form is not ticked on the notice');
  assert.equal(await clerk.getByLabel(ID_CARD, { exact: true }).isChecked(), false);
  await clerk.getByLabel(`${FORM}：缺少或不符合要求之处`, { exact: true }).fill(PROBLEM);
  await clerk.getByRole('button', { name: '出具一次性告知书' }).click();
  await clerk.waitForURL(`${base}/desk/cases/${caseNo}?done=notify`);
  assert.match(await clerk.locator('.desk-flash').innerText(), /已出具一次性告知书/);
  assert.equal(await deskStatus(clerk), '待补正');
  const notice = clerk.locator('section[aria-labelledby="h-notices"]');
  assert.match(await notice.locator('tr', { hasText: FORM }).innerText(), new RegExp(PROBLEM));
  assert.equal(await trailLength(clerk), events + 1);
  await screenshot(clerk, 'case-desk');
});

test('3. the citizen sees what to correct, uploads it and resubmits', async () => {
  needCase();
  await citizen.goto(`${base}/my/cases`);
  const row = citizen.locator('table.cases tbody tr', { has: citizen.getByRole('link', { name: caseNo, exact: true }) });
  assert.match(await row.innerText(), /待补正/);
  await row.getByRole('link', { name: '去补正' }).click();
  await citizen.waitForURL((url) => url.pathname === `/my/cases/${caseNo}`);
  assert.equal(await myStatus(citizen), '待补正');

  const correction = citizen.locator('#correction');
  await correction.getByRole('heading', { name: '请按一次性告知书补正材料' }).waitFor();
  assert.match(await correction.locator('.notice-lines').innerText(), new RegExp(`${FORM}：${PROBLEM}`));
  await citizen.getByLabel(`选择文件：${FORM}`, { exact: true }).setInputFiles(scans.form);
  await citizen.getByRole('button', { name: '提交补正材料' }).click();
  await citizen.waitForURL(`${base}/my/cases/${caseNo}?done=resubmit`);
  assert.match(await citizen.locator('#flash').innerText(), /补正材料已提交/);
  assert.equal(await myStatus(citizen), '已申报');
  assert.equal(await citizen.locator('#correction').count(), 0, 'the correction form is still offered');
  const formRow = citizen.locator('section[aria-labelledby="materials-title"] tr', { hasText: FORM });
  assert.match(await formRow.innerText(), /transfer-application\.pdf/);
});

test('4. the clerk accepts it and prints the acceptance receipt', async () => {
  needCase();
  await clerk.goto(`${base}/desk/cases/${caseNo}`);
  assert.equal(await deskStatus(clerk), '已申报');
  const materials = clerk.locator('section[aria-labelledby="h-materials"]');
  assert.match(await materials.locator('tr', { hasText: FORM }).innerText(), /已提交/);

  await clerk.getByRole('button', { name: '予以受理' }).click();
  await clerk.waitForURL(`${base}/desk/cases/${caseNo}?done=accept`);
  assert.match(await clerk.locator('.desk-flash').innerText(), /已受理，办结期限已生成/);
  assert.equal(await deskStatus(clerk), '办理中');
  const facts = await clerk.locator('.case-facts').innerText();
  // Accepted on Wed 30 Sep with 10 working days: the National Day holiday
  // (1-7 Oct) does not count and Sat 10 Oct (a make-up working day) does.
  assert.match(facts, new RegExp(`办结期限\\s*${DUE}`));
  assert.match(facts, /第2步 审核/);

  const receipt = clerk.locator('.desk-flash').getByRole('link', { name: '打印受理回执' });
  const href = await receipt.getAttribute('href');
  assert.equal(href, `/cases/${caseNo}/notices/acceptance.pdf`);
  const pdf = await clerk.context().request.get(new URL(href, base).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const body = await pdf.body();
  assert.equal(body.subarray(0, 4).toString('latin1'), '%PDF');
  assert.ok(body.length > 1000, `a ${body.length}-byte receipt is too small to be real`);
  // Without a session only the query code opens it.
  const anonymous = await fetch(new URL(href, base));
  assert.equal(anonymous.status, 404, 'the receipt is public without the query code');
  const wrong = await fetch(new URL(`${href}?query_code=${queryCode === '000000' ? '111111' : '000000'}`, base));
  assert.equal(wrong.status, 404, 'a wrong query code opened the receipt');
  const withCode = await fetch(new URL(`${href}?query_code=${queryCode}`, base));
  assert.equal(withCode.status, 200);
  assert.equal(withCode.headers.get('content-type'), 'application/pdf');
});

test('5. the approver finds it on the to-do list, reviews and approves it', async () => {
  needCase();
  approver = await newPage(browser, DESKTOP);
  await login(approver, base, 'approver', PASSWORD);

  await approver.goto(`${base}/desk/todo`);
  const link = approver.getByRole('link', { name: caseNo, exact: true });
  const row = approver.locator('section[aria-labelledby="h-todo"] tbody tr', { has: link });
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[1], ITEM);
  assert.equal(cells[3].trim(), '办理中');
  assert.equal(cells[4], '第2步 审核');
  assert.equal(cells[5], DUE);
  assert.equal(cells[6].trim(), '剩余10个工作日');
  await screenshot(approver, 'case-todo');

  await link.click();
  await approver.waitForURL(`${base}/desk/cases/${caseNo}`);
  assert.equal(await deskStatus(approver), '办理中');
  assert.match(await approver.locator('.case-facts').innerText(), /剩余10个工作日/);

  // Step 2 (审核) is what the case waits for: its form is open.
  const step = approver.locator('#act-step');
  assert.match(await step.locator('summary').innerText(), /完成第2环节：审核/);
  await approver.getByLabel('办理意见', { exact: true }).fill('缴费记录与转出地联系函一致，同意转入。');
  await approver.getByRole('button', { name: '完成第2环节' }).click();
  await approver.waitForURL(`${base}/desk/cases/${caseNo}?done=step`);
  assert.match(await approver.locator('.desk-flash').innerText(), /本环节已办理/);
  assert.match(await approver.locator('.case-facts').innerText(), /第3步 批准/);

  // Step 3 (批准) is the decision.
  assert.ok(await approver.getByLabel('准予许可（办理）').isChecked());
  assert.equal(await approver.getByLabel('办理结果名称').inputValue(), RESULT);
  await approver.getByLabel(/^证照编号/).fill(CERTIFICATE_NO);
  await approver.getByRole('button', { name: '办结', exact: true }).click();
  await approver.waitForURL(`${base}/desk/cases/${caseNo}?done=conclude`);
  assert.equal(await deskStatus(approver), '已办结');
  const conclusion = await approver.locator('section[aria-labelledby="h-conclusion"]').innerText();
  assert.match(conclusion, /准予许可（办理）/);
  assert.match(conclusion, new RegExp(RESULT));
  assert.match(conclusion, new RegExp(CERTIFICATE_NO));
  // Delivery is the window's: nothing left for the approver.
  assert.equal(await approver.locator('#act-deliver').count(), 0);
});

test('6. the clerk hands the result over at the window', async () => {
  needCase();
  await clerk.goto(`${base}/desk/cases/${caseNo}`);
  assert.equal(await deskStatus(clerk), '已办结');
  // This item charges nothing: no fee notice to issue, nothing blocks delivery.
  assert.equal(await clerk.locator('#act-fee-notice').count(), 0);
  assert.equal(await clerk.locator('section[aria-labelledby="h-fee"]').count(), 0);

  await clerk.getByLabel('送达方式').selectOption({ label: '窗口领取' });
  await clerk.getByRole('button', { name: '确认送达' }).click();
  await clerk.waitForURL(`${base}/desk/cases/${caseNo}?done=deliver`);
  assert.match(await clerk.locator('.desk-flash').innerText(), /办理结果已送达/);
  assert.equal(await deskStatus(clerk), '已送达');
  assert.match(await clerk.locator('#actions').innerText(), /本办件已办理完毕/);

  // Every step is done, each with an opinion and a time.
  const steps = clerk.locator('section[aria-labelledby="h-steps"] tbody tr');
  assert.equal(await steps.count(), 4);
  const expected = ['受理', '审核', '批准', '送达'];
  for (let i = 0; i < 4; i++) {
    const c = await steps.nth(i).locator('td').allInnerTexts();
    assert.equal(c[1].trim(), expected[i]);
    assert.notEqual(c[3], '—', `step ${expected[i]} has no handler`);
    assert.notEqual(c[4], '—', `step ${expected[i]} has no opinion`);
    assert.match(c[6], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, `step ${expected[i]} is not finished`);
  }
  assert.match(await steps.nth(3).innerText(), /窗口领取/);
  await screenshot(clerk, 'case-staff');
});

test('7. the public inquiry shows 已送达 and nothing personal', async () => {
  needCase();
  const anon = await newPage(browser, DESKTOP);
  await anon.goto(`${base}/inquiry`);
  await anon.getByLabel('办件编号').fill(caseNo);
  await anon.getByLabel('查询码').fill(queryCode);
  await anon.getByRole('button', { name: '查询', exact: true }).click();
  await anon.waitForURL((url) => url.pathname === '/inquiry' && url.searchParams.get('case_no') === caseNo);
  const result = anon.locator('article.case-result');
  await result.getByRole('heading', { name: ITEM }).waitFor();
  assert.equal((await result.locator('.case-status').innerText()).trim(), '已送达');
  const facts = await result.locator('dl.facts').innerText();
  assert.match(facts, new RegExp(`申请人\\s*${MASKED_NAME.replace(/\*/g, '\\*')}`));
  assert.match(facts, /送达方式\s*窗口领取/);
  assert.match(facts, new RegExp(RESULT));

  const html = await anon.content();
  for (const secret of [ID_NUMBER, PHONE, NAME]) {
    assert.ok(!html.includes(secret), `the public inquiry shows ${secret}`);
  }
  await screenshot(anon, 'case-inquiry');
  await anon.context().close();
});

test('8. an administrator opens the working calendar', async () => {
  const admin = await newPage(browser, DESKTOP);
  await login(admin, base, 'admin', PASSWORD);
  await admin.goto(`${base}/admin/calendar`);
  await admin.getByRole('heading', { level: 1, name: '2026年工作日历' }).waitFor();
  assert.match(await admin.getByTestId('working-days').innerText(), /^\d{3}$/);
  assert.equal(await admin.locator('td.today').getAttribute('data-date'), '2026-09-30');
  // The days that moved the case's deadline.
  for (const d of ['2026-10-01', '2026-10-07']) {
    assert.match(await admin.locator(`td[data-date="${d}"]`).getAttribute('class'), /\bhol\b/, `${d} is not a holiday`);
  }
  assert.match(await admin.locator('td[data-date="2026-10-10"]').getAttribute('class'), /\bmk\b/);
  await screenshot(admin, 'calendar');
});
