// The Node part of `make demo`: every file of the given directories read through the typed
// façade (`arrow-rs-wasm`), what it holds printed, and each converted to LZ4 Feather v2 and zstd
// Parquet inside the component. No exceptions: every call returns a Result.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  initWasm, readTableFromArrayBuffer, getTableInfo, getSchemaSummary, tableFingerprint,
  writeTableToIpc, writeTableToParquet, freeTable,
} from 'arrow-rs-wasm';

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['testdata/ipc'];

const ready = await initWasm();
if (!ready.ok) {
  console.error(`cannot start the core: ${ready.error.message}`);
  process.exit(1);
}
console.log(`arrow-rs-wasm demo: reading ${ready.value.formats.join(', ')} inside the WASM component\n`);

/** @param {import('arrow-rs-wasm').Result<Uint8Array>} r */
const size = (r) => (r.ok ? `${r.value.length} bytes` : r.error.code);

for (const dir of dirs) {
  const files = readdirSync(dir).filter((f) => !f.endsWith('.json') && !f.endsWith('.expected.arrow')).sort();
  console.log(`${dir}: ${files.length} files`);
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    const read = await readTableFromArrayBuffer(bytes);
    if (!read.ok) {
      console.log(`  ${file}: ${read.error.code}: ${read.error.message}`);
      continue;
    }
    const table = read.value;
    const info = await getTableInfo(table);
    const schema = await getSchemaSummary(table);
    if (info.ok && schema.ok) {
      const columns = schema.value.columns;
      const shown = columns.slice(0, 4).map((c) => `${c.name}: ${c.arrowType}`).join(', ');
      const more = columns.length > 4 ? `, … ${columns.length - 4} more` : '';
      console.log(`  ${file}: ${info.value.sourceFormat}, ${info.value.numRows} rows, ${columns.length} columns, ${bytes.length} bytes`);
      console.log(`      ${shown}${more}`);
    }
    const fp = await tableFingerprint(table);
    const lz4 = await writeTableToIpc(table, { compression: 'lz4' });
    const pq = await writeTableToParquet(table, { compression: 'zstd' });
    console.log(`      fingerprint ${fp.ok ? fp.value.slice(0, 19) : fp.error.code}…  -> Feather v2/LZ4 ${size(lz4)}, Parquet/zstd ${size(pq)}`);
    await freeTable(table);
  }
  console.log('');
}
