// Streaming conversion in Node: the 10M-row LZ4 IPC stream of make_bench_data.py read with
// fs.createReadStream, pushed into the core's IPC stream decoder, each batch written by the core's
// table writer as zstd Parquet to a byte counter. Prints time, rows/s and the process's peak RSS
// (sampled after every batch). Compare with `stream_convert` (native and wasmtime) in `make bench`.
//
// usage: node bench/stream.mjs DATA_DIR
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { streaming } from '../gen/core/arrow-core.js';

const path = join(process.argv[2], 'bench_10m.arrows');
const start = performance.now();
const decoder = new streaming.IpcStreamDecoder({});
let writer;
let rows = 0n;
let written = 0;
let peak = process.memoryUsage().rss;
const parquet = { tag: 'parquet', val: { compression: 'zstd', dictionary: true, statistics: 'page', writerVersion: 'v1', keyValueMetadata: [], pageChecksums: true } };

const drain = () => {
  for (let t = decoder.nextBatch(); t !== undefined; t = decoder.nextBatch()) {
    writer ??= streaming.TableWriter.create(t, parquet);
    rows += t.numRows();
    written += writer.write(t).length;
    t[Symbol.dispose]();
    peak = Math.max(peak, process.memoryUsage().rss);
  }
};
for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
  decoder.push(chunk);
  drain();
}
decoder.finish();
drain();
written += writer.finish().length;
const secs = (performance.now() - start) / 1000;
const mib = (n) => (n / 2 ** 20).toFixed(0);
console.log(
  `stream convert node    : ${rows} rows, ${mib(statSync(path).size)} MiB LZ4 IPC -> ${mib(written)} MiB zstd Parquet in ${secs.toFixed(2)} s `
  + `(${(Number(rows) / secs / 1e6).toFixed(2)} M rows/s), process peak RSS ${mib(peak)} MiB`,
);
