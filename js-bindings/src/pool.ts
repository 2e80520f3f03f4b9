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
 * worker at once: one worker plans it, each groups its row groups or buffers into partial states,
 * one merges them, and the answer comes back as a table handle of the calling thread's core:
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
 * Workers load the plugin only when a query comes (a pool that only converts never does). The
 * calling thread never loads it: instantiating it cost a page's main thread 30-36 ms, and even
 * fetching its 14 MB caused stalls, so one worker compiles it (the calling thread posts the module
 * on to the others), planning and merging are worker tasks too, and the calling thread only reads
 * the answer's IPC with its core.
 *
 * @module
 */
import * as arrow from './index.js';
import { compileComponent, compileCore, initCompiled } from './runtime.js';
import type { CoreModules, TableHandle, WasmSource } from './runtime.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';
import type { Progress, RangeSource } from './stream.js';
import { view } from './convert.js';
import type { AnalyticsResult, ParamValue } from './session.js';
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
   * default loaded from beside the package. It is compiled once, on a worker, at the first query
   * (a `Response`, which cannot be posted, is compiled here), and the compiled module is posted
   * to every worker; only they instantiate it.
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
   * aggregation) runs on every worker, a part each, and the partial states are merged on one
   * worker; any other query (a median, `count(DISTINCT ...)`, a join, a window, no aggregate at
   * all) runs whole on one worker. The query is first planned on a worker over the input's schema
   * (a Parquet footer, the first batch of the first buffer): SQL errors are the plugin's (with
   * `kind` and `position`) before any worker reads a row, and the workers read only the columns
   * the plan reads. This thread never loads the plugin. A worker that dies is replaced and its
   * task (compiling the plugin, the plan, a part, the merge) runs again.
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
  /** The memory budget in bytes of each session (one per task, on the workers), as `createSession` takes it. */
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

/** The name the plan tasks of queries are called under. @internal */
export const PLAN = '\0plan';

/** The name the merge tasks of split queries are called under. @internal */
export const MERGE = '\0merge';

/** The name the task that compiles the analytics plugin is called under. @internal */
export const COMPILE = '\0compile';

/** A compile task: the plugin's main module compiled on a worker and posted back. @internal */
export interface CompileTask {
  /** Its bytes, or a URL to fetch them from; beside the package when absent. */
  readonly source?: Bytes | string;
}

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
export interface QueryTask extends QueryBase {
  /** The parts, registered together as one table. */
  readonly parts: readonly QueryPart[];
  /** The input's columns to read (all when absent). */
  readonly columns?: readonly string[];
  /** `partial`: split aggregation's first half; `whole`: the full query. */
  readonly mode: 'partial' | 'whole';
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
//
// Everything that touches the plugin is a worker task (compiling it, planning, a part, merging):
// this thread only cuts the parts and reads the answer's IPC with its core.

const ANALYTICS_MAIN = 'arrow-analytics.core.wasm';
/** At most this many parts per worker: more parts balance the workers better, each costs a task. */
const PARTS_PER_WORKER = 8;

/** Bytes in memory as a range source, read like a Blob or a URL. @internal */
export function memoryRanges(bytes: Uint8Array): RangeSource {
  return { size: bytes.byteLength, read: async (offset, length) => ok(bytes.subarray(offset, offset + length)) };
}

/** A part's size, for progress: its bytes, and its rows when the plan knows them. @internal */
export interface PartSize {
  /** Its bytes (compressed, for a Parquet row group). */
  readonly bytes: number;
  /** Its rows, when known without reading them. */
  readonly rows?: number;
}

/** What the tasks of one query share. @internal */
export interface QueryBase {
  /** The SQL. */
  readonly sql: string;
  /** Its parameters. */
  readonly params: readonly ParamValue[];
  /** The table's name in the SQL. */
  readonly table: string;
  /** The session's memory budget. */
  readonly memoryLimit?: number;
  /** The analytics plugin's main module, compiled once for the pool. */
  readonly plugin: WebAssembly.Module;
}

/**
 * A plan task: the worker reads the input's schema (a Parquet footer, the first batch of a
 * buffer), registers an empty table of it and plans the query there. @internal
 */
export interface PlanTask extends QueryBase {
  /** A single input, or the first buffer of a list. */
  readonly input: PostedInput;
  /**
   * Whether `input` is the first buffer of a list: its schema is its first batch's, whatever its
   * format; a single input is looked at for a Parquet footer, and planned only when it has one.
   */
  readonly list: boolean;
}

/** What a plan learned of the query over the input's empty table. @internal */
export interface Shape {
  /** Whether its grouping splits into partial states. */
  readonly split: boolean;
  /** The input's columns it reads (all when absent). */
  readonly columns?: readonly string[];
  /** The input's empty table as an IPC stream, for the merge to register. */
  readonly empty: Output;
}

/** What a plan task posts back. @internal */
export interface PlanOutput {
  /** The input's bytes. */
  readonly size: number;
  /** Parquet: the file's rows. */
  readonly rows?: number;
  /** Parquet: each row group's compressed bytes and rows (absent for anything else). */
  readonly rowGroups?: readonly PartSize[];
  /** The plan; absent for a single input that is not Parquet (it runs whole, unplanned). */
  readonly shape?: Shape;
}

/** A merge task: the parts' partial states merged into the answer. @internal */
export interface MergeTask extends QueryBase {
  /** The input's empty table as an IPC stream (from the plan), registered under `table`. */
  readonly empty: Output;
  /** Each part's partial states as an IPC stream (copied to the worker, so a retry has them). */
  readonly partials: readonly Output[];
}

/** What a merge task posts back. @internal */
export interface MergeOutput {
  /** The answer, as an IPC stream. */
  readonly ipc: Output;
}

/** A query's input cut into parts. */
interface Plan {
  /** One task each (a query that runs whole reads them all in one task). */
  readonly parts: readonly QueryPart[];
  /** Each part's size. */
  readonly sizes: readonly PartSize[];
  /** The plan (absent for a single part that is not Parquet: it goes to a worker unplanned). */
  readonly shape?: Shape;
}

/** What a query needs of its pool. */
interface QueryContext {
  readonly size: number;
  readonly modules: CoreModules;
  readonly plugin: () => Promise<Result<WebAssembly.Module>>;
  readonly submit: <T>(name: string, payload: unknown) => Promise<Result<T>>;
}

/**
 * A Parquet file, a URL or bytes, planned on a worker: Parquet is cut into runs of row groups (one
 * each, unless there are many); anything else is one part.
 */
async function planSingle(input: Bytes | Blob | URL, base: QueryBase, ctx: QueryContext): Promise<AnalyticsResult<Plan>> {
  // Bytes go to the workers as a Blob: posted by reference, read by ranges, not copied per task.
  const posted: PostedInput = input instanceof URL ? { url: input.href } : input instanceof Blob ? input : new Blob([blobPart(view(input))]);
  const planned = await ctx.submit<PlanOutput>(PLAN, { ...base, input: posted, list: false } satisfies PlanTask);
  if (!planned.ok) return planned;
  const { size, rows, rowGroups, shape } = planned.value;
  if (rowGroups === undefined) return ok({ parts: [{ input: posted }], sizes: [{ bytes: size }] });
  const per = Math.ceil(rowGroups.length / (PARTS_PER_WORKER * ctx.size));
  const parts: QueryPart[] = [];
  const sizes: PartSize[] = [];
  for (let g = 0; g < rowGroups.length && rowGroups.length > 1; g += per) {
    const run = rowGroups.slice(g, g + per);
    parts.push({ input: posted, format: 'parquet', rowGroups: run.map((_, i) => g + i) });
    sizes.push({ bytes: run.reduce((a, r) => a + r.bytes, 0), rows: run.reduce((a, r) => a + (r.rows ?? 0), 0) });
  }
  // One row group (or none) is one part; the plan still tells which columns to read.
  if (parts.length === 0) {
    parts.push({ input: posted, format: 'parquet' });
    sizes.push({ bytes: size, rows });
  }
  return ok({ parts, sizes, shape });
}

/** A list of buffers: one part each, planned on a worker from the first (unless it is alone). */
async function planList(list: readonly Bytes[], base: QueryBase, ctx: QueryContext): Promise<AnalyticsResult<Plan>> {
  const first = list[0];
  if (first === undefined) return err('invalid-argument', 'the input is an empty list: there is nothing to query');
  const parts = list.map((b): QueryPart => ({ input: b }));
  const sizes = list.map((b): PartSize => ({ bytes: b.byteLength }));
  if (list.length === 1) return ok({ parts, sizes });
  const planned = await ctx.submit<PlanOutput>(PLAN, { ...base, input: first, list: true } satisfies PlanTask);
  return planned.ok ? ok({ parts, sizes, shape: planned.value.shape }) : planned;
}

/** Compiles the analytics plugin's main module (by default from beside the package). @internal */
export async function compilePlugin(source: WasmSource | undefined): Promise<Result<WebAssembly.Module>> {
  const main = source ?? new URL('../gen/analytics/arrow-analytics.core.wasm', import.meta.url);
  const compiled = await compileComponent([ANALYTICS_MAIN], ANALYTICS_MAIN, main, new URL('../gen/instance/analytics/', import.meta.url));
  if (!compiled.ok) return compiled;
  const module = compiled.value.get(ANALYTICS_MAIN);
  return module === undefined ? err('internal', 'the analytics module was compiled but not kept') : ok(module);
}

/**
 * The plugin's main module, compiled on a worker and posted back: this thread never fetches or
 * copies its 14 MB (on a busy 2-core machine, a page's fetch of it alone delayed its timers by
 * 30-65 ms), it only posts the module on. A module given is used as it is; a `Response` cannot be
 * posted, so it is compiled here.
 */
function pluginModule(source: WasmSource | undefined, submit: QueryContext['submit']): Promise<Result<WebAssembly.Module>> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(ok(source));
  if (source === undefined || typeof source === 'string' || source instanceof URL || source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return submit<WebAssembly.Module>(COMPILE, { source: source instanceof URL ? source.href : source } satisfies CompileTask);
  }
  return compilePlugin(source);
}

/** The bytes over an `ArrayBuffer`, as `Blob` takes them (copied only out of shared memory). */
function blobPart(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.slice();
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
 * The parts' partial states from the workers, merged on a worker (where the input's empty table
 * is registered from the plan's IPC); the answer read here.
 */
async function splitQuery(ctx: QueryContext, task: QueryTask, empty: Output, sizes: readonly PartSize[], done: ReturnType<typeof tracker>): Promise<AnalyticsResult<TableHandle>> {
  const total = task.parts.length;
  const outputs = await Promise.all(
    task.parts.map((part, i) =>
      ctx.submit<QueryTaskOutput>(QUERY, { ...task, mode: 'partial', parts: [part] } satisfies QueryTask).then((r) => {
        if (r.ok) done(sizes[i]?.bytes ?? 0, r.value.rows, total);
        return r;
      }),
    ),
  );
  const partials: Output[] = [];
  for (const r of outputs) {
    if (!r.ok) return r;
    partials.push(r.value.ipc);
  }
  const { sql, params, table, memoryLimit, plugin } = task;
  // Posted without transfer: a copy of (usually small) states, so a dead worker's merge runs again.
  const merged = await ctx.submit<MergeOutput>(MERGE, { sql, params, table, memoryLimit, plugin, empty, partials } satisfies MergeTask);
  if (!merged.ok) return merged;
  return arrow.readTableFromArrayBuffer(merged.value.ipc, { format: 'arrow-stream' });
}

async function runQuery(q: PoolQuery, ctx: QueryContext): Promise<AnalyticsResult<TableHandle>> {
  const started = performance.now();
  // The answer is a table of this thread's core: the pool's modules make it, unless initWasm did.
  const [core, plugin] = await Promise.all([initCompiled(ctx.modules), ctx.plugin()]);
  if (!core.ok) return core;
  if (!plugin.ok) return plugin;
  const base: QueryBase = { sql: q.sql, params: q.params ?? [], table: q.table ?? 't', memoryLimit: q.memoryLimit, plugin: plugin.value };
  const input = q.input;
  const planned =
    input instanceof Blob || input instanceof URL || input instanceof ArrayBuffer || ArrayBuffer.isView(input)
      ? await planSingle(input, base, ctx)
      : await planList(input, base, ctx);
  if (!planned.ok) return planned;
  const { parts, sizes, shape } = planned.value;
  const done = tracker(started, sizes, q.onProgress);
  const task: QueryTask = { ...base, parts, columns: shape?.columns, mode: 'whole' };
  if (shape !== undefined && shape.split && parts.length > 1) return splitQuery(ctx, task, shape.empty, sizes, done);
  return wholeQuery(ctx, task, sizes.reduce((a, p) => a + p.bytes, 0), done);
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

  // A query's own tasks: nothing transferred, so each can run again if its worker dies.
  const queryTask = <T>(name: string, payload: unknown): Promise<Result<T>> => submit<T>(name, payload, {});
  let analyticsModule: Promise<Result<WebAssembly.Module>> | undefined;
  const plugin = (): Promise<Result<WebAssembly.Module>> => {
    analyticsModule ??= pluginModule(options.analyticsWasm, queryTask).then((m) => {
      // A failed compile may be retried by the next query.
      if (!m.ok) analyticsModule = undefined;
      return m;
    });
    return analyticsModule;
  };
  const context: QueryContext = { size: size.value, modules, plugin, submit: queryTask };

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
