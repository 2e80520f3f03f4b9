// The demo of `make demo`: reads every sample file (Arrow IPC, Feather v1/v2, Parquet, CSV,
// NDJSON) through the core component, prints what it holds, and converts it to LZ4 Feather v2 and
// zstd Parquet inside the component. Errors are values: the generated bindings throw, so each call
// goes through `attempt`, which turns a throw into a Result.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquet, table } from '../gen/core/arrow-core.js';
import { attempt } from './result.mjs';

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['testdata/ipc'];
const feather = { framing: 'file', compression: 'lz4-frame', alignment: 64, metadataVersion: 'v5', legacyFormat: false, dictionaryHandling: 'resend' };
const zstdParquet = { compression: 'zstd', dictionary: true, statistics: 'page', writerVersion: 'v1', keyValueMetadata: [] };

console.log(`arrow-rs-wasm demo: reading ${table.readableFormats().join(', ')} inside the WASM component\n`);
for (const dir of dirs) {
  const files = readdirSync(dir).filter((f) => !f.endsWith('.json') && !f.endsWith('.expected.arrow')).sort();
  console.log(`${dir}: ${files.length} files`);
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    const read = await attempt(() => table.Table.read(bytes, {}));
    if (!read.ok) {
      console.log(`  ${file}: ${read.error.code}: ${read.error.message}`);
      continue;
    }
    const t = read.value;
    const columns = t.schema().columns;
    const shown = columns.slice(0, 4).map((c) => `${c.name}: ${c.arrowType}`).join(', ');
    const more = columns.length > 4 ? `, … ${columns.length - 4} more` : '';
    console.log(`  ${file}: ${t.sourceFormat()}, ${t.numRows()} rows, ${columns.length} columns, ${bytes.length} bytes`);
    console.log(`      ${shown}${more}`);
    const fp = await attempt(() => t.fingerprint());
    const lz4 = await attempt(() => t.writeIpc(feather));
    const pq = await attempt(() => parquet.write(t, zstdParquet));
    const size = (r) => (r.ok ? `${r.value.length} bytes` : r.error.code);
    console.log(`      fingerprint ${fp.ok ? fp.value.slice(0, 19) : fp.error.code}…  -> Feather v2/LZ4 ${size(lz4)}, Parquet/zstd ${size(pq)}`);
    t[Symbol.dispose]();
  }
  console.log('');
}
