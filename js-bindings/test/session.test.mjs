// The analytics entry point (dist/analytics.js) in Node: the plugin linked to the façade's core,
// sessions and their tables, typed parameters of every kind, the plugin's typed errors with SQL
// positions, the memory budget, closed sessions, and a trap: the plugin is linked again to the new
// core by itself, old sessions answer stale-handle, its registration survives, new sessions work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../dist/index.js';
import * as an from '../dist/analytics.js';
import { deepSchemaParquet, root } from './helpers.mjs';

const sample = readFileSync(join(root, 'testdata/sample/trips.csv'));

function value(result) {
  assert.equal(result.ok, true, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure(result, code) {
  assert.equal(result.ok, false, 'expected an Err');
  assert.equal(result.error.code, code, result.error.message);
  return result.error;
}

/** Trips by payment, counted and summed in plain JS from the CSV. */
function byPayment(minFare) {
  const out = new Map();
  for (const line of sample.toString('utf8').trim().split('\n').slice(1)) {
    const cells = line.split(',');
    const fare = Number(cells[5]);
    if (!(fare > minFare)) continue;
    const payment = cells[7].replaceAll('"', '');
    const row = out.get(payment) ?? { n: 0, total: 0 };
    row.n += 1;
    row.total += fare;
    out.set(payment, row);
  }
  return out;
}

value(await api.initWasm());

test('before loadAnalytics a session is not-initialized; loading twice gives the same plugin', async (t) => {
  failure(await an.createSession(), 'not-initialized');
  const a = value(await an.loadAnalytics());
  const b = value(await an.loadAnalytics());
  assert.equal(a, b);
  assert.equal(a.info.id, 'io.arrow.plugin.analytics.v1');
  assert.deepEqual(a.info.extensionTypes, []);
});

test('register, query with a parameter, tables, memory, unregister', async (t) => {
  value(await an.loadAnalytics());
  const session = value(await an.createSession());
  t.after(() => an.closeSession(session));
  const trips = value(await api.readTableFromArrayBuffer(sample));
  value(await an.register(session, 'trips', trips));
  // The session holds a copy: the handle may go.
  value(await api.freeTable(trips));
  const answer = value(await an.query(session, 'SELECT payment, count(*) AS n, sum(fare) AS total FROM trips WHERE fare > $1 GROUP BY payment ORDER BY payment', [20]));
  const rows = value(await api.tableRows(answer, 10));
  const expected = byPayment(20);
  assert.deepEqual(rows.map((r) => r.payment), [...expected.keys()].sort());
  for (const r of rows) {
    assert.equal(r.n, expected.get(r.payment).n);
    assert.ok(Math.abs(r.total - expected.get(r.payment).total) < 1e-6 * r.total);
  }
  value(await api.freeTable(answer));
  const tables = value(await an.sessionTables(session));
  assert.deepEqual(tables.map((t) => [t.name, t.rows, t.columns]), [['trips', 5000, 10]]);
  const memory = value(await an.sessionMemory(session));
  assert.equal(memory.used, tables[0].bytes);
  assert.equal(memory.limit, 1024 ** 3);
  assert.match(value(await an.explain(session, 'SELECT count(*) FROM trips WHERE fare > $1', [3])), /Scan trips/);
  value(await an.unregister(session, 'trips'));
  assert.deepEqual(value(await an.sessionTables(session)), []);
  assert.equal(value(await an.sessionMemory(session)).used, 0);
});

test('append adds rows; a schema that does not fit is a typed error and the table is unchanged', async (t) => {
  value(await an.loadAnalytics());
  const session = value(await an.createSession());
  t.after(() => an.closeSession(session));
  const trips = value(await api.readTableFromArrayBuffer(sample));
  value(await an.register(session, 'trips', trips));
  value(await an.append(session, 'trips', trips));
  const count = async () => value(await api.tableRows(value(await an.query(session, 'SELECT count(*) AS n FROM trips')), 1))[0].n;
  assert.equal(await count(), 10000);
  const narrow = value(await api.selectColumns(trips, ['fare']));
  const refused = failure(await an.append(session, 'trips', narrow), 'invalid-argument');
  assert.equal(refused.kind, 'invalid-argument');
  assert.equal(await count(), 10000);
  failure(await an.register(session, 'TRIPS', trips), 'invalid-argument');
});

test('every kind of parameter arrives typed, never as text', async (t) => {
  value(await an.loadAnalytics());
  const session = value(await an.createSession());
  t.after(() => an.closeSession(session));
  // [parameter, SQL over it, the answer's value, the answer's Arrow type]
  const cases = [
    [null, 'SELECT $1 IS NULL AS v', true, 'Boolean'],
    [true, 'SELECT NOT $1 AS v', false, 'Boolean'],
    [41, 'SELECT $1 + 1 AS v', 42, 'Int64'],
    [2.5, 'SELECT $1 * 2 AS v', 5, 'Float64'],
    [2n ** 62n, 'SELECT $1 // 2 AS v', 2 ** 61, 'Int64'],
    [2n ** 64n - 1n, 'SELECT $1 AS v', 2 ** 64, 'UInt64'],
    ["it's -- not; SQL $1", 'SELECT $1 AS v', "it's -- not; SQL $1", 'Utf8'],
    [new Date(Date.UTC(2026, 2, 2, 12, 30)), 'SELECT $1 AS v', '2026-03-02T12:30:00Z', 'Timestamp(µs, "UTC")'],
    [new Uint8Array([1, 2, 255]), 'SELECT $1 AS v', '0102ff', 'Binary'],
    [{ tag: 'decimal', val: '-123.4500' }, 'SELECT $1 AS v', -123.45, 'Decimal128(8, 4)'],
    [{ tag: 'date', val: 1 }, 'SELECT $1 AS v', '1970-01-02', 'Date32'],
    [{ tag: 'interval', val: { months: 1, days: 2, nanoseconds: 0n } }, "SELECT DATE '2026-01-31' + $1 AS v", '2026-03-02T00:00:00', 'Timestamp(µs)'],
    [{ tag: 'int32', val: 7 }, 'SELECT $1 AS v', 7, 'Int32'],
  ];
  for (const [param, sql, expected, type] of cases) {
    const answer = await an.query(session, sql, [param]);
    assert.equal(answer.ok, true, `${sql}: ${answer.ok ? '' : answer.error.message}`);
    assert.deepEqual(value(await api.tableRows(answer.value, 1))[0].v, expected, sql);
    assert.equal(value(await api.getSchemaSummary(answer.value)).columns[0].arrowType, type, sql);
  }
  failure(await an.query(session, 'SELECT $1', [2n ** 64n]), 'invalid-argument');
  failure(await an.query(session, 'SELECT $1', [new Date(Number.NaN)]), 'invalid-argument');
});

test('errors are the plugin typed errors, with the SQL position; the session answers afterwards', async (t) => {
  value(await an.loadAnalytics());
  const session = value(await an.createSession());
  t.after(() => an.closeSession(session));
  value(await an.register(session, 'trips', value(await api.readTableFromArrayBuffer(sample))));
  const unknown = failure(await an.query(session, 'SELECT fare\nFROM trips WHERE nosuch > 1'), 'column-not-found');
  assert.equal(unknown.kind, 'unknown-column');
  assert.deepEqual(unknown.position, { line: 2, column: 18 });
  const parse = failure(await an.query(session, 'SELEC 1'), 'plugin');
  assert.equal(parse.kind, 'parse');
  assert.equal(failure(await an.query(session, 'SELECT * FROM nowhere'), 'plugin').kind, 'unknown-table');
  assert.equal(failure(await an.query(session, 'SELECT 1 // 0'), 'plugin').kind, 'execution');
  assert.equal(failure(await an.query(session, 'SELECT $2', [1]), 'plugin').kind, 'invalid-query');
  failure(await an.createSession({ memoryLimit: -1 }), 'invalid-argument');
  assert.equal(value(await api.tableRows(value(await an.query(session, 'SELECT count(*) AS n FROM trips')), 1))[0].n, 5000);
});

test('the memory budget refuses with limit-exceeded and the session stays usable', async (t) => {
  value(await an.loadAnalytics());
  const session = value(await an.createSession({ memoryLimit: 100_000 }));
  t.after(() => an.closeSession(session));
  const trips = value(await api.readTableFromArrayBuffer(sample));
  const refused = failure(await an.register(session, 'trips', trips), 'limit-exceeded');
  assert.equal(refused.kind, 'limit-exceeded');
  value(await an.register(session, 'few', value(await api.sliceTable(trips, 0, 100))));
  assert.equal(value(await api.tableRows(value(await an.query(session, 'SELECT count(*) AS n FROM few')), 1))[0].n, 100);
});

test('a closed session is closed; Symbol.dispose closes it', async (t) => {
  value(await an.loadAnalytics());
  const session = value(await an.createSession());
  value(an.closeSession(session));
  failure(an.closeSession(session), 'closed');
  failure(await an.query(session, 'SELECT 1'), 'closed');
  // What `using` calls at the end of its block (Node 20 has no `using` syntax yet).
  const disposed = value(await an.createSession());
  disposed[Symbol.dispose]();
  failure(await an.query(disposed, 'SELECT 1'), 'closed');
});

test('after a trap: old sessions are stale, the plugin is linked to the new core, its registration survives', async (t) => {
  const plugin = value(await an.loadAnalytics());
  value(await api.registerPlugin(plugin));
  const old = value(await an.createSession());
  value(await an.register(old, 'trips', value(await api.readTableFromArrayBuffer(sample))));
  // A schema nested 100,000 deep exhausts the stack: a trap (see deepSchemaParquet).
  failure(await api.readTableFromArrayBuffer(deepSchemaParquet(100_000)), 'trap');
  failure(await an.query(old, 'SELECT count(*) FROM trips'), 'stale-handle');
  value(an.closeSession(old));
  assert.ok(value(await api.listPlugins()).some((i) => i.id === plugin.info.id));
  const fresh = value(await an.createSession());
  t.after(() => an.closeSession(fresh));
  value(await an.register(fresh, 'trips', value(await api.readTableFromArrayBuffer(sample))));
  assert.equal(value(await api.tableRows(value(await an.query(fresh, 'SELECT count(*) AS n FROM trips')), 1))[0].n, 5000);
  value(await api.unregisterPlugin(plugin.info.id));
});
