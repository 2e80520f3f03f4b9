import { readFile } from 'node:fs/promises';
import { columns, freeTable, initWasm, readTableFromArrayBuffer, tableRows } from 'arrow-rs-wasm';
import {
  col, count, createSession, desc, from, loadAnalytics, mean, query, register, timeBucket,
} from 'arrow-rs-wasm/analytics';

await initWasm();
const plugin = await loadAnalytics();
const session = await createSession();
const trips = await readTableFromArrayBuffer(await readFile('testdata/sample/trips.csv'));
if (!plugin.ok || !session.ok || !trips.ok) {
  console.error('cannot start');
  process.exit(1);
}
await register(session.value, 'trips', trips.value);
await freeTable(trips.value); // the session holds its own copy

// SQL, with the value as a typed parameter (never pasted into the text).
const sql = await query(
  session.value,
  'SELECT payment, count(*) AS n, round(avg(fare), 2) AS avg_fare FROM trips WHERE fare > $1 GROUP BY payment ORDER BY n DESC',
  [20],
);
const rows = sql.ok ? await tableRows(sql.value, 10) : sql;
console.log(rows.ok ? rows.value : rows.error.message);

// The same kind of question through the builder (in TypeScript, `from<Trip>(...)` checks the
// column names against a row type).
const busiest = await from(session.value, 'trips')
  .filter(col('fare').gt(20).and(col('payment').isIn(['card', 'app'])))
  .groupBy('pickup_zone')
  .agg({ n: count(), avg_fare: mean('fare') })
  .orderBy(desc('n'), 'pickup_zone')
  .limit(3)
  .rows();
console.log(busiest.ok ? busiest.value : busiest.error.message);

// Trips per six hours, as typed arrays (no object per row).
const buckets = await from(session.value, 'trips')
  .groupBy({ start: timeBucket(col('pickup'), { hours: 6 }) })
  .agg({ trips: count() })
  .orderBy('start')
  .run();
if (buckets.ok) {
  const cols = await columns(buckets.value);
  if (cols.ok) for (const c of cols.value) console.log(c.name, c.type, c.values);
}

// Errors are values, with the place in the SQL text.
const wrong = await query(session.value, 'SELECT fare FROM trips WHERE fair > 3');
if (!wrong.ok) console.log(`${wrong.error.kind} at ${wrong.error.position?.line}:${wrong.error.position?.column}: ${wrong.error.message}`);
