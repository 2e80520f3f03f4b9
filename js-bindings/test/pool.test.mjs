// The worker pool (dist/pool.js) with real worker_threads and real Chromium Web Workers: results
// equal a single-threaded run of the façade for every IPC, Parquet, CSV and NDJSON fixture (bytes,
// Blobs and URLs in; summaries, IPC, Parquet, CSV and NDJSON out); tasks spread over the workers;
// a worker killed mid-task is replaced and its task retried; a hung worker is killed after the
// timeout; bad input and failing handlers are typed errors that leave the pool working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as api from '../dist/index.js';
import { createWorkerPool } from '../dist/pool.js';
import { fixture, manifest, root } from './helpers.mjs';
import { inChromium, serve } from './chromium.mjs';

const value = (r) => {
  assert.equal(r.ok, true, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
};
value(await api.initWasm());

const handlers = pathToFileURL(join(root, 'js-bindings/test/workers/handlers.mjs'));
const parquetDir = join(root, 'testdata/parquet');
const parquetFiles = Object.keys(JSON.parse(readFileSync(join(parquetDir, 'MANIFEST.json'), 'utf8')));
const inputs = [
  ...manifest.map((m) => [m.file, fixture(m.file)]),
  ...parquetFiles.map((f) => [f, readFileSync(join(parquetDir, f))]),
  ['basic.csv', readFileSync(join(root, 'testdata/csv/basic.csv'))],
  ['events.ndjson', readFileSync(join(root, 'testdata/ndjson/events.ndjson'))],
];

/** The fingerprint and rows of bytes read on this thread, with `read` and its options. */
async function single(bytes, read = api.readTableFromArrayBuffer, options = {}) {
  const t = value(await read(bytes, options));
  const out = { rows: value(await api.numRows(t)), fingerprint: value(await api.tableFingerprint(t)) };
  value(await api.freeTable(t));
  return out;
}

test('pool results equal a single-threaded run for every fixture, in every output format', async (t) => {
  const pool = value(await createWorkerPool({ size: 2 }));
  t.after(() => pool.close());
  // Everything submitted at once: the two workers share the queue.
  const summaries = await Promise.all(inputs.map(([, bytes]) => pool.run({ input: bytes, output: 'summary' })));
  for (const [i, [name, bytes]] of inputs.entries()) {
    const want = await single(bytes);
    const got = value(summaries[i]);
    assert.deepEqual({ rows: got.rows, fingerprint: got.fingerprint }, want, name);
    assert.equal(got.bytes, undefined);
    assert.ok(got.schema.columns.length > 0 || want.rows === 0, name);
  }
  const outputs = [
    [{ ipc: { format: 'stream', compression: 'lz4' } }],
    [{ ipc: { format: 'file', compression: 'zstd' } }],
    [{ parquet: { compression: 'zstd', maxRowGroupRows: 100 } }],
    [{ csv: {} }, ['primitives.arrow', 'nested.arrow', 'basic.csv', 'codec_zstd.parquet']],
    [{ ndjson: {} }, ['events.ndjson', 'codec_snappy.parquet']],
  ];
  for (const [output, only] of outputs) {
    for (const [name, bytes] of inputs.filter(([n]) => only === undefined || only.includes(n))) {
      const want = await single(bytes);
      const got = await pool.run({ input: bytes, output });
      // The same bytes (or the same error) as the same write on this thread.
      const t = value(await api.readTableFromArrayBuffer(bytes));
      const [kind] = Object.keys(output);
      const write = { ipc: api.writeTableToIpc, parquet: api.writeTableToParquet, csv: api.writeTableToCsv, ndjson: api.writeTableToNdjson }[kind];
      const here = await write(t, output[kind]);
      value(await api.freeTable(t));
      const label = `${name} → ${JSON.stringify(output)}`;
      if (!here.ok) {
        assert.deepEqual(got.error, here.error, label);
        continue;
      }
      assert.equal(value(got).rows, want.rows, label);
      assert.deepEqual(got.value.bytes, here.value, label);
      if (kind === 'ipc') assert.equal((await single(got.value.bytes)).fingerprint, want.fingerprint, label);
    }
  }
  const stats = pool.stats();
  assert.equal(stats.workers, 2);
  assert.equal(stats.replaced, 0);
  assert.equal(stats.startMs.length, 2);
  await pool.close();
});

test('Parquet selections from bytes, a Blob and a URL equal readParquet on this thread, row group by row group', async () => {
  const pool = value(await createWorkerPool({ size: 2 }));
  const server = await serve();
  const bytes = readFileSync(join(parquetDir, 'row_groups.parquet'));
  const url = new URL(`http://127.0.0.1:${server.address().port}/testdata/parquet/row_groups.parquet`);
  const groups = value(await api.getParquetMetadata(bytes)).rowGroups.length;
  assert.ok(groups > 1);
  const done = (async () => {
    for (const input of [bytes, new Blob([bytes]), url]) {
      for (let g = 0; g < groups; g += 1) {
        const want = await single(bytes, api.readParquet, { rowGroups: [g] });
        const got = value(await pool.run({ input, format: 'parquet', rowGroups: [g], output: 'summary' }));
        assert.deepEqual({ rows: got.rows, fingerprint: got.fingerprint }, want, `row group ${g} from ${input.constructor.name}`);
      }
      const columns = value(await api.getParquetMetadata(bytes)).schema.columns.map((c) => c.name).slice(0, 2).reverse();
      const options = { columns, offset: 3, limit: 20 };
      const want = await single(bytes, api.readParquet, options);
      const got = value(await pool.run({ input, ...options, output: { ipc: { compression: 'lz4' } } }));
      assert.equal((await single(got.bytes)).fingerprint, want.fingerprint);
      assert.deepEqual(got.schema.columns.map((c) => c.name), columns);
    }
    // A selection without rows still has a schema, and writes an empty output.
    const none = value(await pool.run({ input: new Blob([bytes]), rowGroups: [], columns: ['int64'], output: { ipc: { format: 'stream' } } }));
    assert.deepEqual([none.rows, none.schema.columns.map((c) => c.name)], [0, ['int64']]);
    assert.equal((await single(none.bytes)).rows, 0);
    // A non-Parquet input: offset and limit as a slice; rowGroups refused.
    const ipc = fixture('lz4.arrow');
    const t = value(await api.readTableFromArrayBuffer(ipc));
    const slice = value(await api.sliceTable(t, 1500, 500));
    const want = value(await api.tableFingerprint(slice));
    for (const h of [t, slice]) value(await api.freeTable(h));
    assert.equal(value(await pool.run({ input: new Blob([ipc]), offset: 1500, limit: 10_000, output: 'summary' })).fingerprint, want);
    assert.equal((await pool.run({ input: ipc, rowGroups: [0], output: 'summary' })).error.code, 'invalid-argument');
  })();
  await done.finally(() => Promise.all([pool.close(), new Promise((r) => server.close(r))]));
});

test('tasks are spread over the workers; bad input and failing handlers are typed errors and the pool keeps working', async (t) => {
  const pool = value(await createWorkerPool({ size: 2, handlers }));
  t.after(() => pool.close());
  const seen = await Promise.all(Array.from({ length: 8 }, () => pool.call('whoami', { ms: 20 })));
  assert.deepEqual(new Set(seen.map((r) => value(r).worker)), new Set([1, 2]));
  const bad = await pool.run({ input: fixture('not_arrow.bin'), output: 'summary' });
  assert.equal(bad.error.code, 'unknown-format');
  const truncated = await pool.run({ input: fixture('lz4.arrow').subarray(0, 3000), format: 'arrow-file', output: 'summary' });
  assert.equal(truncated.error.code, 'malformed-input');
  assert.equal((await pool.call('throws', null)).error.code, 'invalid-argument');
  assert.match((await pool.call('throws', null)).error.message, /a bug in the handler/);
  assert.equal((await pool.call('noSuchHandler', null)).error.code, 'invalid-argument');
  // A handler using the worker's façade: equal to this thread, its output transferred back.
  const bytes = fixture('dictionary.arrows');
  const read = value(await pool.call('readBack', { bytes }));
  assert.deepEqual({ rows: read.rows, fingerprint: read.fingerprint }, await single(bytes));
  assert.equal((await single(read.ipc)).fingerprint, read.fingerprint);
  assert.equal(read.live, 0, 'the handler freed its table');
  const stats = pool.stats();
  assert.equal(stats.replaced, 0, 'errors inside tasks do not cost a worker');
  assert.equal(stats.completed, 14);
  await pool.close();
  assert.equal((await pool.call('whoami', {})).error.code, 'closed');
});

test('a worker killed mid-task is replaced and the task retried; past maxAttempts or with moved buffers it is worker-failed', async (t) => {
  const pool = value(await createWorkerPool({ size: 2, handlers, maxAttempts: 2 }));
  t.after(() => pool.close());
  const retried = value(await pool.call('dieOnce', { n: 7 }));
  assert.deepEqual({ attempt: retried.attempt, echo: retried.echo }, { attempt: 2, echo: { n: 7 } });
  let stats = pool.stats();
  assert.equal(stats.retried, 1);
  assert.equal(stats.replaced, 1);
  assert.equal(stats.workers, 2, 'the dead worker was replaced');
  const failed = await pool.call('dieAlways', null);
  assert.equal(failed.error.code, 'worker-failed');
  assert.match(failed.error.message, /ran 2 times/);
  const buffer = new Uint8Array(16).buffer;
  const moved = await pool.call('dieOnce', { buffer }, { transfer: [buffer] });
  assert.equal(buffer.byteLength, 0, 'the buffer moved to the worker');
  assert.equal(moved.error.code, 'worker-failed');
  assert.match(moved.error.message, /transferred/);
  // Other tasks ran meanwhile and run after.
  const bytes = fixture('zstd.arrows');
  assert.deepEqual((({ rows, fingerprint }) => ({ rows, fingerprint }))(value(await pool.run({ input: bytes, output: 'summary' }))), await single(bytes));
  stats = pool.stats();
  assert.equal(stats.replaced, 4);
  assert.equal(stats.workers, 2);
  await pool.close();
});

test('a hung task is killed after taskTimeoutMs and retried on a new worker', async (t) => {
  const pool = value(await createWorkerPool({ size: 1, handlers, taskTimeoutMs: 1500 }));
  t.after(() => pool.close());
  assert.equal(value(await pool.call('hangOnce', null)).attempt, 2);
  assert.equal(pool.stats().replaced, 1);
  await pool.close();
});

test('pool options and start failures are typed errors', async () => {
  assert.equal((await createWorkerPool({ size: 0 })).error.code, 'invalid-argument');
  assert.equal((await createWorkerPool({ maxAttempts: 1.5 })).error.code, 'invalid-argument');
  assert.equal((await createWorkerPool({ taskTimeoutMs: -1 })).error.code, 'invalid-argument');
  assert.equal((await createWorkerPool({ size: 1, wasm: new Uint8Array([0, 97, 115, 109, 9, 9]) })).error.code, 'not-initialized');
  const missing = await createWorkerPool({ size: 1, handlers: pathToFileURL(join(root, 'no/such/handlers.mjs')) });
  assert.equal(missing.error.code, 'not-initialized');
  assert.match(missing.error.message, /handlers/);
  // Closing with work queued: every task ends with `closed`.
  const pool = value(await createWorkerPool({ size: 1, handlers }));
  const pending = [pool.call('whoami', { ms: 200 }), pool.call('whoami', {})];
  await pool.close();
  assert.deepEqual((await Promise.all(pending)).map((r) => r.ok || r.error.code), ['closed', 'closed']);
});

test('in Chromium: Web Workers give the results of a single-threaded run; a crashed worker and a silent one are replaced and their tasks retried', async () => {
  const names = ['multibatch.arrows', 'lz4.arrow', 'codec_zstd.parquet', 'row_groups.parquet'];
  const expected = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await single(n.endsWith('.parquet') ? readFileSync(join(parquetDir, n)) : fixture(n))])));
  const got = await inChromium(async ({ names }) => {
    const { createWorkerPool } = await import('/js-bindings/dist/pool.js');
    const handlers = new URL('/js-bindings/test/workers/handlers.mjs', location.href).href;
    const made = await createWorkerPool({ size: 2, handlers, taskTimeoutMs: 3000 });
    if (!made.ok) return made;
    const pool = made.value;
    const dir = (n) => (n.endsWith('.parquet') ? '/testdata/parquet/' : '/testdata/ipc/');
    const results = {};
    await Promise.all(names.map(async (n) => {
      const blob = await (await fetch(dir(n) + n)).blob();
      const fromBlob = await pool.run({ input: blob, output: 'summary' });
      const fromUrl = await pool.run({ input: new URL(dir(n) + n, location.href), output: { ipc: { compression: 'lz4' } } });
      results[n] = { blob: fromBlob.ok ? { rows: fromBlob.value.rows, fingerprint: fromBlob.value.fingerprint } : fromBlob.error, url: fromUrl.ok ? fromUrl.value.bytes : fromUrl.error };
    }));
    const workers = new Set((await Promise.all(Array.from({ length: 6 }, () => pool.call('whoami', { ms: 30 })))).map((r) => r.ok && r.value.worker));
    const crashed = await pool.call('dieOnce', 'x');
    // A worker that ends silently (self.close()) sends nothing: only the timeout finds it.
    const silent = await pool.call('vanishOnce', null);
    const stats = pool.stats();
    await pool.close();
    return { ok: true, value: { results, workers: [...workers], crashed, silent, stats } };
  }, { names });
  const v = value(got);
  for (const n of names) {
    assert.deepEqual(v.results[n].blob, expected[n], n);
    assert.equal((await single(Uint8Array.from(Object.values(v.results[n].url)))).fingerprint, expected[n].fingerprint, n);
  }
  assert.deepEqual(v.workers.sort(), [1, 2]);
  assert.deepEqual({ ok: v.crashed.ok, attempt: v.crashed.value?.attempt }, { ok: true, attempt: 2 });
  assert.deepEqual({ ok: v.silent.ok, attempt: v.silent.value?.attempt }, { ok: true, attempt: 2 });
  assert.equal(v.stats.retried, 2);
  assert.equal(v.stats.replaced, 2);
  assert.equal(v.stats.workers, 2);
});
