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
