// Shared by the Node tests: fixture manifest, the pyarrow oracle, and option presets.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtureDir = join(root, 'testdata', 'ipc');
export const manifest = JSON.parse(readFileSync(join(fixtureDir, 'MANIFEST.json'), 'utf8'));
export const fixture = (name) => readFileSync(join(fixtureDir, name));

export function writeOptions(overrides = {}) {
  return {
    framing: 'file',
    compression: 'none',
    zstdLevel: undefined,
    alignment: 64,
    metadataVersion: 'v5',
    legacyFormat: false,
    dictionaryHandling: 'resend',
    ...overrides,
  };
}

export const scratch = () => mkdtempSync(join(tmpdir(), 'arrow-rs-wasm-node-'));

/** Runs testdata/oracle.py compare over [{expected, actual}] with $ARROW_PYTHON (pyarrow). */
export function pyarrowCompare(pairs, dir) {
  const manifestPath = join(dir, 'compare.json');
  writeFileSync(manifestPath, JSON.stringify(pairs));
  const python = process.env.ARROW_PYTHON ?? 'python3';
  const out = execFileSync(python, [join(root, 'testdata', 'oracle.py'), 'compare', manifestPath], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** The WIT `arrow-error` a failed call carries (jco throws it as a ComponentError payload). */
export function errorOf(call) {
  let payload;
  assert.throws(call, (e) => {
    payload = e.payload;
    return true;
  });
  return payload;
}

/**
 * A Parquet file whose schema nests `depth` groups one inside the other (just a footer, no rows).
 * parquet-rs turns the schema into a tree by recursion, so a deep enough one exhausts the stack:
 * a trap even in the unwinding build (there is no panic to catch), which the tests of trap
 * recovery need. An open item of docs/robustness.md; when it is fixed, these tests need another
 * way to trap.
 */
export function deepSchemaParquet(depth) {
  const bytes = [];
  const varint = (n) => {
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
  };
  const zigzag = (n) => varint(n >= 0 ? 2 * n : -2 * n - 1);
  const name = (s) => {
    varint(s.length);
    for (const c of s) bytes.push(c.charCodeAt(0));
  };
  // Thrift compact: a field header is (delta << 4) | type, with i32 = 5, i64 = 6, binary = 8,
  // list = 9, struct = 12.
  bytes.push(0x15); zigzag(2); // 1: version
  bytes.push(0x19, 0xfc); varint(depth + 2); // 2: schema, a list of depth + 2 SchemaElements
  bytes.push(0x48); name('m'); bytes.push(0x15); zigzag(1); bytes.push(0); // the root: 4 name, 5 num_children
  for (let i = 0; i < depth; i += 1) {
    bytes.push(0x35); zigzag(0); bytes.push(0x18); name('g'); bytes.push(0x15); zigzag(1); bytes.push(0); // 3 required, 4 name, 5 one child
  }
  bytes.push(0x15); zigzag(1); bytes.push(0x25); zigzag(0); bytes.push(0x18); name('x'); bytes.push(0); // 1 INT32, 3 required, 4 name
  bytes.push(0x16); zigzag(0); // 3: num_rows
  bytes.push(0x19, 0x0c); // 4: row_groups, empty
  bytes.push(0); // end of FileMetaData
  const footer = Uint8Array.from(bytes);
  const out = new Uint8Array(4 + footer.length + 8);
  out.set([0x50, 0x41, 0x52, 0x31]);
  out.set(footer, 4);
  new DataView(out.buffer).setUint32(4 + footer.length, footer.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], 8 + footer.length);
  return out;
}
