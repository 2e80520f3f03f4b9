// The analytics plugin in Node and in real Chromium, on the raw bindings (the typed façade comes
// with its own issue): the plugin transpiled on its own with its core imports mapped to the
// core's ESM, so a core table registers in a session and answers come back as core tables. The
// answers are checked against counts and sums computed here in plain JS from the same CSV, and
// Node and Chromium must agree exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../gen/core/arrow-core.js';
import { session, plugin } from '../gen/analytics/arrow-analytics.js';
import { errorOf, root } from './helpers.mjs';
import { inChromium } from './chromium.mjs';

const csvBytes = readFileSync(join(root, 'testdata/sample/trips.csv'));

/** The sample's trips by payment, and the sum of fares over 20 per payment, in plain JS. */
function expectedFromCsv() {
  const lines = csvBytes.toString('utf8').trim().split('\n').slice(1);
  const byPayment = {};
  for (const line of lines) {
    const cells = line.split(',');
    const fare = Number(cells[5]);
    const payment = cells[7].replaceAll('"', '');
    const row = byPayment[payment] ?? { n: 0, over20: 0 };
    row.n += 1;
    if (fare > 20) row.over20 += fare;
    byPayment[payment] = row;
  }
  return byPayment;
}

/** What both runtimes compute; runs in Node as is and in Chromium after importing the modules. */
function answers(modules) {
  const { table, session, plugin, bytes } = modules;
  const csv = (t) => new TextDecoder().decode(table.csv.write(t, { header: false, delimiter: 44, quote: 34, nullValue: 'NULL' }));
  const trips = table.Table.read(bytes, {});
  const s = new session.Session({});
  s.register('trips', trips);
  const grouped = s.query(
    'SELECT payment, count(*) AS n, sum(fare) FILTER (WHERE fare > $1) AS over20 FROM trips GROUP BY payment ORDER BY payment',
    [{ tag: 'float64', val: 20 }],
  );
  const top = s.query('SELECT trip_id, fare FROM trips ORDER BY fare DESC, trip_id LIMIT 3', []);
  let error;
  try {
    s.query('SELECT fare FROM trips WHERE nosuch > 1', []);
  } catch (e) {
    error = { kind: e.payload.kind, position: e.payload.position, code: e.payload.error.code, message: e.payload.error.message };
  }
  const after = s.query('SELECT count(*) FROM trips', []);
  return {
    info: plugin.info().id,
    grouped: csv(grouped),
    groupedFingerprint: grouped.fingerprint(),
    top: csv(top),
    error,
    after: csv(after),
    tables: s.tables().map((t) => [t.name, String(t.rows), t.columns]),
  };
}

function checkAgainstCsv(a) {
  assert.equal(a.info, 'io.arrow.plugin.analytics.v1');
  const expected = expectedFromCsv();
  const rows = a.grouped.trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(rows.map((r) => r[0]), Object.keys(expected).sort());
  for (const [payment, n, over20] of rows) {
    assert.equal(Number(n), expected[payment].n, payment);
    assert.ok(Math.abs(Number(over20) - expected[payment].over20) < 1e-6 * expected[payment].over20, payment);
  }
  assert.equal(a.top.trim().split('\n').length, 3);
  assert.equal(a.error.kind, 'unknown-column');
  assert.equal(a.error.code, 'column-not-found');
  assert.deepEqual(a.error.position, { line: 1, column: 30 });
  assert.match(a.error.message, /no column nosuch at 1:30/);
  assert.equal(a.after.trim(), '5000', 'the session answers after an error');
  assert.deepEqual(a.tables, [['trips', '5000', 10]]);
}

// jco's `csv` namespace is the core's `csv` interface.
const core = await import('../gen/core/arrow-core.js');

test('in Node, a core table registers in a session and SQL answers as core tables', () => {
  checkAgainstCsv(answers({ table: { ...table, csv: core.csv }, session, plugin, bytes: csvBytes }));
});

test('in Chromium, the same modules give the same answers', async () => {
  const node = answers({ table: { ...table, csv: core.csv }, session, plugin, bytes: csvBytes });
  const browser = await inChromium(async (source) => {
    const core = await import('/js-bindings/gen/core/arrow-core.js');
    const analytics = await import('/js-bindings/gen/analytics/arrow-analytics.js');
    const bytes = new Uint8Array(await (await fetch('/testdata/sample/trips.csv')).arrayBuffer());
    const run = (0, eval)(`(${source})`);
    return JSON.stringify(run({ table: { ...core.table, csv: core.csv }, session: analytics.session, plugin: analytics.plugin, bytes }));
  }, answers.toString());
  const parsed = JSON.parse(browser);
  checkAgainstCsv(parsed);
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(node)), 'Chromium and Node agree exactly');
});

test('a session refuses bad calls with typed errors and keeps its tables', () => {
  const s = new session.Session({ memoryLimit: 16n << 20n });
  const trips = table.Table.read(csvBytes, {});
  s.register('trips', trips);
  assert.equal(errorOf(() => s.register('TRIPS', trips)).kind, 'invalid-argument');
  assert.equal(errorOf(() => s.unregister('nope')).kind, 'unknown-table');
  assert.equal(errorOf(() => s.query('SELECT 1; SELECT 2', [])).kind, 'parse');
  assert.equal(errorOf(() => s.query('SELECT $1 + 1', [{ tag: 'text', val: 'x' }])).kind, 'type-mismatch');
  assert.equal(errorOf(() => s.queryPartial('SELECT median(fare) FROM trips', [])).kind, 'unsupported');
  assert.ok(s.memoryUsed() > 0n && s.memoryUsed() <= s.memoryLimit());
  assert.deepEqual(s.tables().map((t) => t.name), ['trips']);
});
