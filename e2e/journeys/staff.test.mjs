// An administrator imports the staff roster form on the roster page:
//
//   1. a file with a bad ID number is refused whole, naming its row and
//      column, and nothing is written;
//   2. the corrected file is imported: it takes 吴芳 off 公安分局's window,
//      so that window has one person left and the page flags it; the new
//      医保局 colleague shows up unposted;
//   3. the public staff board shows names and windows, nothing personal.
//
// The .xlsx is generated here (a minimal SpreadsheetML package in a stored
// zip), as a department would fill in the form.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, newPage, screenshot, login } from '../lib.mjs';

const DESKTOP = { viewport: { width: 1920, height: 1080 } };

let server;
let browser;
let tmp;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'govhall-e2e-staff-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------ the workbook

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip of `files` ({name: string}) stored without compression. */
function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBuf = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBuf, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(0, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(0x21, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBuf.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = Object.keys(files).length;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const column = (i) => String.fromCharCode(65 + i);

/** An .xlsx whose first sheet holds `rows` (arrays of strings) from A1. */
function xlsx(rows) {
  const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const sheetRows = rows
    .map((cells, r) => {
      const cs = cells
        .map((v, c) => (v === '' ? '' : `<c r="${column(c)}${r + 1}" t="inlineStr"><is><t>${escape(v)}</t></is></c>`))
        .join('');
      return `<row r="${r + 1}">${cs}</row>`;
    })
    .join('');
  return zip({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      `<Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${main}" xmlns:r="${rel}"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      `<Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${main}"><sheetData>${sheetRows}</sheetData></worksheet>`,
  });
}

/** A GB 11643 number: 17 digits and their check character. */
function idNumber(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

const HEADER = ['单位名称', '人员类别', '姓名', '性别', '民族', '身份证号', '文化程度', '政治面貌', '身份性质', '联系电话', '窗口号', '岗位', '进驻日期', '合同（服务）截止日期', '备注'];
// 吴芳 of the demo roster (公安分局, born 1991-08-26, sixth line).
const WU_FANG = idNumber('15010219910826110');
const NEWCOMER = idNumber('15010219960417200');

function roster(newcomerId) {
  return [
    ['公安分局单位进驻大厅人员花名报送表'],
    HEADER,
    ['公安分局', '窗口工作人员', '吴芳', '女', '汉族', WU_FANG, '大专', '群众', '聘用', '13947101006', '', '', '2024-01-02', '2027-12-31', '调后台'],
    ['医保局', '窗口工作人员', '林可', '女', '汉族', newcomerId, '大学本科', '群众', '正式', '13947102001', '', '', '2026-09-30', '', ''],
    ['填报人：公安分局办公室'],
  ];
}

test('an admin imports the roster and the single-staff window is flagged', async () => {
  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'admin', 'govhall-demo');
  await page.goto(`${server.baseURL}/admin`);
  await page.getByRole('link', { name: '工作人员花名册' }).click();
  await page.waitForURL(/\/admin\/staff$/);
  const flags = page.getByTestId('staff-flags');
  assert.doesNotMatch(await flags.innerText(), /周明（A岗）/, '公安分局 starts with A and B');

  // 1. A wrong check character: refused, named by row and column.
  const bad = path.join(tmp, 'bad.xlsx');
  const wrong = NEWCOMER.slice(0, 17) + (NEWCOMER[17] === '0' ? '1' : '0');
  writeFileSync(bad, xlsx(roster(wrong)));
  await page.getByLabel('花名报送表（Excel）').setInputFiles(bad);
  await page.getByRole('button', { name: '导入', exact: true }).click();
  const errors = page.locator('#import-errors');
  await errors.waitFor();
  assert.match(await errors.innerText(), /第4行“身份证号”列：身份证号校验位不正确/);
  assert.doesNotMatch(await page.getByTestId('roster').innerText(), /林可/, 'nothing was written');
  await screenshot(page, 'staff-import-error');

  // 2. The corrected file.
  const good = path.join(tmp, 'roster.xlsx');
  writeFileSync(good, xlsx(roster(NEWCOMER)));
  await page.getByLabel('花名报送表（Excel）').setInputFiles(good);
  await page.getByRole('button', { name: '导入', exact: true }).click();
  await page.waitForURL(/\/admin\/staff\?imported=2$/);
  assert.match(await page.getByRole('status').first().innerText(), /花名册已导入，共 2 人/);
  const single = page.getByTestId('single-staff-windows');
  await single.waitFor();
  const text = await single.innerText();
  assert.match(text, /仅一人在岗[^\n]*周明（A岗）/, text);
  const roster_ = await page.getByTestId('roster').innerText();
  assert.match(roster_, /林可/);
  // An admin sees the full number; the flag for the unposted newcomer shows.
  assert.match(roster_, new RegExp(NEWCOMER));
  assert.match(await page.getByTestId('flagged-people').innerText(), /林可[^\n]*未安排窗口岗位/);
  await screenshot(page, 'staff-roster');
  await page.context().close();
});

test('the public staff board shows names and windows, nothing personal', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true });
  await page.goto(`${server.baseURL}/staff`);
  const main = await page.locator('main').innerText();
  assert.match(main, /人员公示/);
  assert.match(main, /周明/);
  assert.doesNotMatch(main, /1394710/, 'no phone numbers');
  assert.doesNotMatch(main, /150102/, 'no ID numbers');
  await screenshot(page, 'staff-board-phone');
  await page.context().close();
});

test('the clerk signs in at the desk and the admin sees it on the attendance sheet', async () => {
  const clerk = await newPage(browser, DESKTOP);
  await login(clerk, server.baseURL, 'clerk', 'govhall-demo');
  await clerk.goto(`${server.baseURL}/desk`);
  await clerk.getByRole('link', { name: '考勤签到' }).click();
  await clerk.getByRole('button', { name: '签到' }).click();
  assert.match(await clerk.getByRole('status').innerText(), /已签到（09:0\d）/);
  await screenshot(clerk, 'staff-sign-in');
  await clerk.context().close();

  const page = await newPage(browser, DESKTOP);
  await login(page, server.baseURL, 'admin', 'govhall-demo');
  await page.goto(`${server.baseURL}/admin/staff/attendance`);
  const sheet = await page.getByTestId('attendance').innerText();
  assert.match(sheet, /王晓燕/);
  await screenshot(page, 'staff-attendance');
  for (const [path_, name] of [
    ['/admin/staff/representatives', 'staff-representatives'],
    ['/admin/staff/replacements', 'staff-replacements'],
  ]) {
    const r = await page.goto(`${server.baseURL}${path_}`);
    assert.equal(r.status(), 200, path_);
    await screenshot(page, name);
  }
  // The leader in charge of 人社局 gets a new post.
  await page.goto(`${server.baseURL}/admin/staff/representatives`);
  await page.getByRole('row', { name: /人力资源和社会保障局/ }).getByRole('link', { name: '修改' }).click();
  assert.equal(await page.getByLabel('首席代表').inputValue() !== '', true, 'the chief is selected');
  await page.getByLabel('职务').fill('党组成员、副局长');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await page.waitForURL(/saved=1/);
  assert.match(await page.getByTestId('representatives').innerText(), /孙志强\s+党组成员、副局长\s+0471-6218611/);

  // The matrix: one item's grid; a cell saved stays checked.
  await page.goto(`${server.baseURL}/admin/staff/matrix`);
  const cell = page.getByLabel('王晓燕 一次性告知', { exact: true });
  await cell.check();
  await page.getByRole('button', { name: '保存该事项的授权' }).click();
  await page.waitForURL(/saved=1/);
  assert.match(await page.getByRole('status').innerText(), /授权矩阵已保存/);
  assert.equal(await page.getByLabel('王晓燕 一次性告知', { exact: true }).isChecked(), true);
  assert.equal(await page.getByLabel('王晓燕 不予受理', { exact: true }).isChecked(), false);
  await screenshot(page, 'staff-matrix');
  await page.context().close();
});
