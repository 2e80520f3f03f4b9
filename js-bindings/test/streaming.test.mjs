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
