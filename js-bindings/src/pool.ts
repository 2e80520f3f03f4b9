/**
 * A pool of workers (Node `worker_threads` or browser Web Workers), each running its own core
 * instance, so that big jobs run off the main thread and across cores:
 *
 * ```ts
 * import { createWorkerPool } from 'arrow-rs-wasm/pool';
 *
 * const pool = await createWorkerPool({ size: 2 });
 * if (pool.ok) {
 *   const parts = [0, 1, 2, 3].map((g) =>
 *     pool.value.run({ input: file, format: 'parquet', rowGroups: [g], output: { ipc: { compression: 'lz4' } } }),
 *   );
 *   for (const part of await Promise.all(parts)) if (part.ok) console.log(part.value.rows, part.value.bytes?.byteLength);
 *   await pool.value.close();
 * }
 * ```
 *
 * The core is compiled once, on the calling thread, and the compiled modules are posted to each
 * worker, which only instantiates them. Tasks wait in one queue and go to whichever worker is
 * free, so a slow task does not hold up the others. Results come back with their bytes
 * transferred, not copied. A worker that dies (it exits, throws outside a task, or outlives
 * `taskTimeoutMs`) is replaced, and its task runs again on another worker up to `maxAttempts`
 * times; after that the task's result is an `Err` with code `worker-failed`.
 *
 * `query` runs SQL (the analytics plugin's) over a Parquet file or a list of IPC buffers on every
 * worker at once: each worker groups its row groups or buffers into partial states, and the
 * calling thread merges them into the answer, a table handle of its own core:
 *
 * ```ts
 * const answer = await pool.value.query({
 *   input: file,
 *   sql: 'SELECT key, count(*) AS n, avg(value) AS a FROM t WHERE value > $1 GROUP BY key',
 *   params: [0],
 *   onProgress: (p) => console.log(`${p.partsDone}/${p.partsTotal} parts, ${p.rowsProduced} rows`),
 * });
 * ```
 *
 * Workers load the plugin only when a query comes (a pool that only converts never does).
 *
 * @module
 */
import * as arrow from './index.js';
import { compileComponent, compileCore, initCompiled } from './runtime.js';
import type { CoreModules, TableHandle, WasmSource } from './runtime.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';
import { blobRanges, httpRanges, readIpcStream, readParquetRanges } from './stream.js';
import type { Progress, RangeSource, TableStream } from './stream.js';
import { view } from './convert.js';
import type { AnalyticsResult, ParamValue, Session } from './session.js';
import type {
  Bytes,
  CsvWriteOptions,
  DataFormat,
  IpcWriteOptions,
  NdjsonWriteOptions,
  Output,
  ParquetWriteOptions,
  SchemaSummary,
} from './types.js';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** How many workers: by default one fewer than the machine's hardware threads, at least one. */
  readonly size?: number;
  /** The core module, as for `initWasm`: bytes, a compiled module, a `Response` or a URL. */
  readonly wasm?: WasmSource;
  /**
   * A module whose exports are {@link TaskHandler}s, run with {@link WorkerPool.call}: a URL that
   * the workers can import (absolute, or a `file:` URL in Node).
   */
  readonly handlers?: string | URL;
  /** How many times a task may start before a dying worker fails it (default 2: one retry). */
  readonly maxAttempts?: number;
  /** Milliseconds after which a worker still busy with one task gets killed and replaced. */
  readonly taskTimeoutMs?: number;
  /**
   * The location of the package's `dist/worker.js`, for bundlers that move it; by default, beside
   * the pool's own module.
   */
  readonly workerUrl?: string | URL;
  /**
   * The analytics plugin's module for {@link WorkerPool.query}, as `loadAnalytics` takes it; by
   * default loaded from beside the package. It is compiled once, here, at the first query, and
   * the compiled module is posted to the workers.
   */
  readonly analyticsWasm?: WasmSource;
}

/** How a {@link PoolTask} writes its table. */
export type PoolOutputFormat =
  | {
      /** Arrow IPC (a stream with `format: 'stream'`, else a file). */
      readonly ipc: IpcWriteOptions;
    }
  | {
      /** Parquet. */
      readonly parquet: ParquetWriteOptions;
    }
  | {
      /** CSV with a header. */
      readonly csv: CsvWriteOptions;
    }
  | {
      /** NDJSON. */
      readonly ndjson: NdjsonWriteOptions;
    }
  | 'summary';

/**
 * The pool's built-in task: read some input, keep some of it, write it out (or only summarise it).
 * Parquet from a `Blob` or a URL is read by ranges, one row group at a time, so a task that asks
 * for one row group of a large file reads only that row group's bytes.
 */
export interface PoolTask {
  /** The bytes, a `Blob`/`File`, or a URL the worker fetches (with `Range` requests for Parquet). */
  readonly input: Bytes | Blob | URL;
  /** The input's format; detected from its first bytes when absent. */
  readonly format?: DataFormat;
  /** Columns to keep, by name, in the order given. */
  readonly columns?: readonly string[];
  /** Parquet only: the row groups to read (all by default). */
  readonly rowGroups?: readonly number[];
  /** Rows to skip first. */
  readonly offset?: number;
  /** The most rows to keep. */
  readonly limit?: number;
  /**
   * What to produce: bytes in a format, or `'summary'` (rows, schema and fingerprint, no bytes).
   */
  readonly output: PoolOutputFormat;
}

/** What a {@link PoolTask} produced. */
export interface PoolTaskOutput {
  /** Rows in the output. */
  readonly rows: number;
  /** The output's schema. */
  readonly schema: SchemaSummary;
  /** The written bytes (absent for `'summary'`). */
  readonly bytes?: Output;
  /** For `'summary'`: the table's content fingerprint (as `tableFingerprint`). */
  readonly fingerprint?: string;
}

/** What a handler learns about the run it is in. */
export interface TaskContext {
  /** 1 on the first run of the task, 2 when it is retried after a worker died, and so on. */
  readonly attempt: number;
  /** The worker's number in the pool (replacements get new numbers). */
  readonly worker: number;
}

/**
 * A function of the `handlers` module, run inside a worker by {@link WorkerPool.call}. It may use
 * the façade (`arrow-rs-wasm`, already initialised in the worker). What it returns is posted
 * back; the buffers of any typed arrays and `ArrayBuffer`s in it are transferred.
 */
export type TaskHandler = (payload: unknown, context: TaskContext) => Result<unknown> | Promise<Result<unknown>>;

/** Options of one task. */
export interface RunOptions {
  /**
   * Buffers to move to the worker instead of copying them (they become unusable here). A task
   * whose buffers were moved cannot be retried if its worker dies.
   */
  readonly transfer?: readonly ArrayBuffer[];
}

/** What the pool has done so far. */
export interface PoolStats {
  /** Live workers. */
  readonly workers: number;
  /** Workers running a task. */
  readonly busy: number;
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks finished (with any result). */
  readonly completed: number;
  /** Tasks run again after their worker died. */
  readonly retried: number;
  /** Workers that died and were replaced. */
  readonly replaced: number;
  /** For each worker started, milliseconds from spawning it to its core being ready. */
  readonly startMs: readonly number[];
}

/** A pool of workers; see the module's overview. */
export interface WorkerPool extends AsyncDisposable {
  /** How many workers it keeps. */
  readonly size: number;
  /** Runs the built-in task on the next free worker. */
  run(task: PoolTask, options?: RunOptions): Promise<Result<PoolTaskOutput>>;
  /**
   * Runs a SQL query over the input on the workers and returns the answer as a table of this
   * thread's core (which it initialises from the pool's modules unless `initWasm` already did).
   * A grouping whose aggregates merge (count, sum, avg, min, max and the rest of the plugin's split
   * aggregation) runs on every worker, a part each, and is merged here; any other query (a
   * median, `count(DISTINCT ...)`, a join, a window, no aggregate at all) runs whole on one
   * worker. The query is first planned here over the input's schema (a Parquet footer, the first
   * batch of the first buffer): SQL errors are the plugin's (with `kind` and `position`) before
   * any worker reads a row, and the workers read only the columns the plan reads. A worker that
   * dies is replaced and its part runs again.
   */
  query(query: PoolQuery): Promise<AnalyticsResult<TableHandle>>;
  /** Runs the `handlers` module's export `name` with `payload` on the next free worker. */
  call<T>(name: string, payload: unknown, options?: RunOptions): Promise<Result<T>>;
  /** Counts of what it has done. */
  stats(): PoolStats;
  /** Stops every worker; queued and running tasks end with `closed`. */
  close(): Promise<void>;
}

/** How far a {@link WorkerPool.query} has got: a streaming read's progress, counted in parts too. */
export interface QueryProgress extends Progress {
  /** Parts whose rows have been aggregated (a query that runs whole is one part). */
  readonly partsDone: number;
  /** Parts in all. */
  readonly partsTotal: number;
}

/** A query of {@link WorkerPool.query}. */
export interface PoolQuery {
  /**
   * The rows: a Parquet file as a `Blob`/`File`, a URL (read with `Range` requests) or bytes, split
   * by row group; or a list of buffers (Arrow IPC, or any format the façade reads), one part each.
   * A single input that is not Parquet is one part.
   */
  readonly input: Bytes | Blob | URL | readonly Bytes[];
  /** One SQL query over the input (DuckDB's dialect, as `query` of `arrow-rs-wasm/analytics`). */
  readonly sql: string;
  /** The query's parameters (`$1`, `$2`, ... or `?`), as `query` takes them. */
  readonly params?: readonly ParamValue[];
  /** The name the input is registered under in the SQL (default `t`). */
  readonly table?: string;
  /** The memory budget in bytes of each session (on a worker and here), as `createSession` takes it. */
  readonly memoryLimit?: number;
  /** Called after each part with how far the query has got. */
  readonly onProgress?: (progress: QueryProgress) => void;
}

/** Messages to a worker. @internal */
export type ToWorker =
  | {
      readonly kind: 'init';
      readonly worker: number;
      readonly modules: readonly (readonly [string, WebAssembly.Module])[];
      readonly handlers?: string;
    }
  | { readonly kind: 'task'; readonly id: number; readonly name: string; readonly payload: unknown; readonly attempt: number };

/** Messages from a worker. @internal */
export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-failed'; readonly result: Result<never> }
  | { readonly kind: 'done'; readonly id: number; readonly result: Result<unknown> };

/** The name the built-in task is called under. @internal */
export const BUILT_IN = '\0convert';

/** The name the query tasks are called under. @internal */
export const QUERY = '\0query';

/** An input as posted to a worker: a URL as `{ url }` (URL objects cannot be cloned). @internal */
export type PostedInput = Bytes | Blob | URL | { readonly url: string };

/** One part of a query's input. @internal */
export interface QueryPart {
  /** Where its rows are. */
  readonly input: PostedInput;
  /** Its format, when the plan knows it. */
  readonly format?: DataFormat;
  /** Parquet: its row groups (all when absent). */
  readonly rowGroups?: readonly number[];
}

/** A query task: read the parts into one table, then run the query or its partial half. @internal */
export interface QueryTask {
  /** The parts, registered together as one table. */
  readonly parts: readonly QueryPart[];
  /** The input's columns to read (all when absent). */
  readonly columns?: readonly string[];
  /** The SQL. */
  readonly sql: string;
  /** Its parameters. */
  readonly params: readonly ParamValue[];
  /** The table's name in the SQL. */
  readonly table: string;
  /** `partial`: split aggregation's first half; `whole`: the full query. */
  readonly mode: 'partial' | 'whole';
  /** The session's memory budget. */
  readonly memoryLimit?: number;
  /** The analytics plugin's main module, compiled on the calling thread. */
  readonly plugin: WebAssembly.Module;
}

/** What a query task posts back. @internal */
export interface QueryTaskOutput {
  /** The partial states or the answer, as an IPC stream. */
  readonly ipc: Output;
  /** Input rows read. */
  readonly rows: number;
}

/** A worker thread of either platform, reduced to what the pool uses. */
interface Port {
  post(message: ToWorker, transfer: readonly Transferable[]): void;
  /** Whether the worker should keep a Node process alive (only while it runs a task). */
  hold(busy: boolean): void;
  terminate(): void;
}

/** What a port reports. */
interface PortEvents {
  message(value: unknown): void;
  died(reason: string): void;
}

type Spawn = (url: URL, events: PortEvents) => Port;

async function spawner(): Promise<Spawn> {
  const WebWorker: unknown = Reflect.get(globalThis, 'Worker');
  if (typeof WebWorker === 'function') {
    return (url, events) => {
      // Written out in full so that bundlers see the worker (`new Worker(new URL(...), ...)`).
      const w = url.href === defaultWorkerUrl().href ? new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) : new Worker(url, { type: 'module' });
      w.addEventListener('message', (e) => events.message(e.data));
      // In a browser an uncaught error leaves the worker running in an unknown state: treat it as dead.
      w.addEventListener('error', (e) => events.died(`the worker failed: ${e.message}`));
      w.addEventListener('messageerror', () => events.died('a message from the worker could not be read'));
      return { post: (m, transfer) => w.postMessage(m, [...transfer]), hold: () => undefined, terminate: () => w.terminate() };
    };
  }
  const threads = await import('node:worker_threads');
  return (url, events) => {
    const w = new threads.Worker(url);
    w.on('message', (m) => events.message(m));
    w.on('error', (e) => events.died(`the worker failed: ${String(e)}`));
    w.on('messageerror', () => events.died('a message from the worker could not be read'));
    w.on('exit', (code) => events.died(`the worker exited with code ${code}`));
    // Idle workers do not keep the process alive (a program that forgets close() still exits);
    // starting and busy ones do.
    return {
      post: (m, transfer) => w.postMessage(m, transfer),
      hold: (busy) => (busy ? w.ref() : w.unref()),
      terminate: () => void w.terminate(),
    };
  };
}

function defaultWorkerUrl(): URL {
  return new URL('./worker.js', import.meta.url);
}

async function defaultSize(): Promise<number> {
  const browserThreads: unknown = Reflect.get(globalThis, 'navigator') === undefined ? undefined : Reflect.get(navigator, 'hardwareConcurrency');
  const threads = typeof browserThreads === 'number' ? browserThreads : (await import('node:os')).availableParallelism();
  return Math.max(1, threads - 1);
}

interface Pending {
  readonly id: number;
  readonly name: string;
  readonly payload: unknown;
  readonly transfer: readonly ArrayBuffer[];
  attempts: number;
  readonly settle: (result: Result<unknown>) => void;
}

interface Slot {
  readonly number: number;
  readonly port: Port;
  readonly spawnedAt: number;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  task?: Pending;
  timer?: ReturnType<typeof setTimeout>;
}

function positive(value: number | undefined, fallback: number, name: string): Result<number> {
  if (value === undefined) return ok(fallback);
  return Number.isInteger(value) && value >= 1 ? ok(value) : err('invalid-argument', `${name} must be a positive integer, not ${value}`);
}

// --- query: split aggregation over the workers -------------------------------------------------

const ANALYTICS_MAIN = 'arrow-analytics.core.wasm';
/** At most this many parts per worker: more parts balance the workers better, each costs a task. */
const PARTS_PER_WORKER = 8;
/** Bytes read from a file's end in one request, in the hope that the Parquet footer fits. */
const TAIL = 64 * 1024;
/** Pieces an IPC buffer is fed to the decoder in, so that its schema costs one batch, not all. */
const PIECE = 1 << 20;

type SessionModule = typeof import('./session.js');

/** Bytes in memory as a range source, read like a Blob or a URL. @internal */
export function memoryRanges(bytes: Uint8Array): RangeSource {
  return { size: bytes.byteLength, read: async (offset, length) => ok(bytes.subarray(offset, offset + length)) };
}

/** A part's size, for progress: its bytes, and its rows when the plan knows them. */
interface PartSize {
  readonly bytes: number;
  readonly rows?: number;
}

/** A query's input cut into parts. */
interface Plan {
  /** One task each (a query that runs whole reads them all in one task). */
  readonly parts: readonly QueryPart[];
  /** Each part's size. */
  readonly sizes: readonly PartSize[];
  /**
   * A table of no rows with the input's schema, to plan the query on (Parquet, and lists of two
   * buffers or more; a single part that is not Parquet goes to a worker unplanned).
   */
  readonly empty?: TableHandle;
}

/** What a query needs of its pool. */
interface QueryContext {
  readonly size: number;
  readonly modules: CoreModules;
  readonly plugin: () => Promise<Result<WebAssembly.Module>>;
  readonly submit: <T>(name: string, payload: unknown) => Promise<Result<T>>;
}

async function freeAll(handles: readonly TableHandle[]): Promise<void> {
  await Promise.all(handles.map((h) => arrow.freeTable(h)));
}

/** The first table of a stream (the rest is closed), or `undefined` when it has none. */
async function firstOf(tables: TableStream): Promise<Result<TableHandle | undefined>> {
  const next = await tables.next();
  await tables.return?.();
  return next.done === true ? ok(undefined) : next.value;
}

async function* pieces(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += PIECE) yield bytes.subarray(at, at + PIECE);
}

/**
 * The stream inside an IPC file: after the magic, padded to 8 or 64 bytes, up to the footer (its
 * length and the magic close the file). `undefined` if it is not found where it should be.
 */
function streamInFile(bytes: Uint8Array): Uint8Array | undefined {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength - 10;
  if (end < 8) return undefined;
  const footer = data.getInt32(end, true);
  for (let at = 8; at <= 64 && at + 4 <= end - footer; at += 8) {
    // A stream's first message opens with the continuation marker.
    if (data.getUint32(at, true) === 0xffffffff) return bytes.subarray(at, end - footer);
  }
  return undefined;
}

/** A table of no rows with the schema of the buffer's table, decoding as little of it as it can. */
async function emptyOf(bytes: Uint8Array): Promise<Result<TableHandle>> {
  const format = await arrow.detectFormat(bytes.subarray(0, 8192));
  if (!format.ok) return format;
  const stream = format.value === 'arrow-stream' ? bytes : format.value === 'arrow-file' ? streamInFile(bytes) : undefined;
  const batch = stream === undefined ? undefined : await firstOf(readIpcStream(pieces(stream)));
  const head = batch?.ok === true ? batch.value : undefined;
  // No batch to be had alone (a stream of none, another format): the whole buffer.
  const table = head === undefined ? await arrow.readTableFromArrayBuffer(bytes, { format: format.value }) : ok(head);
  if (!table.ok) return table;
  const empty = await arrow.sliceTable(table.value, 0, 0);
  await arrow.freeTable(table.value);
  return empty;
}

/** A Parquet file's footer (with its length and magic), or `undefined` when it is not Parquet. */
async function parquetFooter(source: RangeSource): Promise<Result<Uint8Array | undefined>> {
  if (source.size < 12) return ok(undefined);
  const length = Math.min(source.size, TAIL);
  const read = await source.read(source.size - length, length);
  if (!read.ok) return read;
  const tail = read.value;
  const end = tail.byteLength;
  if (end < 8 || new TextDecoder().decode(tail.subarray(end - 4)) !== 'PAR1') return ok(undefined);
  const footer = new DataView(tail.buffer, tail.byteOffset + end - 8, 4).getUint32(0, true) + 8;
  if (footer <= end) return ok(tail.subarray(end - footer));
  if (footer > source.size) return err('malformed-input', `the Parquet footer claims ${footer} bytes of a ${source.size}-byte file`);
  return source.read(source.size - footer, footer);
}

/** A table of no rows with a Parquet file's schema, read from its footer alone. */
async function emptyParquet(source: RangeSource, footer: Uint8Array): Promise<Result<TableHandle>> {
  const start = source.size - footer.byteLength;
  // The reader asks only for the footer, already here.
  const cached: RangeSource = {
    size: source.size,
    read: (offset, length) => (offset >= start ? Promise.resolve(ok(footer.subarray(offset - start, offset - start + length))) : source.read(offset, length)),
  };
  const first = await firstOf(readParquetRanges(cached, { rowGroups: [] }));
  if (!first.ok) return first;
  return first.value === undefined ? err('internal', 'a read of no row groups handed out no table, not even an empty one') : ok(first.value);
}

/**
 * A Parquet file, a URL or bytes: Parquet is cut into runs of row groups (one each, unless there
 * are many); anything else is one part.
 */
async function planSingle(input: Bytes | Blob | URL, workers: number): Promise<Result<Plan>> {
  const opened = input instanceof URL ? await httpRanges(input) : ok(input instanceof Blob ? blobRanges(input) : memoryRanges(view(input)));
  if (!opened.ok) return opened;
  const source = opened.value;
  // Bytes go to the workers as a Blob: posted by reference, read by ranges, not copied per task.
  const posted: PostedInput = input instanceof URL ? { url: input.href } : input instanceof Blob ? input : new Blob([blobPart(view(input))]);
  const footer = await parquetFooter(source);
  if (!footer.ok) return footer;
  if (footer.value === undefined) return ok({ parts: [{ input: posted }], sizes: [{ bytes: source.size }] });
  // The footer alone parses: nothing in it points before the metadata.
  const meta = await arrow.getParquetMetadata(footer.value);
  if (!meta.ok) return meta;
  const groups = meta.value.rowGroups;
  const per = Math.ceil(groups.length / (PARTS_PER_WORKER * workers));
  const parts: QueryPart[] = [];
  const sizes: PartSize[] = [];
  for (let g = 0; g < groups.length && groups.length > 1; g += per) {
    const run = groups.slice(g, g + per);
    parts.push({ input: posted, format: 'parquet', rowGroups: run.map((_, i) => g + i) });
    sizes.push({ bytes: run.reduce((a, r) => a + r.compressedSize, 0), rows: run.reduce((a, r) => a + r.numRows, 0) });
  }
  // One row group (or none) is one part; its empty table still tells which columns to read.
  if (parts.length === 0) {
    parts.push({ input: posted, format: 'parquet' });
    sizes.push({ bytes: source.size, rows: meta.value.numRows });
  }
  const empty = await emptyParquet(source, footer.value);
  return empty.ok ? ok({ parts, sizes, empty: empty.value }) : empty;
}

/** A list of buffers: one part each. */
async function planList(list: readonly Bytes[]): Promise<Result<Plan>> {
  const first = list[0];
  if (first === undefined) return err('invalid-argument', 'the input is an empty list: there is nothing to query');
  const parts = list.map((b): QueryPart => ({ input: b }));
  const sizes = list.map((b): PartSize => ({ bytes: b.byteLength }));
  if (list.length === 1) return ok({ parts, sizes });
  const empty = await emptyOf(view(first));
  return empty.ok ? ok({ parts, sizes, empty: empty.value }) : empty;
}

/** Compiles the analytics plugin's main module (the workers and this thread share it). */
async function compilePlugin(source: WasmSource | undefined): Promise<Result<WebAssembly.Module>> {
  const main = source ?? new URL('../gen/analytics/arrow-analytics.core.wasm', import.meta.url);
  const compiled = await compileComponent([ANALYTICS_MAIN], ANALYTICS_MAIN, main, new URL('../gen/instance/analytics/', import.meta.url));
  if (!compiled.ok) return compiled;
  const module = compiled.value.get(ANALYTICS_MAIN);
  return module === undefined ? err('internal', 'the analytics module was compiled but not kept') : ok(module);
}

/** The bytes over an `ArrayBuffer`, as `Blob` takes them (copied only out of shared memory). */
function blobPart(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.slice();
}

/** The analytics plugin on this thread, loaded from the module compiled for the workers. */
async function analyticsHere(plugin: WebAssembly.Module): Promise<AnalyticsResult<SessionModule>> {
  const s = await import('./session.js').then(ok, (e: unknown) => err('not-initialized', `loading the analytics module: ${String(e)}`));
  if (!s.ok) return s;
  const loaded = await s.value.loadAnalytics(plugin);
  return loaded.ok ? s : loaded;
}

/** The plugin's module (compiled once for the pool) and the plugin loaded on this thread from it. */
async function pluginHere(ctx: QueryContext): Promise<AnalyticsResult<{ readonly module: WebAssembly.Module; readonly s: SessionModule }>> {
  const module = await ctx.plugin();
  if (!module.ok) return module;
  const s = await analyticsHere(module.value);
  return s.ok ? ok({ module: module.value, s: s.value }) : s;
}

/** Counts the parts done and tells the listener. */
function tracker(started: number, sizes: readonly PartSize[], listener: PoolQuery['onProgress']): (bytes: number, rows: number, partsTotal: number) => void {
  const totalBytes = sizes.reduce((a, s) => a + s.bytes, 0);
  const totalRows = sizes.every((s) => s.rows !== undefined) ? sizes.reduce((a, s) => a + (s.rows ?? 0), 0) : undefined;
  let bytesRead = 0;
  let rowsProduced = 0;
  let partsDone = 0;
  return (bytes, rows, partsTotal) => {
    bytesRead += bytes;
    rowsProduced += rows;
    partsDone += 1;
    const elapsedMs = performance.now() - started;
    const done = totalRows !== undefined && totalRows > 0 ? rowsProduced / totalRows : totalBytes > 0 ? bytesRead / totalBytes : 1;
    const etaMs = done > 0 ? (elapsedMs * Math.max(0, 1 - done)) / done : undefined;
    listener?.({ bytesRead, totalBytes, rowsProduced, elapsedMs, etaMs, partsDone, partsTotal });
  };
}

/** The whole query on one worker; its answer read here. */
async function wholeQuery(ctx: QueryContext, task: QueryTask, totalBytes: number, done: ReturnType<typeof tracker>): Promise<AnalyticsResult<TableHandle>> {
  const answered = await ctx.submit<QueryTaskOutput>(QUERY, task);
  if (!answered.ok) return answered;
  done(totalBytes, answered.value.rows, 1);
  return arrow.readTableFromArrayBuffer(answered.value.ipc, { format: 'arrow-stream' });
}

/**
 * The parts' partial states from the workers, merged here in `session` (where the input's empty
 * table is registered).
 */
async function mergeParts(
  ctx: QueryContext,
  s: SessionModule,
  session: Session,
  task: QueryTask,
  sizes: readonly PartSize[],
  done: ReturnType<typeof tracker>,
): Promise<AnalyticsResult<TableHandle>> {
  const total = task.parts.length;
  const outputs = await Promise.all(
    task.parts.map((part, i) =>
      ctx.submit<QueryTaskOutput>(QUERY, { ...task, mode: 'partial', parts: [part] }).then((r) => {
        if (r.ok) done(sizes[i]?.bytes ?? 0, r.value.rows, total);
        return r;
      }),
    ),
  );
  const partials: TableHandle[] = [];
  for (const r of outputs) {
    const read = r.ok ? await arrow.readTableFromArrayBuffer(r.value.ipc, { format: 'arrow-stream' }) : r;
    if (!read.ok) {
      await freeAll(partials);
      return read;
    }
    partials.push(read.value);
  }
  const states = await arrow.concatTables(partials);
  await freeAll(partials);
  if (!states.ok) return states;
  const answer = await s.queryMerge(session, task.sql, states.value, task.params);
  await arrow.freeTable(states.value);
  return answer;
}

/** Whether `at` closes a column list: `]` at the end of the line or before a space. */
function closes(line: string, at: number): boolean {
  return line[at] === ']' && (at + 1 === line.length || line[at + 1] === ' ');
}

/** Every reading of the text at `at` as known names joined by `, ` up to the closing `]`. */
function readings(line: string, at: number, names: readonly string[], first: boolean): string[][] {
  const out: string[][] = first && closes(line, at) ? [[]] : [];
  for (const name of names) {
    if (name.length === 0 || !line.startsWith(name, at)) continue;
    const after = at + name.length;
    if (closes(line, after)) out.push([name]);
    if (line.startsWith(', ', after)) for (const rest of readings(line, after + 2, names, false)) out.push([name, ...rest]);
  }
  return out;
}

/**
 * The input's columns a query reads, from its plan's text (`Scan t (0 rows) columns=[a, b]`), in
 * the input's order; `undefined` (read them all) whenever the text leaves a doubt. Names are
 * matched against the schema's, every reading of an ambiguous list counts (a name may hold `, `).
 */
function scannedColumns(plan: string, names: readonly string[]): readonly string[] | undefined {
  const scans = plan.split('\n').filter((line) => /\bScan\b/.test(line));
  if (scans.length === 0 || new Set(names).size !== names.length) return undefined;
  const used = new Set<string>();
  for (const line of scans) {
    const head = /^\s*Scan \S+ \([^)]*\) columns=\[/.exec(line);
    const found = head === null ? [] : readings(line, head[0].length, names, true);
    if (found.length === 0) return undefined;
    found.flat().forEach((name) => used.add(name));
  }
  const kept = names.filter((name) => used.has(name));
  // A query that reads no column (count(*)) still counts rows: one column carries them.
  return kept.length > 0 ? kept : names.slice(0, 1);
}

/** What this thread learns from the query over the input's empty table. */
interface Shape {
  /** Whether its grouping splits into partial states. */
  readonly split: boolean;
  /** The input's columns it reads (all when absent). */
  readonly columns?: readonly string[];
}

/**
 * The query planned over the input's empty table, registered in `session`: whether it splits,
 * and what it reads. SQL errors come out here, before any worker reads a row.
 */
async function shapeOf(s: SessionModule, session: Session, empty: TableHandle, task: QueryTask): Promise<AnalyticsResult<Shape>> {
  const registered = await s.register(session, task.table, empty);
  if (!registered.ok) return registered;
  const check = await s.queryPartial(session, task.sql, task.params);
  if (check.ok) await arrow.freeTable(check.value);
  else if (check.error.kind !== 'unsupported') return check;
  const [plan, schema] = await Promise.all([s.explain(session, task.sql, task.params), arrow.getSchemaSummary(empty)]);
  const columns = plan.ok && schema.ok ? scannedColumns(plan.value, schema.value.columns.map((c) => c.name)) : undefined;
  return ok({ split: check.ok, columns });
}

async function runQuery(q: PoolQuery, ctx: QueryContext): Promise<AnalyticsResult<TableHandle>> {
  const started = performance.now();
  // The answer is a table of this thread's core: the pool's modules make it, unless initWasm did.
  const core = await initCompiled(ctx.modules);
  if (!core.ok) return core;
  const input = q.input;
  const planning = input instanceof Blob || input instanceof URL || input instanceof ArrayBuffer || ArrayBuffer.isView(input) ? planSingle(input, ctx.size) : planList(input);
  const [loaded, plan] = await Promise.all([pluginHere(ctx), planning]);
  if (!plan.ok) return plan;
  const { parts, sizes, empty } = plan.value;
  if (!loaded.ok) {
    if (empty !== undefined) await arrow.freeTable(empty);
    return loaded;
  }
  const { module, s } = loaded.value;
  const task: QueryTask = { parts, sql: q.sql, params: q.params ?? [], table: q.table ?? 't', mode: 'whole', memoryLimit: q.memoryLimit, plugin: module };
  const done = tracker(started, sizes, q.onProgress);
  const totalBytes = sizes.reduce((a, p) => a + p.bytes, 0);
  // One part that is not Parquet: nothing to split or plan, the worker does it all.
  if (empty === undefined) return wholeQuery(ctx, task, totalBytes, done);
  const made = await s.createSession({ memoryLimit: q.memoryLimit });
  if (!made.ok) {
    await arrow.freeTable(empty);
    return made;
  }
  const session = made.value;
  const shape = await shapeOf(s, session, empty, task);
  await arrow.freeTable(empty);
  const planned = shape.ok ? { ...task, columns: shape.value.columns } : task;
  const answer = shape.ok && shape.value.split && parts.length > 1 ? await mergeParts(ctx, s, session, planned, sizes, done) : undefined;
  s.closeSession(session);
  if (!shape.ok) return shape;
  return answer ?? wholeQuery(ctx, planned, totalBytes, done);
}

/**
 * Starts a pool: compiles the core here, starts the workers and waits until each has instantiated
 * it. An `Err` (`not-initialized`) if the core cannot be compiled or a worker cannot start.
 */
export async function createWorkerPool(options: WorkerPoolOptions = {}): Promise<Result<WorkerPool>> {
  const size = positive(options.size, await defaultSize(), 'size');
  if (!size.ok) return size;
  const maxAttempts = positive(options.maxAttempts, 2, 'maxAttempts');
  if (!maxAttempts.ok) return maxAttempts;
  const timeout = options.taskTimeoutMs;
  if (timeout !== undefined && !(timeout > 0)) return err('invalid-argument', `taskTimeoutMs must be positive, not ${timeout}`);
  const compiled = await compileCore(options.wasm);
  if (!compiled.ok) return compiled;
  const modules: CoreModules = compiled.value;
  const spawn = await spawner();
  const url = options.workerUrl === undefined ? defaultWorkerUrl() : new URL(options.workerUrl, import.meta.url);
  const handlers = options.handlers === undefined ? undefined : String(options.handlers);

  const slots: Slot[] = [];
  const queue: Pending[] = [];
  const startMs: number[] = [];
  let nextTask = 1;
  let nextWorker = 1;
  let completed = 0;
  let retried = 0;
  let replaced = 0;
  let closed = false;
  let startFailure: Result<never> | undefined;
  const waiting = new Set<() => void>();
  const changed = (): void => waiting.forEach((wake) => wake());

  const settle = (task: Pending, result: Result<unknown>): void => {
    completed += 1;
    task.settle(result);
  };

  const pump = (): void => {
    for (const slot of slots) {
      const task = slot.state === 'idle' ? queue.shift() : undefined;
      if (task === undefined) continue;
      task.attempts += 1;
      slot.state = 'busy';
      slot.task = task;
      slot.port.hold(true);
      if (timeout !== undefined) slot.timer = setTimeout(() => kill(slot, `the task ran past taskTimeoutMs (${timeout} ms)`), timeout);
      const message: ToWorker = { kind: 'task', id: task.id, name: task.name, payload: task.payload, attempt: task.attempts };
      // postMessage throws on what it cannot clone (a function, say): the task's error, not the pool's.
      void new Promise<void>((resolve) => resolve(slot.port.post(message, task.transfer))).then(undefined, (e: unknown) => {
        if (slot.task !== task) return;
        clearTimeout(slot.timer);
        slot.task = undefined;
        slot.state = 'idle';
        slot.port.hold(false);
        settle(task, err('invalid-argument', `the task cannot be sent to a worker: ${String(e)}`));
        pump();
      });
    }
  };

  const kill = (slot: Slot, reason: string): void => {
    if (slot.state === 'dead') return;
    const wasStarting = slot.state === 'starting';
    slot.state = 'dead';
    clearTimeout(slot.timer);
    slot.port.terminate();
    slots.splice(slots.indexOf(slot), 1);
    const task = slot.task;
    slot.task = undefined;
    if (task !== undefined) {
      if (closed) settle(task, err('closed', 'the pool was closed'));
      else if (task.attempts < maxAttempts.value && task.transfer.length === 0) {
        retried += 1;
        queue.unshift(task);
      } else {
        const why = task.transfer.length > 0 ? 'its buffers were transferred, so it cannot run again' : `it ran ${task.attempts} times`;
        settle(task, err('worker-failed', `worker ${slot.number} died (${reason}) and ${why}`));
      }
    }
    if (closed) return;
    if (wasStarting) {
      // A worker that cannot even start will not start on a second try either.
      startFailure ??= err('worker-failed', `worker ${slot.number} could not start: ${reason}`);
      if (slots.length === 0) queue.splice(0).forEach((t) => settle(t, startFailure ?? err('worker-failed', reason)));
      changed();
      return;
    }
    replaced += 1;
    add();
    pump();
  };

  const onMessage = (slot: Slot, value: unknown): void => {
    if (typeof value !== 'object' || value === null || slot.state === 'dead') return;
    const message = value as FromWorker;
    if (message.kind === 'ready') {
      slot.state = 'idle';
      slot.port.hold(false);
      startMs.push(performance.now() - slot.spawnedAt);
      changed();
      pump();
    } else if (message.kind === 'init-failed') {
      startFailure = message.result;
      kill(slot, message.result.ok ? 'no reason given' : message.result.error.message);
    } else if (message.kind === 'done' && slot.task?.id === message.id) {
      const task = slot.task;
      clearTimeout(slot.timer);
      slot.task = undefined;
      slot.state = 'idle';
      slot.port.hold(false);
      settle(task, message.result);
      pump();
    }
  };

  const add = (): void => {
    const number = nextWorker;
    nextWorker += 1;
    const events: PortEvents = {
      message: (value) => onMessage(slot, value),
      died: (reason) => kill(slot, reason),
    };
    const slot: Slot = { number, port: spawn(url, events), spawnedAt: performance.now(), state: 'starting' };
    slots.push(slot);
    slot.port.post({ kind: 'init', worker: number, modules: [...modules.entries()], handlers }, []);
  };

  const close = async (): Promise<void> => {
    closed = true;
    queue.splice(0).forEach((t) => settle(t, err('closed', 'the pool was closed')));
    [...slots].forEach((slot) => kill(slot, 'the pool was closed'));
  };

  for (let i = 0; i < size.value; i += 1) add();
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (startFailure !== undefined || slots.every((s) => s.state !== 'starting')) {
        waiting.delete(check);
        resolve();
      }
    };
    waiting.add(check);
    check();
  });
  if (startFailure !== undefined) {
    await close();
    return startFailure;
  }

  const submit = <T>(name: string, payload: unknown, runOptions: RunOptions): Promise<Result<T>> => {
    if (closed) return Promise.resolve(err('closed', 'the pool was closed'));
    if (slots.length === 0) return Promise.resolve(startFailure ?? err('worker-failed', 'no worker of the pool could be started again'));
    const id = nextTask;
    nextTask += 1;
    return new Promise<Result<T>>((resolve) => {
      queue.push({ id, name, payload, transfer: runOptions.transfer ?? [], attempts: 0, settle: (r) => resolve(r as Result<T>) });
      pump();
    });
  };

  let analyticsModule: Promise<Result<WebAssembly.Module>> | undefined;
  const pluginModule = (): Promise<Result<WebAssembly.Module>> => {
    analyticsModule ??= compilePlugin(options.analyticsWasm).then((m) => {
      // A failed compile may be retried by the next query.
      if (!m.ok) analyticsModule = undefined;
      return m;
    });
    return analyticsModule;
  };
  const context: QueryContext = { size: size.value, modules, plugin: pluginModule, submit: (name, payload) => submit(name, payload, {}) };

  const pool: WorkerPool = {
    size: size.value,
    query: (q) => runQuery(q, context),
    // URL objects cannot be posted: the worker gets the text and parses it again.
    run: (task, runOptions = {}) => submit<PoolTaskOutput>(BUILT_IN, task.input instanceof URL ? { ...task, input: { url: task.input.href } } : task, runOptions),
    call: <T>(name: string, payload: unknown, runOptions: RunOptions = {}) => submit<T>(name, payload, runOptions),
    stats: () => ({
      workers: slots.length,
      busy: slots.filter((s) => s.state === 'busy').length,
      queued: queue.length,
      completed,
      retried,
      replaced,
      startMs: [...startMs],
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
  return ok(pool);
}
