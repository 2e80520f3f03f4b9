/**
 * arrow-rs-wasm: Apache Arrow IPC, Feather and Parquet (LZ4 and ZSTD included), CSV and NDJSON,
 * read and written inside a WebAssembly component, for Node and browsers.
 *
 * Tables stay inside the component behind {@link TableHandle}s; bytes go in and out. Every function
 * returns a `Promise<Result<T>>` and never throws:
 *
 * ```ts
 * import { initWasm, readTableFromArrayBuffer, getSchemaSummary, writeTableToIpc, freeTable } from 'arrow-rs-wasm';
 *
 * const ready = await initWasm();
 * if (!ready.ok) console.error(ready.error.message);
 * const read = await readTableFromArrayBuffer(bytes);
 * if (read.ok) {
 *   const schema = await getSchemaSummary(read.value);
 *   const lz4 = await writeTableToIpc(read.value, { compression: 'lz4' });
 *   await freeTable(read.value);
 * }
 * ```
 *
 * @module
 */
import type { CoreTable, TableHandle, WasmSource } from './runtime.js';
import { adopt, dispose, init, liveCount, onTrap, release, remember, forget, run, withTable } from './runtime.js';
import { ok } from './result.js';
import type { Result } from './result.js';
import type {
  ArrowPlugin,
  Bytes,
  CoreInfo,
  CsvReadOptions,
  CsvWriteOptions,
  DataFormat,
  IpcWriteOptions,
  NdjsonReadOptions,
  NdjsonWriteOptions,
  Output,
  ParquetMetadata,
  ParquetReadOptions,
  ParquetWriteOptions,
  PluginInfo,
  ReadOptions,
  SchemaSummary,
  TableInfo,
  ValidationReport,
  WasmInitOptions,
} from './types.js';
import { charCode, ipcWriteOptions, output, parquetReadOptions, parquetWriteOptions, u32, u64, view } from './convert.js';

/** The result and error types (see `result`). */
export type { ArrowError, CoreErrorCode, Err, ErrorCode, Ok, RegistryRefusal, Result } from './result.js';
/** Builders of results, for functions of your own that return them. */
export { ok, err } from './result.js';
/** The table handle and the core loading types. */
export type { TableHandle, TrapListener, WasmSource } from './runtime.js';
/** The bytes the calls take and give, their options and the records they return (see `types`). */
export type {
  ArrowPlugin,
  Bytes,
  CoreInfo,
  CsvReadOptions,
  CsvWriteOptions,
  IpcWriteOptions,
  NdjsonReadOptions,
  NdjsonWriteOptions,
  Output,
  ParquetColumnChunk,
  ParquetMetadata,
  ParquetReadOptions,
  ParquetRowGroup,
  ParquetWriteOptions,
  Problem,
  ReadOptions,
  TableInfo,
  ValidationReport,
  WasmInitOptions,
} from './types.js';
/** The core's own record types, as jco declares them from its WIT. */
export type { ColumnInfo, DataFormat, ExtensionClaim, FieldSpec, KeyValue, ParquetCompression, PluginInfo, SchemaSummary } from './types.js';
export { columns, type Column, type ColumnValues } from './columns.js';

/**
 * Compiles and instantiates the core. Call it once before anything else; later calls return the
 * first call's outcome, except after a failure, which may be retried.
 *
 * @param source - The core module (`gen/core/arrow-core.core.wasm` of the package) as bytes, a
 *   compiled `WebAssembly.Module`, a `Response` or a URL; by default it is loaded from beside the
 *   package (with `fetch` in browsers and from the file system in Node).
 * @param opts - Optional settings.
 */
export async function initWasm(source?: WasmSource, opts?: WasmInitOptions): Promise<Result<CoreInfo>> {
  const started = await init(source);
  if (!started.ok) return started;
  if (opts?.onTrap !== undefined) onTrap(opts.onTrap);
  return run((core) => ({ apiVersion: core.registry.coreApiVersion(), formats: core.table.readableFormats() }));
}

/**
 * Reads Arrow IPC (file or stream), Feather v1/v2, Parquet, CSV or NDJSON bytes, detecting the
 * format unless told. The bytes are copied into the component; the table stays there.
 */
export async function readTableFromArrayBuffer(data: Bytes, options: ReadOptions = {}): Promise<Result<TableHandle>> {
  const max = u64(options.maxDecompressedBytes, 'maxDecompressedBytes');
  if (!max.ok) return max;
  const batch = u32(options.batchSize, 'batchSize');
  if (!batch.ok) return batch;
  const bytes = view(data);
  return run((core, gen) =>
    adopt(
      core.table.Table.read(bytes, {
        format: options.format,
        columns: options.columns === undefined ? undefined : [...options.columns],
        batchSize: batch.value,
        maxDecompressedBytes: max.value,
      }),
      gen,
    ),
  );
}

/** The format of some leading bytes (the first 8 KiB are plenty), or `unknown-format`. */
export async function detectFormat(head: Bytes): Promise<Result<DataFormat>> {
  const bytes = view(head);
  return run((core) => core.table.detectFormat(bytes));
}

/** Reads Parquet with Parquet's own choices: row groups, row offset and limit. */
export async function readParquet(data: Bytes, options: ParquetReadOptions = {}): Promise<Result<TableHandle>> {
  const o = parquetReadOptions(options);
  if (!o.ok) return o;
  const bytes = view(data);
  return run((core, gen) => adopt(core.parquet.read(bytes, o.value), gen));
}

/** Reads a Parquet footer: row groups, column chunks, codecs, sizes. */
export async function getParquetMetadata(data: Bytes): Promise<Result<ParquetMetadata>> {
  const bytes = view(data);
  return run((core) => {
    const m = core.parquet.metadata(bytes);
    return {
      numRows: Number(m.numRows),
      version: m.version,
      createdBy: m.createdBy,
      keyValueMetadata: m.keyValueMetadata,
      schema: m.schema,
      rowGroups: m.rowGroups.map((g) => ({
        numRows: Number(g.numRows),
        totalByteSize: Number(g.totalByteSize),
        compressedSize: Number(g.compressedSize),
        columns: g.columns.map((c) => ({
          path: c.path,
          physicalType: c.physicalType,
          compression: c.compression,
          compressedSize: Number(c.compressedSize),
          uncompressedSize: Number(c.uncompressedSize),
          numValues: Number(c.numValues),
          nullCount: c.nullCount === undefined ? undefined : Number(c.nullCount),
        })),
      })),
    };
  });
}

/** Reads CSV text. A bad record fails with `malformed-input` naming its line. */
export async function readCsv(data: Bytes, options: CsvReadOptions = {}): Promise<Result<TableHandle>> {
  const delimiter = charCode(options.delimiter ?? ',', 'delimiter');
  // The WIT's absent quote means no quoting; the façade's documented default is `"`.
  const quote = charCode(options.quote ?? '"', 'quote');
  const escape = charCode(options.escape, 'escape');
  const comment = charCode(options.comment, 'comment');
  const infer = u32(options.inferRows, 'inferRows');
  const batch = u32(options.batchSize, 'batchSize');
  for (const r of [delimiter, quote, escape, comment, infer, batch]) if (!r.ok) return r;
  const bytes = view(data);
  return run((core, gen) =>
    adopt(
      core.csv.read(bytes, {
        hasHeader: options.hasHeader ?? true,
        delimiter: delimiter.ok ? (delimiter.value ?? 44) : 44,
        quote: quote.ok ? quote.value : undefined,
        escape: escape.ok ? escape.value : undefined,
        comment: comment.ok ? comment.value : undefined,
        nullValues: [...(options.nullValues ?? [])],
        schema: options.schema === undefined ? undefined : [...options.schema],
        inferRows: infer.ok ? infer.value : undefined,
        batchSize: batch.ok ? batch.value : undefined,
        columns: options.columns === undefined ? undefined : [...options.columns],
      }),
      gen,
    ),
  );
}

/** Reads newline-delimited JSON: objects become structs, arrays lists. */
export async function readNdjson(data: Bytes, options: NdjsonReadOptions = {}): Promise<Result<TableHandle>> {
  const infer = u32(options.inferRows, 'inferRows');
  const batch = u32(options.batchSize, 'batchSize');
  for (const r of [infer, batch]) if (!r.ok) return r;
  const bytes = view(data);
  return run((core, gen) =>
    adopt(
      core.ndjson.read(bytes, {
        schema: options.schema === undefined ? undefined : [...options.schema],
        inferRows: infer.ok ? infer.value : undefined,
        batchSize: batch.ok ? batch.value : undefined,
        columns: options.columns === undefined ? undefined : [...options.columns],
        strict: options.strict ?? false,
      }),
      gen,
    ),
  );
}

/** The schema of a table: column names, Arrow types, nullability, metadata, plugin claims. */
export async function getSchemaSummary(handle: TableHandle): Promise<Result<SchemaSummary>> {
  return withTable(handle, (t) => t.schema());
}

/** Rows, columns, batches, source format and codecs of a table. */
export async function getTableInfo(handle: TableHandle): Promise<Result<TableInfo>> {
  return withTable(handle, (t) => ({
    numRows: Number(t.numRows()),
    numColumns: t.numColumns(),
    numBatches: t.numBatches(),
    sourceFormat: t.sourceFormat(),
    sourceCompression: t.sourceCompression(),
  }));
}

/** The number of rows of a table. */
export async function numRows(handle: TableHandle): Promise<Result<number>> {
  return withTable(handle, (t) => Number(t.numRows()));
}

/** A hash of the table's logical content: equal tables give equal fingerprints, whatever the format or batching. */
export async function tableFingerprint(handle: TableHandle): Promise<Result<string>> {
  return withTable(handle, (t) => t.fingerprint());
}

/** Rows `offset` to `offset + length` (clamped to the end) as a new table, without copying. */
export async function sliceTable(handle: TableHandle, offset: number, length: number): Promise<Result<TableHandle>> {
  const o = u64(offset, 'offset');
  const l = u64(length, 'length');
  if (!o.ok) return o;
  if (!l.ok) return l;
  return withTable(handle, (t, _core, gen) => adopt(t.slice(o.value ?? 0n, l.value ?? 0n), gen));
}

/** The named columns, in the order given, as a new table. */
export async function selectColumns(handle: TableHandle, columns: readonly string[]): Promise<Result<TableHandle>> {
  return withTable(handle, (t, _core, gen) => adopt(t.select([...columns]), gen));
}

/** The rows where `mask` is true (one entry per row) as a new table. */
export async function filterTable(handle: TableHandle, mask: readonly boolean[]): Promise<Result<TableHandle>> {
  return withTable(handle, (t, _core, gen) => adopt(t.filter([...mask]), gen));
}

/** The tables one after the other (same schema) as a new table. */
export async function concatTables(handles: readonly TableHandle[]): Promise<Result<TableHandle>> {
  const tables: CoreTable[] = [];
  for (const h of handles) {
    const t = await withTable(h, (table) => table);
    if (!t.ok) return t;
    tables.push(t.value);
  }
  return run((core, gen) => adopt(core.table.Table.concat(tables), gen));
}

/** Frees a table inside the component. Freeing twice is an `Err` with code `closed`. */
export async function freeTable(handle: TableHandle): Promise<Result<void>> {
  return release(handle);
}

/** How many tables are live (read and not freed): a leak check. */
export async function liveTableCount(): Promise<Result<number>> {
  return ok(liveCount());
}

/**
 * Writes a table as Arrow IPC (an Arrow file, which is Feather v2, or a stream).
 *
 * @param options - The options, or `true` for LZ4 (the specification's `enableLz4` flag).
 */
export async function writeTableToIpc(handle: TableHandle, options: IpcWriteOptions | boolean = {}): Promise<Result<Output>> {
  const o = ipcWriteOptions(options);
  return withTable(handle, (t) => output(t.writeIpc(o)));
}

/** Writes a table as Parquet. */
export async function writeTableToParquet(handle: TableHandle, options: ParquetWriteOptions = {}): Promise<Result<Output>> {
  const o = parquetWriteOptions(options);
  if (!o.ok) return o;
  return withTable(handle, (t, core) => output(core.parquet.write(t, o.value)));
}

/** Writes a table as CSV (nested columns are refused with `unsupported-format`). */
export async function writeTableToCsv(handle: TableHandle, options: CsvWriteOptions = {}): Promise<Result<Output>> {
  const delimiter = charCode(options.delimiter ?? ',', 'delimiter');
  const quote = charCode(options.quote ?? '"', 'quote');
  if (!delimiter.ok) return delimiter;
  if (!quote.ok) return quote;
  return withTable(handle, (t, core) =>
    output(core.csv.write(t, {
      header: options.header ?? true,
      delimiter: delimiter.value ?? 44,
      quote: quote.value ?? 34,
      nullValue: options.nullValue ?? '',
    })),
  );
}

/** Writes a table as newline-delimited JSON, one object per row. */
export async function writeTableToNdjson(handle: TableHandle, options: NdjsonWriteOptions = {}): Promise<Result<Output>> {
  return withTable(handle, (t, core) => output(core.ndjson.write(t, { explicitNulls: options.explicitNulls ?? false })));
}

/**
 * The first `limit` rows as plain objects (through NDJSON): for previews and tests, not bulk
 * export. 64-bit integers beyond 2^53 lose precision, binary is hex text, timestamps RFC 3339;
 * NaN and ±Infinity come out as `null` (JSON has no such numbers), and columns sharing a name
 * collapse into one key (the last wins). Union columns have no JSON form: `unsupported-format`
 * naming them (select the others first).
 */
export async function tableRows(handle: TableHandle, limit: number): Promise<Result<Record<string, unknown>[]>> {
  const n = u64(limit, 'limit');
  if (!n.ok) return n;
  const text = await withTable(handle, (t, core) => {
    const head = t.slice(0n, n.value ?? 0n);
    const bytes = Promise.resolve().then(() => core.ndjson.write(head, { explicitNulls: true }));
    return bytes.finally(() => dispose(head)).then((b) => new TextDecoder().decode(b));
  });
  if (!text.ok) return text;
  const lines = text.value.split('\n').filter((line) => line.length > 0);
  return ok(lines.map((line): Record<string, unknown> => JSON.parse(line)));
}

/** Checks bytes deeply (decoding, array invariants, IPC footer, Parquet statistics) and lists every problem. */
export async function validateBytes(data: Bytes, options: ReadOptions = {}): Promise<Result<ValidationReport>> {
  const max = u64(options.maxDecompressedBytes, 'maxDecompressedBytes');
  if (!max.ok) return max;
  const bytes = view(data);
  return run((core) => {
    const r = core.validation.validate(bytes, {
      format: options.format,
      columns: options.columns === undefined ? undefined : [...options.columns],
      maxDecompressedBytes: max.value,
    });
    return { format: r.format, numRows: Number(r.numRows), numBatches: r.numBatches, checks: r.checks, problems: r.problems };
  });
}

/**
 * Registers a plugin with the core: its identity and the extension types it claims are checked
 * (a refusal is an `Err` with `refusal` set), then claimed columns show `ownerPlugin` in schemas.
 * Registrations survive a trap.
 */
export async function registerPlugin(plugin: ArrowPlugin): Promise<Result<PluginInfo>> {
  const done = await run((core) => core.registry.register(plugin.info));
  if (!done.ok) return done;
  remember(plugin.info);
  return ok(plugin.info);
}

/** Checks a plugin's info as registration would, without registering it. */
export async function validatePlugin(plugin: ArrowPlugin): Promise<Result<PluginInfo>> {
  const done = await run((core) => core.registry.validate(plugin.info));
  return done.ok ? ok(plugin.info) : done;
}

/** Unregisters a plugin by id; `not-registered` if it is not. */
export async function unregisterPlugin(id: string): Promise<Result<void>> {
  const done = await run((core) => core.registry.unregister(id));
  if (done.ok) forget(id);
  return done;
}

/** The registered plugins. */
export async function listPlugins(): Promise<Result<readonly PluginInfo[]>> {
  return run((core) => core.registry.plugins());
}
