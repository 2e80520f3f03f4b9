// The IPC push decoder in Node: a stream pushed in chunks as a ReadableStream delivers them gives
// the content of a whole read, batch by batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { streaming, table } from '../gen/core/arrow-core.js';
import { errorOf, fixture } from './helpers.mjs';

test('a stream pushed in chunks from a ReadableStream reads as a whole read', async () => {
  for (const name of ['multibatch.arrows', 'dictionary_delta.arrows', 'lz4.arrows', 'zstd.arrows']) {
    const bytes = fixture(name);
    const whole = table.Table.read(bytes, {});
    const source = new ReadableStream({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.subarray(at, at + 1000));
        controller.close();
      },
    });
    const decoder = new streaming.IpcStreamDecoder({});
    const batches = [];
    for await (const chunk of source) {
      decoder.push(chunk);
      for (let t = decoder.nextBatch(); t !== undefined; t = decoder.nextBatch()) batches.push(t);
    }
    decoder.finish();
    assert.ok(decoder.done(), name);
    assert.deepEqual(decoder.schema().columns.map((c) => c.name), whole.schema().columns.map((c) => c.name));
    assert.equal(table.Table.concat(batches).fingerprint(), whole.fingerprint(), name);
  }
});

test('a push over the ceiling is a limit-exceeded error that changes nothing', () => {
  const decoder = new streaming.IpcStreamDecoder({ maxBufferedBytes: 100n });
  assert.equal(errorOf(() => decoder.push(fixture('multibatch.arrows'))).code, 'limit-exceeded');
  assert.equal(decoder.bufferedBytes(), 0n);
  assert.equal(errorOf(() => decoder.finish()).code, 'malformed-input', 'no schema yet');
});

test('a table written piece by piece into a WritableStream reads back equal', async () => {
  const t = table.Table.read(fixture('primitives.arrow'), {});
  for (const format of [
    { tag: 'ipc', val: { framing: 'stream', compression: 'lz4-frame', alignment: 8, metadataVersion: 'v5', legacyFormat: false, dictionaryHandling: 'resend' } },
    { tag: 'parquet', val: { compression: 'zstd', maxRowGroupRows: 30, dictionary: true, statistics: 'page', writerVersion: 'v1', keyValueMetadata: [], pageChecksums: true } },
  ]) {
    const chunks = [];
    const sink = new WritableStream({ write(chunk) { chunks.push(chunk); } });
    const out = sink.getWriter();
    const writer = streaming.TableWriter.create(t, format);
    for (let at = 0n; at < t.numRows(); at += 25n) await out.write(writer.write(t.slice(at, 25n)));
    await out.write(writer.finish());
    await out.close();
    assert.equal(writer.rowsWritten(), t.numRows());
    const bytes = Buffer.concat(chunks);
    const back = table.Table.read(bytes, {});
    assert.equal(back.numRows(), t.numRows(), format.tag);
    // Parquet stores date64 as a date (as pyarrow does), so only IPC keeps every type.
    if (format.tag === 'ipc') assert.equal(back.fingerprint(), t.fingerprint());
    assert.equal(errorOf(() => writer.finish()).code, 'closed');
  }
});

test('a Parquet file read through Blob.slice by the range reader equals parquet.read', async () => {
  const { parquet } = await import('../gen/core/arrow-core.js');
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { root } = await import('./helpers.mjs');
  const bytes = readFileSync(join(root, 'testdata/parquet/row_groups.parquet'));
  const blob = new Blob([bytes]);
  const options = { columns: ['utf8', 'int64'], rowGroups: [2, 4] };
  const reader = streaming.ParquetRangeReader.create(BigInt(blob.size), options);
  const tables = [];
  let fetched = 0;
  for (let step = reader.next(); step.tag !== 'finished'; step = reader.next()) {
    if (step.tag === 'batch') {
      tables.push(step.val);
      continue;
    }
    for (const { offset, length } of step.val) {
      const slice = new Uint8Array(await blob.slice(Number(offset), Number(offset + length)).arrayBuffer());
      fetched += slice.length;
      reader.provide(offset, slice);
    }
  }
  const whole = parquet.read(bytes, options);
  assert.equal(table.Table.concat(tables).fingerprint(), whole.fingerprint());
  assert.ok(fetched < bytes.length / 2, `fetched ${fetched} of ${bytes.length}`);
});
