// The measurements of bench/pool.mjs that run the same in Node and in a Chromium page (this
// module is imported by both): worker start, and 10M rows by a pool against the main thread.
import * as api from '../dist/index.js';
import { createWorkerPool } from '../dist/pool.js';
import { blobRanges, createTableWriter, readParquetRanges } from '../dist/stream.js';

export const value = (r) => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
};

/** The `p` quantile of `xs`. */
export const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

/**
 * Worker start, `runs` times: a pool of one worker given the compiled `module`, to core ready, to
 * the first batch decoded (the `decode` handler), and to a first built-in summary task.
 */
export async function workerStarts(module, sample, runs) {
  const handlers = new URL('handlers.mjs', import.meta.url).href;
  const ready = [];
  const first = [];
  const summary = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    const pool = value(await createWorkerPool({ size: 1, wasm: module, handlers }));
    const rows = value(await pool.call('decode', sample));
    first.push(performance.now() - t0);
    ready.push(pool.stats().startMs[0]);
    if (rows !== 2000) throw new Error(`decoded ${rows} rows`);
    await pool.close();
    const t1 = performance.now();
    const again = value(await createWorkerPool({ size: 1, wasm: module }));
    value(await again.run({ input: sample, output: 'summary' }));
    summary.push(performance.now() - t1);
    await again.close();
  }
  return { ready, first, summary };
}

/**
 * How late a 10 ms timer fires while `work` runs (the thread's responsiveness), and where the
 * platform reports them, the long tasks (over 50 ms).
 */
async function lateness(work) {
  const late = [];
  let expected = performance.now() + 10;
  let timer;
  const tick = () => {
    const now = performance.now();
    late.push(Math.max(0, now - expected));
    expected = now + 10;
    timer = setTimeout(tick, 10);
  };
  timer = setTimeout(tick, 10);
  const long = [];
  const watched = typeof PerformanceObserver === 'function' && PerformanceObserver.supportedEntryTypes?.includes('longtask');
  const observer = watched ? new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => e.duration))) : undefined;
  observer?.observe({ type: 'longtask' });
  const started = performance.now();
  const result = await work();
  const secs = (performance.now() - started) / 1000;
  clearTimeout(timer);
  // A thread blocked to the end never ran the timer: it was that late.
  late.push(Math.max(0, performance.now() - expected));
  observer?.disconnect();
  return {
    ...result, secs, p50: pct(late, 0.5), p99: pct(late, 0.99), max: Math.max(...late), ticks: late.length,
    longTasks: watched ? long.length : undefined, longMs: long.reduce((a, b) => a + b, 0),
  };
}

/** One row group of `blob` to LZ4 IPC by the façade on this thread. */
async function convertHere(blob, group) {
  const tables = [];
  for await (const t of readParquetRanges(blobRanges(blob), { rowGroups: [group] })) tables.push(value(t));
  const writer = value(await createTableWriter(tables[0], { ipc: { compression: 'lz4' } }));
  let bytes = 0;
  for (const t of tables) bytes += value(await writer.write(t)).byteLength;
  bytes += value(await writer.finish()).byteLength;
  const rows = value(await writer.rowsWritten());
  writer[Symbol.dispose]();
  for (const t of tables) value(await api.freeTable(t));
  return { rows, bytes };
}

/** Every row group of `blob` to LZ4 IPC, by a pool of 2 workers and then on this thread. */
export async function poolAgainstMainThread(module, blob, groups) {
  const pool = value(await createWorkerPool({ size: 2, wasm: module }));
  const pooled = await lateness(async () => {
    const parts = await Promise.all(Array.from({ length: groups }, (_, g) => pool.run({ input: blob, format: 'parquet', rowGroups: [g], output: { ipc: { compression: 'lz4' } } })));
    return parts.reduce((acc, p) => ({ rows: acc.rows + value(p).rows, bytes: acc.bytes + value(p).bytes.byteLength }), { rows: 0, bytes: 0 });
  });
  await pool.close();
  value(await api.initWasm(module));
  const here = await lateness(async () => {
    let acc = { rows: 0, bytes: 0 };
    for (let g = 0; g < groups; g += 1) {
      const r = await convertHere(blob, g);
      acc = { rows: acc.rows + r.rows, bytes: acc.bytes + r.bytes };
    }
    return acc;
  });
  return { pooled, here };
}
