// The demo page (js-bindings/demo/) in real Chromium: files chosen or dropped show the format,
// counts, schema and first rows the façade gives in Node for the same bytes; conversions download
// bytes that Node reads back with the same content fingerprint; bad input shows its error code and
// the page keeps working. The "Ask" card answers one-click questions and typed SQL about the
// dropped file with the answers plain JS computes from the CSV, draws them, marks the place of a
// refused query, and leaves the page responsive while a million rows are aggregated in its worker.
// With ARROW_DEMO_SCREENSHOT set, also writes docs/img/demo.png and docs/img/demo-ask.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
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
const TRIPS = fixture('sample', 'trips.csv'); // 5,000 trips of one day
const BENCH_DATA = process.env.ARROW_BENCH_DATA ?? join(homedir(), '.cache', 'arrow-rs-wasm', 'bench-data');
const MILLION = join(BENCH_DATA, 'bench_analytics_1m.parquet'); // `make bench` writes it: 1M rows of id, value, name, ts, key

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
  for (const id of ['#file-card', '#convert-card', '#schema-card', '#rows-card', '#ask-card']) assert.equal(await page.locator(id).isHidden(), true, `${id}: nothing stale stays on show`);
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

/** The trips of trips.csv, parsed in plain JS (no field holds a comma or a quote). */
function trips() {
  const [head, ...lines] = readFileSync(TRIPS, 'utf8').trim().split('\n');
  const names = head.split(',').map((h) => h.replaceAll('"', ''));
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v.replaceAll('"', '')])));
}

/** Counts of `keys`, as [key, count] pairs. */
function countBy(keys) {
  const counts = new Map();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts];
}

/** Waits until the Ask card is in one of `states` (after `action`, which must change it first). */
async function askSettle(action, states = ['answered', 'failed'], timeout = 30_000) {
  await page.evaluate(() => { document.getElementById('ask-card').dataset.state = 'test-pending'; });
  await action();
  await page.waitForFunction((s) => s.includes(document.getElementById('ask-card')?.dataset.state ?? ''), states, { timeout });
  return page.evaluate(() => document.getElementById('ask-card').dataset.state);
}

/** Waits for the Ask card's worker to have registered the file on show. */
function askReady(timeout = 30_000) {
  return page.waitForFunction(() => ['ready', 'broken'].includes(document.getElementById('ask-card')?.dataset.state ?? ''), null, { timeout })
    .then(() => page.evaluate(() => document.getElementById('ask-card').dataset.state));
}

/** What the Ask card shows. */
function asked() {
  return page.evaluate(() => {
    const cells = (row) => [...row.cells].map((c) => c.textContent);
    const marks = (sel) => [...document.querySelectorAll(sel)].map((m) => [m.dataset.label, m.dataset.value]);
    return {
      sql: document.getElementById('ask-sql').value,
      status: document.getElementById('ask-status').textContent,
      caption: document.getElementById('ask-caption').textContent,
      resultHidden: document.getElementById('ask-result').hidden,
      errorHidden: document.getElementById('ask-error').hidden,
      header: cells(document.querySelector('#ask-table thead tr') ?? { cells: [] }),
      rows: [...document.querySelectorAll('#ask-table tbody tr')].map(cells),
      chart: document.getElementById('ask-chart').dataset.kind,
      bars: marks('#ask-chart rect.bar'),
      points: marks('#ask-chart circle.point'),
      lines: document.querySelectorAll('#ask-chart path.line').length,
    };
  });
}

test('Ask: one-click questions about a dropped CSV, answered as plain JS counts them, drawn as bars and a line', async () => {
  const state = await settle(() => drop(TRIPS, 'trips.csv'));
  assert.equal(state, 'loaded', await text('#error'));
  assert.equal(await askReady(), 'ready', await text('#ask-error'));
  assert.equal(await page.locator('#ask-card').isVisible(), true);
  assert.match(await text('#ask-status'), /^trips\.csv is the table t: 5,000 rows, registered in [\d.,]+ ms by a worker\.$/);

  // The columns of t beside the box, with their SQL types.
  const columns = await page.locator('#ask-columns .ask-column').evaluateAll((bs) => bs.map((b) => [b.querySelector('.name').textContent, b.querySelector('.type').textContent]));
  assert.deepEqual(columns, [
    ['trip_id', 'BIGINT'], ['pickup', 'TIMESTAMP'], ['dropoff', 'TIMESTAMP'], ['passengers', 'BIGINT'], ['distance_km', 'DOUBLE'],
    ['fare', 'DOUBLE'], ['tip', 'DOUBLE'], ['payment', 'VARCHAR'], ['pickup_zone', 'VARCHAR'], ['dropoff_zone', 'VARCHAR'],
  ]);
  // The questions the schema allows: counts by the first two text columns, means of the first two
  // measures (no identifier) by the first, and rows per hour (the trips span one day).
  const questions = await page.locator('#ask-questions button').evaluateAll((bs) => bs.map((b) => [b.dataset.question, b.textContent]));
  assert.deepEqual(questions, [
    ['count:payment', 'Rows by payment'], ['count:pickup_zone', 'Rows by pickup_zone'],
    ['mean:distance_km:payment', 'Mean distance_km by payment'], ['mean:fare:payment', 'Mean fare by payment'],
    ['time:pickup', 'Rows per hour of pickup'],
  ]);

  const all = trips();
  // Rows by payment.
  assert.equal(await askSettle(() => page.click('[data-question="count:payment"]')), 'answered', await text('#ask-error'));
  let a = await asked();
  assert.equal(a.sql, 'SELECT payment, count(*) AS n FROM t GROUP BY payment ORDER BY n DESC LIMIT 20');
  const byPayment = countBy(all.map((r) => r.payment)).sort((x, y) => y[1] - x[1]);
  assert.deepEqual(a.header, ['payment', 'n']);
  assert.deepEqual(a.rows, byPayment.map(([k, n]) => [k, String(n)]));
  assert.equal(a.caption, `(${byPayment.length} rows)`);
  assert.match(a.status, /^Answered in [\d.,]+ ms by the worker/);
  assert.equal(a.chart, 'bar');
  assert.deepEqual(a.bars, byPayment.map(([k, n]) => [k, String(n)]), 'one bar per row, in order');

  // Rows per hour of pickup: a line, one point per hour, in time order.
  assert.equal(await askSettle(() => page.click('[data-question="time:pickup"]')), 'answered', await text('#ask-error'));
  a = await asked();
  const byHour = countBy(all.map((r) => `${r.pickup.slice(0, 10)}T${r.pickup.slice(11, 13)}:00:00`)).sort((x, y) => x[0].localeCompare(y[0]));
  assert.equal(byHour.length, 24);
  assert.deepEqual(a.rows, byHour.map(([k, n]) => [k, String(n)]));
  assert.equal(a.chart, 'line');
  assert.equal(a.lines, 1);
  assert.deepEqual(a.points, byHour.map(([k, n]) => [k, String(n)]));

  // Two measures by one label: a panel of bars each, so two bars per row.
  await page.fill('#ask-sql', 'SELECT pickup_zone, count(*) AS trips, avg(fare) AS mean_fare FROM t GROUP BY 1 ORDER BY trips DESC, 1');
  assert.equal(await askSettle(() => page.click('#ask-run')), 'answered', await text('#ask-error'));
  a = await asked();
  const zones = countBy(all.map((r) => r.pickup_zone));
  assert.equal(a.rows.length, zones.length);
  assert.equal(a.bars.length, 2 * zones.length);
  for (const [zone, n] of zones) {
    const row = a.rows.find((r) => r[0] === zone);
    const fares = all.filter((r) => r.pickup_zone === zone).map((r) => Number(r.fare));
    assert.equal(row[1], String(n), zone);
    assert.ok(Math.abs(Number(row[2]) - fares.reduce((x, y) => x + y, 0) / fares.length) < 1e-9, `${zone}: mean fare`);
  }

  // The picture of the docs: the page answering rows by pickup zone.
  assert.equal(await askSettle(() => page.click('[data-question="count:pickup_zone"]')), 'answered');
  a = await asked();
  assert.deepEqual(a.rows.map((r) => r[0]).sort(), zones.map(([z]) => z).sort());
  assert.equal(a.bars.length, zones.length);
  if (process.env.ARROW_DEMO_SCREENSHOT) {
    mkdirSync(join(root, 'docs', 'img'), { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    const chart = await page.locator('#ask-chart').boundingBox();
    await page.screenshot({ path: join(root, 'docs', 'img', 'demo-ask.png'), fullPage: true, clip: { x: 0, y: 0, width: 1200, height: Math.ceil(chart.y + chart.height + 110) } });
  }
  assert.deepEqual(pageErrors, []);
});

test('Ask: a refused query shows its message and marks its place in the SQL; the next query clears it', async () => {
  assert.equal(await page.locator('#ask-card').getAttribute('data-state'), 'answered', 'the previous test left trips.csv registered');
  await page.fill('#ask-sql', 'SELECT payment, count(*) AS n\nFROM t\nWHERE fair > 3\nGROUP BY payment');
  assert.equal(await askSettle(() => page.click('#ask-run')), 'failed');
  let a = await asked();
  assert.equal(a.errorHidden, false);
  assert.equal(a.resultHidden, true, 'no stale answer stays on show');
  assert.equal(await page.locator('#ask-error').getAttribute('data-kind'), 'unknown-column');
  assert.match(await text('#ask-error .sql-error-message'), /^unknown-columnno column fair \(did you mean fare\?\) at 3:7$/);
  const excerpt = page.locator('#ask-error .sql-excerpt');
  assert.equal(await excerpt.getAttribute('data-line'), '3');
  assert.equal(await excerpt.getAttribute('data-column'), '7');
  assert.equal(await text('#ask-error .sql-mark'), 'fair');
  assert.equal(await text('#ask-error .caret'), '      ^~~~', 'the caret line points under "fair"');
  assert.match(await excerpt.textContent(), /^3 │ WHERE fair > 3\n {2}│ {7}\^~~~$/);
  // The place is selected in the box, so that typing replaces it.
  const selected = await page.locator('#ask-sql').evaluate((t) => t.value.slice(t.selectionStart, t.selectionEnd));
  assert.equal(selected, 'fair');

  // A parse error on the first line, run with Ctrl+Enter.
  await page.fill('#ask-sql', 'SELECT payment, count(* AS n FROM t');
  assert.equal(await askSettle(() => page.press('#ask-sql', 'Control+Enter')), 'failed');
  assert.equal(await page.locator('#ask-error').getAttribute('data-kind'), 'parse');
  assert.equal(await page.locator('#ask-error .sql-excerpt').getAttribute('data-column'), '25');
  assert.equal(await text('#ask-error .sql-mark'), 'AS');
  assert.equal(await text('#ask-error .caret'), `${' '.repeat(24)}^~`);

  // An error without a place: just the message.
  await page.fill('#ask-sql', 'SELECT 1; SELECT 2');
  assert.equal(await askSettle(() => page.press('#ask-sql', 'Control+Enter')), 'failed');
  assert.match(await text('#ask-error'), /one statement per call/);
  assert.equal(await page.locator('#ask-error .sql-excerpt').count(), 0);

  await page.fill('#ask-sql', 'SELECT count(*) AS n FROM t WHERE fare > 3');
  assert.equal(await askSettle(() => page.press('#ask-sql', 'Control+Enter')), 'answered', await text('#ask-error'));
  a = await asked();
  assert.equal(a.errorHidden, true);
  assert.deepEqual(a.rows, [[String(trips().filter((r) => Number(r.fare) > 3).length)]]);
  assert.equal(a.chart, 'none', 'a single number gets no chart');
  assert.deepEqual(pageErrors, []);
});

test('Ask: a million rows are aggregated in the worker while the page stays responsive', { skip: existsSync(MILLION) ? false : `no ${MILLION} (make bench writes it)` }, async (t) => {
  // The file is kept for the comparison at the end (the page clears its input once it has it).
  await page.evaluate(() => window.addEventListener('change', (e) => { window.lastFile = e.target.files?.[0]; }, { capture: true, once: true }));
  const state = await settle(() => page.setInputFiles('#file-input', MILLION));
  assert.equal(state, 'loaded', await text('#error'));
  assert.equal(await askReady(120_000), 'ready', await text('#ask-error'));
  assert.match(await text('#ask-status'), /1,000,000 rows/);

  // From here on, the page's main thread is watched: the long tasks Chromium reports (over 50 ms)
  // and how late a 10 ms timer fires, as bench/measure.mjs measures the pool.
  await page.evaluate(() => {
    const watch = { long: [], late: [], expected: performance.now() + 10, timer: 0 };
    const tick = () => {
      const now = performance.now();
      watch.late.push(Math.max(0, now - watch.expected));
      watch.expected = now + 10;
      watch.timer = setTimeout(tick, 10);
    };
    watch.timer = setTimeout(tick, 10);
    watch.observer = new PerformanceObserver((list) => watch.long.push(...list.getEntries().map((e) => e.duration)));
    watch.observer.observe({ type: 'longtask' });
    window.askWatch = watch;
  });
  const workerMs = [];
  const askAndTime = async (question) => {
    assert.equal(await askSettle(() => page.click(`[data-question="${question}"]`), ['answered', 'failed'], 60_000), 'answered', await text('#ask-error'));
    workerMs.push(Number((/^Answered in ([\d.,]+) ms/.exec(await text('#ask-status'))?.[1] ?? 'NaN').replaceAll(',', '')));
    return asked();
  };
  // 10,000 names of 100 rows each: the top 20 all count 100.
  let a = await askAndTime('count:name');
  assert.equal(a.rows.length, 20);
  assert.ok(a.rows.every(([, n]) => n === '100'), JSON.stringify(a.rows));
  assert.equal(a.bars.length, 20);
  a = await askAndTime('mean:value:name');
  assert.equal(a.bars.length, 20);
  // ts runs over 1,000 seconds, a millisecond a row: 17 minutes hold them all.
  a = await askAndTime('time:ts');
  assert.equal(a.points.length, 17);
  assert.equal(a.rows.reduce((sum, [, n]) => sum + Number(n), 0), 1_000_000);

  const watched = await page.evaluate(() => {
    const w = window.askWatch;
    clearTimeout(w.timer);
    w.observer.disconnect();
    return { long: w.long, maxLate: Math.max(0, ...w.late), ticks: w.late.length };
  });
  t.diagnostic(`worker query times ${workerMs.map((ms) => `${ms} ms`).join(', ')}; main thread: ${watched.long.length} long tasks (${watched.long.map((d) => Math.round(d)).join(', ')} ms), 10 ms timer late by ${Math.round(watched.maxLate)} ms at most over ${watched.ticks} ticks`);
  assert.ok(watched.ticks > 0, 'the timer ran while the queries did');
  assert.deepEqual(watched.long.filter((d) => d > 200), [], 'no long task over 200 ms on the main thread');
  assert.ok(watched.maxLate < 200, `the 10 ms timer was at most ${Math.round(watched.maxLate)} ms late`);

  // The same work on the main thread, watched the same way: the measure does see it.
  const here = await page.evaluate(async () => {
    const core = await import('/js-bindings/dist/index.js');
    const analytics = await import('/js-bindings/dist/analytics.js');
    const loaded = await analytics.loadAnalytics();
    const session = await analytics.createSession();
    const read = await core.readTableFromArrayBuffer(await window.lastFile.arrayBuffer());
    if (!loaded.ok || !session.ok || !read.ok) return { failed: true };
    const long = [];
    const observer = new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    const registered = await analytics.register(session.value, 't', read.value);
    const answer = await analytics.query(session.value, 'SELECT name, count(*) AS n FROM t GROUP BY name ORDER BY n DESC LIMIT 20');
    // Long tasks are reported after they end: one more turn of the event loop lets the last one in.
    await new Promise((resolve) => setTimeout(resolve, 50));
    observer.disconnect();
    await core.freeTable(read.value);
    if (answer.ok) await core.freeTable(answer.value);
    analytics.closeSession(session.value);
    return { failed: !registered.ok || !answer.ok, long };
  });
  assert.equal(here.failed, false);
  t.diagnostic(`registering and asking on the main thread instead: long tasks of ${here.long.map((d) => Math.round(d)).join(', ')} ms`);
  assert.ok(Math.max(0, ...here.long) > 50, 'on the main thread the same work is a long task');
  assert.deepEqual(pageErrors, []);
});
