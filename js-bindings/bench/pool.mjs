// The worker pool, in Node (worker_threads) and in Chromium (Web Workers), side by side in one run:
//
// 1. Worker start: spawn to first batch decoded (a pool of one worker, given the compiled core,
//    decoding a 3-batch IPC file), against a bare worker's spawn-to-first-message (the platform's
//    floor) and against initWasm on the main thread of a fresh process/page.
// 2. 10M rows (bench_10m.parquet of make_bench_data.py: 20 row groups, zstd) converted row group
//    by row group to LZ4 IPC, by a pool of 2 workers and by the façade on the main thread: time,
//    rows/s, and the main thread's responsiveness meanwhile: how late a 10 ms timer fires (p50,
//    p99, max; a thread blocked throughout counts one tick as late as the whole run), and in
//    Chromium the long tasks (over 50 ms) the page saw.
//
// Numbers to watch, never assertions. usage: node bench/pool.mjs DATA_DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as api from '../dist/index.js';
import { pct, poolAgainstMainThread, value, workerStarts } from './measure.mjs';
import { launch, serve } from '../test/chromium.mjs';

const dataDir = process.argv[2];
const root = new URL('../../', import.meta.url);
const parquetPath = join(dataDir, 'bench_10m.parquet');
const RUNS = 10;
const SAMPLE = 'testdata/ipc/lz4.arrow';

const ms = (x) => `${x.toFixed(1)} ms`;
const spread = (xs) => `median ${ms(pct(xs, 0.5))} (min ${ms(Math.min(...xs))}, max ${ms(Math.max(...xs))}, ${xs.length} runs)`;
const line = (label, text) => console.log(`${label.padEnd(44)}: ${text}`);

async function nodeBench() {
  console.log('\n== Node', process.version, '(worker_threads) ==');
  const compileStart = performance.now();
  const module = await WebAssembly.compile(readFileSync(new URL('js-bindings/gen/core/arrow-core.core.wasm', root)));
  line('compile the core once (main thread)', ms(performance.now() - compileStart));
  const sample = readFileSync(new URL(SAMPLE, root));

  const bare = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = performance.now();
    const w = new Worker("require('node:worker_threads').parentPort.postMessage(1)", { eval: true });
    await new Promise((resolve) => w.once('message', resolve));
    bare.push(performance.now() - t0);
    await w.terminate();
  }
  const { ready, first, summary } = await workerStarts(module, sample, RUNS);
  const fresh = [];
  for (let i = 0; i < 5; i += 1) {
    const script = `const t0 = performance.now(); const api = await import(${JSON.stringify(new URL('js-bindings/dist/index.js', root).href)}); const r = await api.initWasm(); const t = await api.readTableFromArrayBuffer((await import('node:fs')).readFileSync(${JSON.stringify(new URL(SAMPLE, root).pathname)})); console.log(performance.now() - t0, r.ok && t.ok);`;
    fresh.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).split(' ')[0]));
  }
  line('bare worker: spawn to first message (floor)', spread(bare));
  line('pool worker: spawn to core ready', spread(ready));
  line('pool worker: spawn to first batch decoded', spread(first));
  line('pool worker: spawn to first summary task', spread(summary));
  line('main thread, fresh process: import to first table', spread(fresh));

  const blob = new Blob([readFileSync(parquetPath)]);
  const groups = value(await api.getParquetMetadata(readFileSync(parquetPath))).rowGroups.length;
  const { pooled, here } = await poolAgainstMainThread(module, blob, groups);
  report('pool of 2 workers', pooled);
  report('façade on the main thread', here);
}

function report(label, r, extra = '') {
  line(`10M rows → LZ4 IPC, ${label}`, `${r.rows} rows in ${r.secs.toFixed(2)} s (${(r.rows / r.secs / 1e6).toFixed(2)} M rows/s), `
    + `${(r.bytes / 2 ** 20).toFixed(0)} MiB out; 10 ms timer late by p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)} (${r.ticks} ticks)${extra ? `; ${extra}` : ''}`);
}

async function chromiumBench() {
  const server = await serve(0, { '/bench-data/': dataDir }, { cache: true });
  const browser = await launch();
  const page = browser.pages()[0] ?? (await browser.newPage());
  const base = `http://127.0.0.1:${server.address().port}`;
  await page.goto(`${base}/js-bindings/test/browser/blank.html`);
  const version = browser.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
  console.log(`\n== Chromium ${version} (Web Workers) ==`);
  const out = await page.evaluate(async ({ RUNS, SAMPLE }) => {
    const { poolAgainstMainThread, value, workerStarts } = await import('/js-bindings/bench/measure.mjs');
    const api = await import('/js-bindings/dist/index.js');
    const c0 = performance.now();
    const module = await WebAssembly.compileStreaming(fetch('/js-bindings/gen/core/arrow-core.core.wasm'));
    const compile = performance.now() - c0;
    const sample = new Uint8Array(await (await fetch(`/${SAMPLE}`)).arrayBuffer());
    const bare = [];
    const src = URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' }));
    for (let i = 0; i < RUNS; i += 1) {
      const t0 = performance.now();
      const w = new Worker(src);
      await new Promise((resolve) => w.addEventListener('message', resolve, { once: true }));
      bare.push(performance.now() - t0);
      w.terminate();
    }
    const { ready, first, summary } = await workerStarts(module, sample, RUNS);
    const m0 = performance.now();
    value(await api.initWasm(module));
    const t = value(await api.readTableFromArrayBuffer(sample));
    const mainStart = performance.now() - m0;
    value(await api.freeTable(t));

    const blob = await (await fetch('/bench-data/bench_10m.parquet')).blob();
    const groups = value(await api.getParquetMetadata(new Uint8Array(await blob.arrayBuffer()))).rowGroups.length;
    const { pooled, here } = await poolAgainstMainThread(module, blob, groups);
    return { compile, bare, ready, first, summary, mainStart, pooled, here, threads: navigator.hardwareConcurrency };
  }, { RUNS, SAMPLE }).finally(() => browser.close().then(() => server.close()));
  line('compile the core once (main thread)', ms(out.compile));
  line('bare worker: spawn to first message (floor)', spread(out.bare));
  line('pool worker: spawn to core ready', spread(out.ready));
  line('pool worker: spawn to first batch decoded', spread(out.first));
  line('pool worker: spawn to first summary task', spread(out.summary));
  line('main thread: initWasm(compiled) + first table', ms(out.mainStart));
  const longs = (r) => `${r.longTasks} long tasks (${(r.longMs / 1000).toFixed(2)} s)`;
  report('pool of 2 workers', out.pooled, longs(out.pooled));
  report('façade on the main thread', out.here, longs(out.here));
}

value(await api.initWasm());
await nodeBench();
await chromiumBench();
