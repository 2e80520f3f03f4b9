import { readFile, writeFile } from 'node:fs/promises';
import {
  initWasm, readTableFromArrayBuffer, getSchemaSummary, tableRows, writeTableToParquet, freeTable,
} from 'arrow-rs-wasm';

const ready = await initWasm();
if (!ready.ok) {
  console.error(`cannot start: ${ready.error.message}`);
  process.exit(1);
}

const read = await readTableFromArrayBuffer(await readFile('testdata/sample/trips.csv'));
if (!read.ok) {
  console.error(`${read.error.code}: ${read.error.message}`);
  process.exit(1);
}
const trips = read.value;

const schema = await getSchemaSummary(trips);
if (schema.ok) console.log(schema.value.columns.map((c) => `${c.name}: ${c.arrowType}`).join('\n'));

const head = await tableRows(trips, 3);
if (head.ok) console.table(head.value);

const parquet = await writeTableToParquet(trips, { compression: 'zstd' });
if (parquet.ok) {
  await writeFile(process.argv[2] ?? 'trips.parquet', parquet.value);
  console.log(`wrote ${parquet.value.length} bytes of Parquet`);
}

await freeTable(trips);
const again = await freeTable(trips);
if (!again.ok) console.log(`a second free is an error value, not an exception: ${again.error.code}`);
