// The demo of `make demo`: reads every sample file through the core component and prints its
// format, rows, batches and schema. Errors are values: the generated bindings throw, so each
// call goes through `attempt`, which turns a throw into a Result.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../gen/core/arrow-core.js';
import { attempt } from './result.mjs';

const dir = process.argv[2] ?? 'testdata/ipc';
const files = readdirSync(dir).filter((f) => !f.endsWith('.json')).sort();
console.log(`arrow-rs-wasm demo: ${files.length} files in ${dir}, each read inside the WASM component\n`);
for (const file of files) {
  const bytes = readFileSync(join(dir, file));
  const read = await attempt(() => table.Table.read(bytes, {}));
  if (!read.ok) {
    console.log(`${file}: ${read.error.code}: ${read.error.message}\n`);
    continue;
  }
  const t = read.value;
  console.log(`${file}: ${t.sourceFormat()}, ${t.numRows()} rows in ${t.numBatches()} batches, ${bytes.length} bytes`);
  for (const c of t.schema().columns) {
    const ext = c.extensionName === undefined ? '' : ` <${c.extensionName}>`;
    console.log(`    ${c.name.padEnd(28)} ${c.arrowType}${c.nullable ? '' : ' not null'}${ext}`);
  }
  const lz4 = await attempt(() =>
    t.writeIpc({ framing: 'file', compression: 'lz4-frame', alignment: 64, metadataVersion: 'v5', legacyFormat: false, dictionaryHandling: 'resend' }),
  );
  console.log(lz4.ok ? `    -> Feather v2 / LZ4: ${lz4.value.length} bytes\n` : `    -> ${lz4.error.message}\n`);
  t[Symbol.dispose]();
}
