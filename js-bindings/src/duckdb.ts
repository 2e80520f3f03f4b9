/**
 * Hand-off to DuckDB-wasm and back (`arrow-rs-wasm/duckdb`): a table of ours becomes a DuckDB-wasm
 * table, and a DuckDB-wasm query's answer becomes a table of ours, both through Arrow IPC.
 *
 * The connection is typed by the two methods used, so the package does not depend on DuckDB-wasm
 * and either of its connections fits: `DuckDBConnection` (the blocking bindings) and
 * `AsyncDuckDBConnection` (the worker). DuckDB-wasm throws; these return `Result`s.
 *
 * ```ts
 * import { initWasm, readTableFromArrayBuffer } from 'arrow-rs-wasm';
 * import { fromDuckDB, toDuckDB } from 'arrow-rs-wasm/duckdb';
 *
 * await initWasm();
 * const trips = await readTableFromArrayBuffer(parquetBytes); // any codec: decoded inside the core
 * if (trips.ok) {
 *   const sent = await toDuckDB(conn, trips.value, { name: 'trips' });
 *   const answer = await fromDuckDB(conn, 'SELECT payment, count(*) AS n FROM trips GROUP BY payment');
 * }
 * ```
 *
 * @module
 */
import { getSchemaSummary, readTableFromArrayBuffer, writeTableToIpc } from './index.js';
import type { TableHandle } from './index.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';

/** Where {@link toDuckDB} puts a table (DuckDB-wasm's `ArrowInsertOptions`). */
export interface DuckDBInsertOptions {
  /** The table's name. */
  readonly name: string;
  /** The schema (namespace) to create it in; DuckDB-wasm's default (`main`) when absent. */
  readonly schema?: string;
  /** Create the table (the default), or append to an existing one with the same columns (`false`). */
  readonly create?: boolean;
}

/** What {@link fromDuckDB} calls on DuckDB-wasm's bindings (`DuckDBBindings`, `AsyncDuckDB`). */
export interface DuckDBQueryRunner {
  /** Runs `text` on the connection `conn`; the whole answer as Arrow IPC (a file, in 1.32). */
  runQuery(conn: number, text: string): Uint8Array | Promise<Uint8Array>;
}

/** The part of a DuckDB-wasm connection the hand-off uses. */
export interface DuckDBConnectionLike {
  /** Inserts an Arrow IPC stream as a table. */
  insertArrowFromIPCStream(buffer: Uint8Array, options: DuckDBInsertOptions): void | Promise<void>;
  /** Lends the bindings and the connection's id to `callback`. */
  useUnsafe<R>(callback: (bindings: DuckDBQueryRunner, conn: number) => R): R;
}

// Types DuckDB-wasm 1.32 refuses ("Unsupported Internal Arrow Type"), named in its error so the
// caller knows which columns to cast; the refusal itself stays DuckDB-wasm's to make.
const REFUSED_TYPES = /\bFloat16\b|\bDecimal256\(/;

/** DuckDB-wasm's error text: its JSON-wrapped errors unwrapped to type and message. */
function duckMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const m = /"exception_type":"([^"]*)","exception_message":"((?:\\.|[^"\\])*)"/.exec(text);
  if (m === null) return text;
  const message = (m[2] ?? '').replace(/\\(["\\/])/g, '$1').replace(/\\n/g, '\n');
  return `${m[1] ?? ''} Error: ${message}`;
}

/** `call`'s value, or what it threw (synchronously or as a rejection) as DuckDB-wasm's text. */
function settle<T>(call: () => T | Promise<T>): Promise<Result<T>> {
  return Promise.resolve()
    .then(call)
    .then(
      (value) => ok(value),
      (e: unknown) => err('invalid-argument', `DuckDB-wasm: ${duckMessage(e)}`),
    );
}

/**
 * Copies a table into DuckDB-wasm as the table `options.name`.
 *
 * The table crosses as an uncompressed IPC stream, the one form DuckDB-wasm's reader (Arrow C++
 * built without codecs) takes: compressed bodies (LZ4, ZSTD) are refused, and an IPC file
 * (Feather v2) is dropped without an error while the connection stays mid-stream, losing the
 * inserts after it. A table read from compressed Parquet or Feather was decompressed by the core
 * when it was read, so any source works.
 *
 * DuckDB-wasm refuses `Float16` and `Decimal256` columns (`unsupported-format`, naming them: cast
 * them first); its other refusals (a table that exists, with `create` left on) are
 * `invalid-argument` with DuckDB-wasm's message. Dictionary, large and view strings arrive as
 * `VARCHAR`, time-zoned timestamps as `TIMESTAMPTZ` (the instant kept, the zone name not).
 *
 * @param conn - A DuckDB-wasm connection (blocking or async).
 * @param table - The table to copy; it stays live and unchanged.
 * @param options - The name to give it, and where.
 */
export async function toDuckDB(conn: DuckDBConnectionLike, table: TableHandle, options: DuckDBInsertOptions): Promise<Result<void>> {
  const ipc = await writeTableToIpc(table, { format: 'stream', compression: 'none' });
  if (!ipc.ok) return ipc;
  const insert: DuckDBInsertOptions = { name: options.name, schema: options.schema, create: options.create };
  const inserted = await settle(() => conn.insertArrowFromIPCStream(ipc.value, insert));
  if (inserted.ok) return ok(undefined);
  const schema = await getSchemaSummary(table);
  const refused = schema.ok ? schema.value.columns.filter((c) => REFUSED_TYPES.test(c.arrowType)) : [];
  if (refused.length === 0) return inserted;
  const columns = refused.map((c) => `${c.name} (${c.arrowType})`).join(', ');
  return err('unsupported-format', `${inserted.error.message}; DuckDB-wasm takes no Float16 or Decimal256: cast ${columns} first (to Float32, Decimal128)`);
}

/**
 * Runs a query in DuckDB-wasm and reads its answer as a table of ours.
 *
 * The answer is the Arrow IPC DuckDB-wasm writes (an IPC file, though it reads only streams),
 * read by the core as it comes: no apache-arrow JS `Table` is built and written again on the way,
 * which also keeps intervals exact (apache-arrow 17, DuckDB-wasm's, writes month-day-nano
 * intervals with their nanoseconds cut to 32 bits). (A result already held as an apache-arrow
 * `Table` crosses with `tableToIPC(result, 'stream')` from the apache-arrow copy DuckDB-wasm
 * loaded: another copy's writer does not recognise the `Table` and writes nothing.)
 *
 * DuckDB-wasm's errors (syntax, binding, execution) are `invalid-argument` with its message.
 *
 * @param conn - A DuckDB-wasm connection (blocking or async).
 * @param sql - One statement in DuckDB's SQL.
 */
export async function fromDuckDB(conn: DuckDBConnectionLike, sql: string): Promise<Result<TableHandle>> {
  const answer = await settle(() => conn.useUnsafe((bindings, id) => bindings.runQuery(id, sql)));
  if (!answer.ok) return answer;
  // Detected rather than named: 1.32 writes an IPC file, other versions may write a stream.
  return readTableFromArrayBuffer(answer.value);
}
