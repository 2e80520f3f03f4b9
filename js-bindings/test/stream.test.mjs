// The façade's streaming helpers (dist/stream.js): IPC streams from ReadableStreams split anywhere,
// Blobs, Responses and async iterables, batch by batch with progress; Parquet by byte ranges from
// a Blob and over HTTP Range requests, reading only what the selection needs; streaming writers
// and the TransformStream, read back equal. The same helpers run in Chromium on a File.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../dist/index.js';
import { blobRanges, createTableWriter, httpRanges, readIpcStream, readParquetRanges, tableWriterStream } from '../dist/stream.js';
import { fixture, manifest, root } from './helpers.mjs';
import { inChromium, serve } from './chromium.mjs';

const value = (r) => {
  assert.equal(r.ok, true, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
};
value(await api.initWasm());

/** A ReadableStream of `bytes` in chunks of the sizes `sizes` cycles through; records a cancel. */
function chunked(bytes, sizes, seen = {}) {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      const n = sizes[i % sizes.length];
      i += 1;
      controller.enqueue(Uint8Array.from(bytes.subarray(at, at + n)));
      at += n;
      seen.pulled = Math.min(at, bytes.length);
    },
    cancel() {
      seen.cancelled = true;
    },
  }, { highWaterMark: 0 });
}

/** Collects a table stream: the fingerprint of all its tables concatenated, and the count. */
async function collect(stream) {
  const tables = [];
  let error;
  for await (const r of stream) {
    if (r.ok) tables.push(r.value);
    else error = r.error;
  }
  if (error !== undefined) {
    for (const t of tables) value(await api.freeTable(t));
    return { error, batches: tables.length };
  }
  const all = tables.length === 0 ? undefined : value(await api.concatTables(tables));
  const fingerprint = all === undefined ? undefined : value(await api.tableFingerprint(all));
  const rows = all === undefined ? 0 : value(await api.numRows(all));
  for (const t of [...tables, ...(all ? [all] : [])]) value(await api.freeTable(t));
  return { fingerprint, batches: tables.length, rows };
}

async function wholeFingerprint(bytes, read = api.readTableFromArrayBuffer, options = {}) {
  const t = value(await read(bytes, options));
  const fp = value(await api.tableFingerprint(t));
  value(await api.freeTable(t));
  return fp;
}

const streams = manifest.filter((f) => f.format === 'arrow-stream' && f.num_rows > 0);

test('every IPC stream fixture, split in chunks of every kind, gives the batches of a whole read', async () => {
  assert.ok(streams.length >= 8);
  for (const f of streams) {
    const bytes = fixture(f.file);
    const expected = await wholeFingerprint(bytes);
    for (const sizes of [[1], [7, 1, 64], [4096], [bytes.length]]) {
      if (sizes[0] === 1 && bytes.length > 20000) continue;
      const got = await collect(readIpcStream(chunked(bytes, sizes)));
      assert.equal(got.error, undefined, `${f.file} ${sizes}: ${got.error?.message}`);
      assert.equal(got.fingerprint, expected, `${f.file} in chunks of ${sizes}`);
      assert.equal(got.batches, f.num_batches, f.file);
      assert.equal(got.rows, f.num_rows, f.file);
    }
    const blob = await collect(readIpcStream(new Blob([bytes])));
    const response = await collect(readIpcStream(new Response(bytes)));
    const iterable = await collect(readIpcStream((async function* () { yield bytes.subarray(0, 10); yield bytes.subarray(10); })()));
    for (const got of [blob, response, iterable]) assert.equal(got.fingerprint, expected, f.file);
  }
});

test('progress counts bytes and rows and estimates what is left', async () => {
  const f = streams.find((s) => s.num_batches >= 3);
  const bytes = fixture(f.file);
  const seen = [];
  const got = await collect(readIpcStream(new Blob([bytes]), { onProgress: (p) => seen.push(p) }));
  assert.equal(got.rows, f.num_rows);
  const last = seen.at(-1);
  assert.equal(last.bytesRead, bytes.length);
  assert.equal(last.totalBytes, bytes.length);
  assert.equal(last.rowsProduced, f.num_rows);
  assert.ok(seen.length >= f.num_batches);
  assert.ok(seen.every((p, i) => i === 0 || (p.rowsProduced >= seen[i - 1].rowsProduced && p.bytesRead >= seen[i - 1].bytesRead)));
  assert.equal(last.etaMs, 0);
});

test('truncated and corrupted streams end with a typed Err; a ceiling refuses more bytes', async () => {
  const bytes = fixture('multibatch.arrows');
  const cut = await collect(readIpcStream(chunked(bytes.subarray(0, bytes.length - 100), [333])));
  assert.equal(cut.error.code, 'malformed-input');
  // Without its end-of-stream marker a stream still ends cleanly after a whole message (pyarrow
  // reads it the same way).
  const noEnd = await collect(readIpcStream(new Blob([bytes.subarray(0, bytes.length - 8)])));
  assert.equal(noEnd.error, undefined);
  assert.equal(noEnd.fingerprint, await wholeFingerprint(bytes));
  const garbage = await collect(readIpcStream(new Blob([new Uint8Array(64).fill(7)])));
  assert.ok(garbage.error !== undefined);
  const limited = await collect(readIpcStream(chunked(bytes, [bytes.length]), { maxBufferedBytes: 100 }));
  assert.equal(limited.error.code, 'limit-exceeded');
  const failing = new ReadableStream({ pull: (c) => c.error(new Error('network down')) });
  const broken = await collect(readIpcStream(failing));
  assert.equal(broken.error.code, 'malformed-input');
  assert.match(broken.error.message, /network down/);
});

test('leaving the loop early cancels the source and frees the decoder; nothing is read ahead', async () => {
  const base = value(await api.liveTableCount());
  const bytes = fixture('multibatch.arrows');
  const seen = {};
  // A high-water mark of 0: the stream pulls only when the reader asks.
  const source = chunked(bytes, [256], seen);
  for await (const r of readIpcStream(source)) {
    value(await api.freeTable(value(r)));
    break;
  }
  assert.ok(seen.pulled < bytes.length / 2, `read ${seen.pulled} of ${bytes.length} bytes for one batch`);
  assert.equal(seen.cancelled, true);
  assert.equal(value(await api.liveTableCount()), base);
});

const parquetDir = join(root, 'testdata/parquet');
const parquetFiles = Object.keys(JSON.parse(readFileSync(join(parquetDir, 'MANIFEST.json'), 'utf8')));

test('Parquet by Blob ranges equals whole reads, with projection and row groups, and reads only what it needs', async () => {
  assert.ok(parquetFiles.length >= 5);
  for (const file of parquetFiles) {
    const bytes = readFileSync(join(parquetDir, file));
    const whole = await api.readParquet(bytes);
    if (!whole.ok) continue;
    const expected = value(await api.tableFingerprint(whole.value));
    const rows = value(await api.numRows(whole.value));
    value(await api.freeTable(whole.value));
    const ranges = [];
    const got = await collect(readParquetRanges(blobRanges(new Blob([bytes])), { onRange: (o, l) => ranges.push([o, l]) }));
    if (rows > 0) assert.equal(got.fingerprint, expected, file);
    assert.ok(ranges[0][0] + ranges[0][1] === bytes.length, `${file}: the first range is the footer at the end`);
    const meta = value(await api.getParquetMetadata(bytes));
    if (meta.rowGroups.length === 0 || meta.schema.columns.length < 2) continue;
    const column = meta.schema.columns[1].name;
    const group = meta.rowGroups.length - 1;
    const options = { columns: [column], rowGroups: [group] };
    const picked = [];
    const some = await collect(readParquetRanges(blobRanges(new Blob([bytes])), { ...options, onRange: (o, l) => picked.push(l) }));
    if (meta.rowGroups[group].numRows > 0) assert.equal(some.fingerprint, await wholeFingerprint(bytes, api.readParquet, options), `${file} ${column}`);
    const read = picked.reduce((a, b) => a + b, 0);
    assert.ok(read < bytes.length, `${file}: read ${read} of ${bytes.length} bytes for one column of one row group`);
  }
});

test('Parquet over HTTP Range requests equals a whole read', async () => {
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/testdata/parquet/codec_zstd.parquet`;
  const done = (async () => {
    const source = value(await httpRanges(url));
    const bytes = readFileSync(join(parquetDir, 'codec_zstd.parquet'));
    assert.equal(source.size, bytes.length);
    const got = await collect(readParquetRanges(source));
    assert.equal(got.fingerprint, await wholeFingerprint(bytes));
    const missing = await httpRanges(`http://127.0.0.1:${server.address().port}/nope.parquet`);
    assert.equal(missing.ok, false);
  })();
  await done.finally(() => server.close());
});

test('streaming writers: IPC stream, IPC file and Parquet, batch by batch, bytes out as they are made, read back equal; the TransformStream too', async () => {
  // The 5,000-row sample, written 500 rows at a time (Parquet: 1,000-row groups).
  const sample = value(await api.readTableFromArrayBuffer(readFileSync(join(root, 'testdata/sample/trips.csv'))));
  const expected = value(await api.tableFingerprint(sample));
  for (const format of [{ ipc: { format: 'stream', compression: 'lz4' } }, { ipc: { format: 'file', compression: 'zstd' } }, { parquet: { compression: 'zstd', maxRowGroupRows: 1000 } }]) {
    const writer = value(await createTableWriter(sample, format));
    const parts = [];
    for (let at = 0; at < 5000; at += 500) {
      const slice = value(await api.sliceTable(sample, at, 500));
      parts.push(value(await writer.write(slice)));
      value(await api.freeTable(slice));
    }
    assert.equal(value(await writer.rowsWritten()), 5000);
    parts.push(value(await writer.finish()));
    assert.ok(parts.slice(0, -1).filter((p) => p.length > 0).length >= 3, `${JSON.stringify(format)}: bytes came out while writing (${parts.map((p) => p.length)})`);
    const out = new Uint8Array(await new Blob(parts).arrayBuffer());
    assert.equal(await wholeFingerprint(out), expected, JSON.stringify(format));
    if ('parquet' in format) assert.equal(value(await api.getParquetMetadata(out)).rowGroups.length, 5);
    writer[Symbol.dispose]();
  }
  value(await api.freeTable(sample));
  const bytes = fixture('multibatch.arrows');
  const piped = readableOf(readIpcStream(new Blob([bytes]))).pipeThrough(tableWriterStream({ parquet: { compression: 'snappy' } }));
  const out = new Uint8Array(await new Response(piped).arrayBuffer());
  assert.equal(await wholeFingerprint(out), await wholeFingerprint(bytes));
  const a = value(await api.readTableFromArrayBuffer(fixture('primitives.arrow')));
  const w = value(await createTableWriter(a, { ipc: { format: 'stream' } }));
  const other = value(await api.readTableFromArrayBuffer(fixture('nested.arrow')));
  assert.equal((await w.write(other)).error.code, 'schema-mismatch');
  for (const t of [a, other]) value(await api.freeTable(t));
});

/** The tables of a table stream as a ReadableStream (errors error it). */
function readableOf(stream) {
  return new ReadableStream({
    pull: async (controller) => {
      const next = await stream.next();
      if (next.done) controller.close();
      else if (next.value.ok) controller.enqueue(next.value.value);
      else controller.error(next.value.error);
    },
  });
}

test('in Chromium: an IPC stream from a File, Parquet through File.slice, and a Parquet writer', async () => {
  const expected = {
    stream: await wholeFingerprint(fixture('multibatch.arrows')),
    parquet: await wholeFingerprint(readFileSync(join(parquetDir, 'codec_snappy.parquet'))),
  };
  const got = await inChromium(async () => {
    const api = await import('/js-bindings/dist/index.js');
    const s = await import('/js-bindings/dist/stream.js');
    await api.initWasm();
    const fetchFile = async (path, name) => new File([await (await fetch(path)).arrayBuffer()], name);
    const all = async (stream) => {
      const tables = [];
      for await (const r of stream) if (r.ok) tables.push(r.value);
      const t = await api.concatTables(tables);
      return { tables, t: t.value };
    };
    const ipc = await all(s.readIpcStream(await fetchFile('/testdata/ipc/multibatch.arrows', 'm.arrows')));
    const streamFp = (await api.tableFingerprint(ipc.t)).value;
    const pq = await all(s.readParquetRanges(s.blobRanges(await fetchFile('/testdata/parquet/codec_snappy.parquet', 'c.parquet'))));
    const parquetFp = (await api.tableFingerprint(pq.t)).value;
    const writer = (await s.createTableWriter(ipc.tables[0], { parquet: {} })).value;
    const parts = [];
    for (const t of ipc.tables) parts.push((await writer.write(t)).value);
    parts.push((await writer.finish()).value);
    const back = await api.readTableFromArrayBuffer(new Uint8Array(await new Blob(parts).arrayBuffer()));
    return { streamFp, parquetFp, written: (await api.tableFingerprint(back.value)).value, batches: ipc.tables.length };
  });
  assert.equal(got.streamFp, expected.stream);
  assert.equal(got.parquetFp, expected.parquet);
  assert.equal(got.written, expected.stream);
  assert.ok(got.batches >= 2);
});
