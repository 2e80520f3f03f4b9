// The core component, transpiled by jco, under Node: every fixture reads, LZ4 IPC written here
// reads back equal in pyarrow, and errors are typed and leave the instance usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../gen/core/arrow-core.js';
import { errorOf, fixture, fixtureDir, manifest, pyarrowCompare, scratch, writeOptions } from './helpers.mjs';

const { Table, detectFormat } = table;

test('every fixture reads with the rows, batches and format pyarrow recorded', () => {
  assert.ok(manifest.length >= 20);
  for (const f of manifest) {
    const t = Table.read(fixture(f.file), {});
    assert.equal(t.numRows(), BigInt(f.num_rows), f.file);
    assert.equal(t.numBatches(), f.num_batches, f.file);
    assert.equal(t.sourceFormat(), f.format, f.file);
    assert.ok(t.schema().columns.length > 0, f.file);
    t[Symbol.dispose]();
  }
});

test('LZ4 IPC written in Node reads back equal in pyarrow, file and stream', () => {
  const dir = scratch();
  const pairs = [];
  for (const f of manifest) {
    const t = Table.read(fixture(f.file), {});
    for (const framing of ['file', 'stream']) {
      const bytes = t.writeIpc(writeOptions({ framing, compression: 'lz4-frame' }));
      assert.ok(bytes instanceof Uint8Array);
      const out = join(dir, `${f.file}.${framing}.lz4`);
      writeFileSync(out, bytes);
      pairs.push({ expected: join(fixtureDir, f.file), actual: out, unified: framing === 'file' && f.file.startsWith('dictionary_') });
    }
    t[Symbol.dispose]();
  }
  const results = pyarrowCompare(pairs.map(({ expected, actual }) => ({ expected, actual })), dir);
  assert.equal(results.length, pairs.length);
  results.forEach((r, i) => {
    // A file holds one dictionary per column: changing stream dictionaries are unified.
    const ok = pairs[i].unified ? r.logically_equal : r.equal;
    assert.ok(ok, `${r.actual}: ${r.detail}`);
  });
});

test('LZ4 output is compressed: smaller than the plain write', () => {
  const t = Table.read(fixture('lz4.arrow'), {});
  const plain = t.writeIpc(writeOptions()).length;
  const lz4 = t.writeIpc(writeOptions({ compression: 'lz4-frame' })).length;
  const zstd = t.writeIpc(writeOptions({ compression: 'zstd', zstdLevel: 3 })).length;
  assert.ok(lz4 < plain / 2 && zstd < plain / 2, `plain ${plain}, lz4 ${lz4}, zstd ${zstd}`);
  t[Symbol.dispose]();
});

test('errors are typed and the instance keeps working after them', () => {
  assert.equal(errorOf(() => Table.read(fixture('not_arrow.bin'), {})).code, 'unknown-format');
  // A file that says PAR1 but is not Parquet.
  assert.equal(errorOf(() => Table.read(new TextEncoder().encode('PAR1 but no footer'), {})).code, 'malformed-input');
  const truncated = fixture('lz4.arrow').subarray(0, 5000);
  assert.equal(errorOf(() => Table.read(truncated, {})).code, 'malformed-input');
  const t = Table.read(fixture('multibatch.arrows'), {});
  assert.equal(errorOf(() => t.slice(10_000n, 1n)).code, 'out-of-bounds');
  assert.equal(errorOf(() => t.select(['nope'])).code, 'column-not-found');
  assert.equal(errorOf(() => t.writeIpc(writeOptions({ alignment: 3 }))).code, 'invalid-argument');
  const other = Table.read(fixture('primitives.arrow'), {});
  assert.equal(errorOf(() => Table.concat([t, other])).code, 'schema-mismatch');
  assert.equal(t.numRows(), 256n);
  assert.equal(Table.concat([t, t.slice(0n, 6n)]).numRows(), 262n);
  assert.equal(detectFormat(fixture('primitives.arrows').subarray(0, 16)), 'arrow-stream');
  assert.equal(detectFormat(new TextEncoder().encode('a,b\n1,2\n')), 'csv');
  assert.equal(errorOf(() => detectFormat(new TextEncoder().encode('plain words\n'))).code, 'unknown-format');
});

test('a disposed handle cannot be used again', () => {
  const t = Table.read(fixture('primitives.arrow'), {});
  t[Symbol.dispose]();
  assert.throws(() => t.numRows());
});
