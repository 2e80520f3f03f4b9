// The demo page (js-bindings/demo/) in real Chromium: files chosen or dropped show the format,
// counts, schema and first rows the façade gives in Node for the same bytes; conversions download
// bytes that Node reads back with the same content fingerprint; bad input shows its error code and
// the page keeps working. With ARROW_DEMO_SCREENSHOT set, also writes docs/img/demo.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, serve } from './chromium.mjs';
import { root } from './helpers.mjs';
import {
  initWasm, readTableFromArrayBuffer, getTableInfo, getSchemaSummary, tableRows, tableFingerprint, freeTable,
} from '../dist/index.js';

const fixture = (...parts) => join(root, 'testdata', ...parts);
const PARQUET = fixture('pandas', 'frame.parquet'); // pandas' Parquet (snappy), 200 rows, 9 columns
const IPC_LZ4 = fixture('ipc', 'lz4.arrow'); // Arrow IPC file, LZ4 bodies, 2000 rows in 3 batches
const NESTED_LZ4 = fixture('ipc', 'feather_lz4.feather'); // Feather v2 (LZ4) with nested columns
const GARBAGE = fixture('ipc', 'not_arrow.bin');

let server;
let browser;
/** @type {import('playwright-core').Page} */
let page;
const pageErrors = [];

/** What the façade says in Node about a file (or bytes): info, schema, first rows, fingerprint. */
async function inNode(bytes, options = {}) {
  const read = await readTableFromArrayBuffer(bytes, options);
  assert.ok(read.ok, `Node reads it: ${read.ok || `${read.error.code}: ${read.error.message}`}`);
  const info = await getTableInfo(read.value);
  const schema = await getSchemaSummary(read.value);
  const rows = await tableRows(read.value, 20);
  const fingerprint = await tableFingerprint(read.value);
  assert.ok(info.ok && schema.ok && rows.ok && fingerprint.ok);
  assert.ok((await freeTable(read.value)).ok);
  return { info: info.value, columns: schema.value.columns, rows: rows.value, fingerprint: fingerprint.value };
}

/** The page's cell text for a `tableRows` value (the same rule as demo.js's cellText). */
const cellText = (v) => (v === null || v === undefined ? 'null' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Runs `action` and waits until the page settles again; returns the state it settled in. */
async function settle(action) {
  await page.evaluate(() => { document.body.dataset.state = 'test-pending'; });
  await action();
  await page.waitForFunction(() => ['ready', 'loaded', 'converted', 'failed'].includes(document.body.dataset.state ?? ''), null, { timeout: 30_000 });
  return page.evaluate(() => document.body.dataset.state);
}

const text = (selector) => page.locator(selector).textContent();

/** Everything the page shows of the loaded table. */
function shown() {
  return page.evaluate(() => {
    const t = (id) => document.getElementById(id)?.textContent ?? '';
    const cells = (row, sel) => [...row.querySelectorAll(sel)].map((c) => c.textContent);
    return {
      fileName: t('file-name'),
      format: t('format'),
      compression: t('compression'),
      numRows: t('num-rows'),
      numColumns: t('num-columns'),
      numBatches: t('num-batches'),
      fingerprint: t('fingerprint'),
      schema: [...document.querySelectorAll('#schema tbody tr[data-testid="schema-row"]')].map((r) => ({
        name: r.querySelector('[data-field="name"]')?.textContent,
        type: r.querySelector('[data-field="type"] code')?.textContent,
        nullable: r.querySelector('[data-field="nullable"]')?.textContent,
      })),
      header: cells(document.querySelector('#rows thead tr') ?? document.body, 'th').slice(1),
      rows: [...document.querySelectorAll('#rows tbody tr')].map((r) => cells(r, 'td')),
      liveTables: t('live-tables'),
      tableHidden: ['file-card', 'convert-card', 'schema-card', 'rows-card'].map((id) => document.getElementById(id)?.hidden),
      emptyHidden: document.getElementById('empty')?.hidden,
    };
  });
}

/** Asserts the page shows what Node's façade says about `expected` for the file `name`. */
async function assertShows(name, expected) {
  const s = await shown();
  assert.deepEqual(s.tableHidden, [false, false, false, false], 'the cards about the table are shown');
  assert.equal(s.emptyHidden, true, 'the placeholder is not');
  assert.equal(s.fileName, name);
  assert.equal(s.format, expected.info.sourceFormat);
  assert.equal(s.compression, expected.info.sourceCompression.length === 0 ? 'none' : expected.info.sourceCompression.join(', '));
  assert.equal(s.numRows, expected.info.numRows.toLocaleString('en-US'));
  assert.equal(s.numColumns, String(expected.info.numColumns));
  assert.equal(s.numBatches, String(expected.info.numBatches));
  assert.equal(s.fingerprint, expected.fingerprint);
  assert.deepEqual(s.schema, expected.columns.map((c) => ({ name: c.name, type: c.arrowType, nullable: c.nullable ? 'yes' : 'no' })));
  assert.deepEqual(s.header, expected.columns.map((c) => c.name));
  assert.deepEqual(s.rows, expected.rows.map((r) => expected.columns.map((c) => cellText(r[c.name]))));
  return s;
}

/** Converts the loaded table to `target`, downloads the output and returns it with what the page said. */
async function convertAndDownload(target) {
  await page.selectOption('#target', target);
  const state = await settle(() => page.click('#convert'));
  assert.equal(state, 'converted', `converting to ${target}: ${await text('#error')}`);
  assert.equal(await page.locator('#error').isHidden(), true);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const path = await download.path();
  return {
    name: download.suggestedFilename(),
    bytes: readFileSync(path),
    shownBytes: await page.locator('#output-size').getAttribute('data-bytes'),
    time: await text('#output-time'),
    same: await page.locator('#verify').getAttribute('data-same'),
  };
}

/** Drops a fixture on the drop zone as a browser would (a DataTransfer holding a File). */
async function drop(path, name) {
  const bytes = [...readFileSync(path)];
  const dataTransfer = await page.evaluateHandle(({ bytes, name }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name));
    return dt;
  }, { bytes, name });
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
}

before(async () => {
  const ready = await initWasm();
  assert.ok(ready.ok);
  server = await serve(0);
  browser = await launch();
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.setViewportSize({ width: 1200, height: 900 });
  page.on('pageerror', (e) => pageErrors.push(e));
});

after(() => Promise.resolve(browser?.close()).finally(() => server?.close()));

test('the page starts the core and lists the formats it reads', async () => {
  const state = await settle(() => page.goto(`http://127.0.0.1:${server.address().port}/`));
  assert.equal(state, 'ready');
  assert.match(await text('#status'), /^Ready in .*Apache Parquet.*CSV/);
  assert.equal(await page.locator('#file-input').isEnabled(), true);
  assert.equal(await page.locator('#schema-card').isHidden(), true);
  assert.equal(await page.locator('#empty').isVisible(), true);
  assert.deepEqual(await page.locator('#target option').evaluateAll((o) => o.map((x) => x.value)),
    ['ipc-lz4', 'ipc-zstd', 'ipc-stream', 'parquet-zstd', 'parquet-snappy', 'csv']);
  assert.deepEqual(pageErrors, []);
});

test('a Parquet file chosen with the file input: converted to Parquet zstd and Arrow IPC LZ4, same content', async () => {
  const expected = await inNode(readFileSync(PARQUET));
  const state = await settle(() => page.setInputFiles('#file-input', PARQUET));
  assert.equal(state, 'loaded', await text('#error'));
  const s = await assertShows('frame.parquet', expected);
  assert.equal(s.format, 'parquet');
  assert.equal(s.rows.length, 20);
  assert.equal(s.liveTables, '1');

  for (const [target, name, format, codec] of [
    ['parquet-zstd', 'frame.parquet', 'parquet', 'zstd'],
    ['ipc-lz4', 'frame.arrow', 'arrow-file', 'lz4-frame'],
  ]) {
    const out = await convertAndDownload(target);
    assert.equal(out.name, name);
    assert.equal(out.shownBytes, String(out.bytes.length), 'the size shown is the size downloaded');
    assert.match(out.time, /^written in [\d.,]+ ms$/);
    const back = await inNode(out.bytes);
    assert.equal(back.info.sourceFormat, format);
    assert.deepEqual(back.info.sourceCompression, [codec], `${target} uses ${codec}`);
    assert.equal(back.fingerprint, expected.fingerprint, `${target}: same content as the source`);
    assert.equal(out.same, 'true', 'the page found the same content too');
  }
  assert.equal(await text('#live-tables'), '1', 'the read-back tables of the page were freed');
  if (process.env.ARROW_DEMO_SCREENSHOT) {
    mkdirSync(join(root, 'docs', 'img'), { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(root, 'docs', 'img', 'demo.png') });
  }
  assert.deepEqual(pageErrors, []);
});

test('an LZ4 Arrow IPC file dropped on the drop zone: shown like Node, converted to IPC LZ4 and stream, same content', async () => {
  const expected = await inNode(readFileSync(IPC_LZ4));
  const state = await settle(() => drop(IPC_LZ4, 'lz4.arrow'));
  assert.equal(state, 'loaded', await text('#error'));
  const s = await assertShows('lz4.arrow', expected);
  assert.equal(s.compression, 'lz4-frame');
  assert.equal(s.numBatches, '3');
  assert.equal(s.liveTables, '1', 'the previous table was freed');

  for (const [target, name, format, codec] of [
    ['ipc-lz4', 'lz4.arrow', 'arrow-file', ['lz4-frame']],
    ['ipc-stream', 'lz4.arrows', 'arrow-stream', []],
  ]) {
    const out = await convertAndDownload(target);
    assert.equal(out.name, name);
    const back = await inNode(out.bytes);
    assert.equal(back.info.sourceFormat, format);
    assert.deepEqual(back.info.sourceCompression, codec);
    assert.equal(back.fingerprint, expected.fingerprint, `${target}: same content as the source`);
    assert.equal(out.same, 'true');
  }
  assert.deepEqual(pageErrors, []);
});

test('errors show their code; the page keeps working after them', async () => {
  // Bytes of no known format.
  let state = await settle(() => page.setInputFiles('#file-input', GARBAGE));
  assert.equal(state, 'failed');
  assert.equal(await page.locator('#error').isVisible(), true);
  assert.equal(await page.locator('#error').getAttribute('data-code'), 'unknown-format');
  assert.match(await text('#error'), /^unknown-format.*not_arrow\.bin.*unknown format/);
  for (const id of ['#file-card', '#convert-card', '#schema-card', '#rows-card']) assert.equal(await page.locator(id).isHidden(), true, `${id}: nothing stale stays on show`);
  assert.equal(await text('#live-tables'), '0', 'the previous table was freed');

  // A conversion the format refuses: nested columns to CSV.
  state = await settle(() => page.setInputFiles('#file-input', NESTED_LZ4));
  assert.equal(state, 'loaded', await text('#error'));
  assert.equal(await page.locator('#error').isHidden(), true, 'a good file clears the error');
  await page.selectOption('#target', 'csv');
  state = await settle(() => page.click('#convert'));
  assert.equal(state, 'failed');
  assert.equal(await page.locator('#error').getAttribute('data-code'), 'unsupported-format');
  assert.match(await text('#error'), /^unsupported-format.*CSV cannot hold nested columns/);
  assert.equal(await page.locator('#output').isHidden(), true, 'no download is offered');

  // Then a good file and a good conversion again.
  const expected = await inNode(readFileSync(PARQUET));
  state = await settle(() => page.setInputFiles('#file-input', PARQUET));
  assert.equal(state, 'loaded', await text('#error'));
  assert.equal(await page.locator('#error').isHidden(), true);
  await assertShows('frame.parquet', expected);
  const out = await convertAndDownload('csv');
  assert.equal(out.name, 'frame.csv');
  assert.match(out.bytes.toString('utf8'), /^id,value,count,flag,name,category,when,day,row\n0,/);
  // CSV re-infers types (the dictionary column comes back as plain text): the page says the
  // content differs, as Node finds.
  const back = await inNode(out.bytes, { format: 'csv' });
  assert.equal(back.info.numRows, expected.info.numRows);
  assert.notEqual(back.fingerprint, expected.fingerprint);
  assert.equal(out.same, 'false');
  assert.equal(await text('#live-tables'), '1');
  assert.deepEqual(pageErrors, []);
});
