/**
 * The module a pool's workers run (see `pool`): it instantiates the core from the modules the pool
 * posts, then runs tasks one at a time, posting back each result with its buffers transferred.
 * Internal: started by `createWorkerPool`, never imported by applications.
 *
 * The tasks of `pool.query` (a plan, a part, a merge) load the analytics plugin on first use,
 * from the module the pool compiled (on a worker too, with a compile task), with a dynamic
 * import: a worker that only converts never loads it. Compiling, planning and merging run here
 * rather than on the calling thread so that a page's main thread never loads the plugin.
 *
 * @module
 */
import * as arrow from './index.js';
import { blobRanges, httpRanges, readIpcStream, readParquetRanges } from './stream.js';
import type { RangeSource, TableStream } from './stream.js';
import { initCompiled } from './runtime.js';
import type { TableHandle } from './runtime.js';
import type { Output } from './types.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';
import { view } from './convert.js';
import { BUILT_IN, COMPILE, MERGE, PLAN, QUERY, compilePlugin, memoryRanges } from './pool.js';
import type {
  CompileTask,
  FromWorker,
  MergeOutput,
  MergeTask,
  PartSize,
  PlanOutput,
  PlanTask,
  PoolTask,
  PoolTaskOutput,
  PostedInput,
  QueryTask,
  QueryTaskOutput,
  Shape,
  TaskHandler,
  ToWorker,
} from './pool.js';
import type { AnalyticsResult, Session } from './session.js';

/** The worker's side of the channel to the pool. */
interface Channel {
  post(message: FromWorker, transfer: readonly Transferable[]): void;
  listen(on: (message: ToWorker) => void): void;
}

async function channel(): Promise<Channel | undefined> {
  const process: unknown = Reflect.get(globalThis, 'process');
  const node = typeof process === 'object' && process !== null && typeof Reflect.get(Reflect.get(process, 'versions') ?? {}, 'node') === 'string';
  if (node) {
    const { parentPort } = await import('node:worker_threads');
    // Imported on the main thread (not as a worker): nobody to talk to.
    if (parentPort === null) return undefined;
    return {
      post: (message, transfer) => parentPort.postMessage(message, transfer),
      listen: (on) => void parentPort.on('message', (m) => on(m as ToWorker)),
    };
  }
  const post: unknown = Reflect.get(globalThis, 'postMessage');
  return {
    post: (message, transfer) => void Reflect.apply(post as (m: unknown, t: Transferable[]) => void, globalThis, [message, [...transfer]]),
    listen: (on) => globalThis.addEventListener('message', (e) => on((e as MessageEvent<ToWorker>).data)),
  };
}

/** The buffers inside a value (a few levels deep), to transfer rather than copy. */
function buffersIn(value: unknown, found: Set<ArrayBuffer>, depth: number): Set<ArrayBuffer> {
  if (value instanceof ArrayBuffer) found.add(value);
  else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (typeof value === 'object' && value !== null && depth > 0) {
    for (const v of Object.values(value)) buffersIn(v, found, depth - 1);
  }
  return found;
}

const failed = (e: unknown): Result<never> => err('invalid-argument', String(e));

/** The input as a range source (read whole unless it is Parquet). */
async function openInput(input: PostedInput): Promise<Result<RangeSource>> {
  if (input instanceof URL) return httpRanges(input);
  if ('url' in input) return httpRanges(input.url);
  if (input instanceof Blob) return ok(blobRanges(input));
  return ok(memoryRanges(view(input)));
}

/** Collects a stream's tables (freeing them all if one read fails). */
async function collect(tables: TableStream): Promise<Result<TableHandle[]>> {
  const out: TableHandle[] = [];
  for await (const t of tables) {
    if (!t.ok) {
      out.forEach((h) => h[Symbol.dispose]());
      return t;
    }
    out.push(t.value);
  }
  return ok(out);
}

/** What to read: a task's input and selection (and, for queries, the batches' size). */
type ReadSpec = Omit<PoolTask, 'input' | 'output'> & { readonly input: PostedInput; readonly batchSize?: number };

/**
 * Rows per batch a query reads Parquet in: a session takes a table batch by batch, and bigger
 * batches cost it fewer appends (a fifth of the time of the default 8,192 rows).
 */
const QUERY_BATCH = 65_536;

/** The tables the task selects. */
async function readTask(task: ReadSpec): Promise<Result<TableHandle[]>> {
  const source = await openInput(task.input);
  if (!source.ok) return source;
  // Only an undeclared format costs a read of the head.
  const head = task.format === undefined ? await source.value.read(0, Math.min(source.value.size, 8192)) : undefined;
  if (head !== undefined && !head.ok) return head;
  const format = task.format === undefined ? await arrow.detectFormat(head?.value ?? new Uint8Array()) : ok(task.format);
  if (!format.ok) return format;
  const known = format.value;
  const options = { columns: task.columns, rowGroups: task.rowGroups, offset: task.offset, limit: task.limit, batchSize: task.batchSize };
  const input = task.input;
  if (known === 'parquet' && (input instanceof ArrayBuffer || ArrayBuffer.isView(input))) {
    // Bytes in memory: the façade's own Parquet read, so the output is that of the main thread's.
    const table = await arrow.readParquet(input, options);
    return table.ok ? ok([table.value]) : table;
  }
  if (known === 'parquet') {
    return collect(readParquetRanges(source.value, options));
  }
  if (task.rowGroups !== undefined) return err('invalid-argument', `rowGroups applies to Parquet, not ${known}`);
  const whole = head?.value.byteLength === source.value.size ? head : await source.value.read(0, source.value.size);
  if (!whole.ok) return whole;
  const table = await arrow.readTableFromArrayBuffer(whole.value, { format: known, columns: task.columns, batchSize: task.batchSize });
  if (!table.ok || (task.offset === undefined && task.limit === undefined)) return table.ok ? ok([table.value]) : table;
  const rows = await arrow.numRows(table.value);
  const offset = Math.min(task.offset ?? 0, rows.ok ? rows.value : 0);
  const sliced = await arrow.sliceTable(table.value, offset, Math.min(task.limit ?? Number.MAX_SAFE_INTEGER, (rows.ok ? rows.value : 0) - offset));
  await arrow.freeTable(table.value);
  return sliced.ok ? ok([sliced.value]) : sliced;
}

/**
 * Writes the tables as one output with the façade's whole-table writers, so that a task's bytes
 * are those of the same write on the main thread (an IPC file unifies the dictionaries of its
 * batches, which a streaming writer cannot). A task holds one selection (a row group, say) at once.
 */
async function writeTask(tables: readonly TableHandle[], task: PoolTask): Promise<Result<PoolTaskOutput>> {
  const first = tables[0];
  if (first === undefined) return err('internal', 'the read handed out no table, not even an empty one');
  const whole = tables.length === 1 ? ok(first) : await arrow.concatTables(tables);
  if (!whole.ok) return whole;
  const t = whole.value;
  const out = task.output;
  const [schema, rows, written] = await Promise.all([
    arrow.getSchemaSummary(t),
    arrow.numRows(t),
    out === 'summary'
      ? arrow.tableFingerprint(t)
      : 'ipc' in out
        ? arrow.writeTableToIpc(t, out.ipc)
        : 'parquet' in out
          ? arrow.writeTableToParquet(t, out.parquet)
          : 'csv' in out
            ? arrow.writeTableToCsv(t, out.csv)
            : arrow.writeTableToNdjson(t, out.ndjson),
  ]);
  if (tables.length > 1) await arrow.freeTable(t);
  if (!schema.ok) return schema;
  if (!rows.ok) return rows;
  if (!written.ok) return written;
  return ok(
    typeof written.value === 'string'
      ? { rows: rows.value, schema: schema.value, fingerprint: written.value }
      : { rows: rows.value, schema: schema.value, bytes: written.value },
  );
}

/** The built-in task: read, select, write. */
async function convert(task: PoolTask): Promise<Result<PoolTaskOutput>> {
  const tables = await readTask(task);
  if (!tables.ok) return tables;
  const written = await writeTask(tables.value, task);
  await Promise.all(tables.value.map((t) => arrow.freeTable(t)));
  return written;
}

type SessionModule = typeof import('./session.js');

let analytics: Promise<AnalyticsResult<SessionModule>> | undefined;

/** The analytics plugin, loaded once from the module the pool compiled. */
function loadPlugin(module: WebAssembly.Module): Promise<AnalyticsResult<SessionModule>> {
  analytics ??= import('./session.js').then(
    (s) => s.loadAnalytics(module).then((loaded) => (loaded.ok ? ok(s) : loaded)),
    (e: unknown) => err('not-initialized', `loading the analytics module: ${String(e)}`),
  );
  return analytics;
}

/** Reads the task's parts into the session as one table; the rows read. */
async function registerParts(s: SessionModule, session: Session, task: QueryTask): Promise<AnalyticsResult<number>> {
  let rows = 0;
  let registered = false;
  for (const part of task.parts) {
    const tables = await readTask({ ...part, columns: task.columns, batchSize: QUERY_BATCH });
    if (!tables.ok) return tables;
    for (const [i, t] of tables.value.entries()) {
      const n = await arrow.numRows(t);
      const put = registered ? await s.append(session, task.table, t) : await s.register(session, task.table, t);
      registered = true;
      rows += n.ok ? n.value : 0;
      // The session holds a copy: the read table goes now, so one copy of the rows is alive.
      await arrow.freeTable(t);
      if (!put.ok) {
        await Promise.all(tables.value.slice(i + 1).map((rest) => arrow.freeTable(rest)));
        return put;
      }
    }
  }
  return registered ? ok(rows) : err('invalid-argument', 'the query task has no part to read');
}

/** A query task: the parts read into a fresh session, the query (or its partial half) run there. */
async function query(task: QueryTask): Promise<AnalyticsResult<QueryTaskOutput>> {
  const loaded = await loadPlugin(task.plugin);
  if (!loaded.ok) return loaded;
  const s = loaded.value;
  const made = await s.createSession({ memoryLimit: task.memoryLimit });
  if (!made.ok) return made;
  const session = made.value;
  const rows = await registerParts(s, session, task);
  const answer = !rows.ok ? rows : task.mode === 'partial' ? await s.queryPartial(session, task.sql, task.params) : await s.query(session, task.sql, task.params);
  s.closeSession(session);
  if (!rows.ok) return rows;
  if (!answer.ok) return answer;
  const ipc = await arrow.writeTableToIpc(answer.value, { format: 'stream' });
  await arrow.freeTable(answer.value);
  return ipc.ok ? ok({ ipc: ipc.value, rows: rows.value }) : ipc;
}

// --- plan and merge: the query's work that needs the plugin beyond a part's rows ----------------

/** Bytes read from a file's end in one request, in the hope that the Parquet footer fits. */
const TAIL = 64 * 1024;
/** Pieces an IPC buffer is fed to the decoder in, so that its schema costs one batch, not all. */
const PIECE = 1 << 20;

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

/** The input's sizes, and a table of no rows with its schema (absent: a single input, not Parquet). */
interface InputSchema extends Omit<PlanOutput, 'shape'> {
  readonly empty?: TableHandle;
}

/** What a plan task reads of its input: a Parquet file's footer, a list's first batch. */
async function readSchema(task: PlanTask): Promise<Result<InputSchema>> {
  const opened = await openInput(task.input);
  if (!opened.ok) return opened;
  const source = opened.value;
  const size = source.size;
  if (task.list) {
    const bytes = await source.read(0, size);
    const empty = bytes.ok ? await emptyOf(bytes.value) : bytes;
    return empty.ok ? ok({ size, empty: empty.value }) : empty;
  }
  const footer = await parquetFooter(source);
  if (!footer.ok) return footer;
  if (footer.value === undefined) return ok({ size });
  // The footer alone parses: nothing in it points before the metadata.
  const meta = await arrow.getParquetMetadata(footer.value);
  if (!meta.ok) return meta;
  const empty = await emptyParquet(source, footer.value);
  if (!empty.ok) return empty;
  const rowGroups = meta.value.rowGroups.map((g): PartSize => ({ bytes: g.compressedSize, rows: g.numRows }));
  return ok({ size, rows: meta.value.numRows, rowGroups, empty: empty.value });
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

/**
 * The query planned over the input's empty table, registered in `session`: whether it splits,
 * what it reads, and the empty table as IPC for the merge. SQL errors come out here, before any
 * worker reads a row.
 */
async function shapeOf(s: SessionModule, session: Session, empty: TableHandle, task: PlanTask): Promise<AnalyticsResult<Shape>> {
  const registered = await s.register(session, task.table, empty);
  if (!registered.ok) return registered;
  const check = await s.queryPartial(session, task.sql, task.params);
  if (check.ok) await arrow.freeTable(check.value);
  else if (check.error.kind !== 'unsupported') return check;
  const [plan, schema, ipc] = await Promise.all([
    s.explain(session, task.sql, task.params),
    arrow.getSchemaSummary(empty),
    arrow.writeTableToIpc(empty, { format: 'stream' }),
  ]);
  if (!ipc.ok) return ipc;
  const columns = plan.ok && schema.ok ? scannedColumns(plan.value, schema.value.columns.map((c) => c.name)) : undefined;
  return ok({ split: check.ok, columns, empty: ipc.value });
}

/** The query planned in a session of its own over the input's empty table. */
async function planned(s: SessionModule, empty: TableHandle, task: PlanTask): Promise<AnalyticsResult<Shape>> {
  const made = await s.createSession({ memoryLimit: task.memoryLimit });
  if (!made.ok) return made;
  const shape = await shapeOf(s, made.value, empty, task);
  s.closeSession(made.value);
  return shape;
}

/** A plan task: the input's schema read (while the plugin loads), and the query planned over it. */
async function plan(task: PlanTask): Promise<AnalyticsResult<PlanOutput>> {
  const [loaded, read] = await Promise.all([loadPlugin(task.plugin), readSchema(task)]);
  if (!read.ok) return read;
  const { empty, ...sizes } = read.value;
  if (empty === undefined) return ok(sizes);
  const shape = loaded.ok ? await planned(loaded.value, empty, task) : loaded;
  await arrow.freeTable(empty);
  return shape.ok ? ok({ ...sizes, shape: shape.value }) : shape;
}

/** Reads IPC streams into tables (freeing them all if one read fails). */
async function readStreams(streams: readonly Output[]): Promise<Result<TableHandle[]>> {
  const read = await Promise.all(streams.map((b) => arrow.readTableFromArrayBuffer(b, { format: 'arrow-stream' })));
  const tables = read.flatMap((r) => (r.ok ? [r.value] : []));
  const failure = read.find((r) => !r.ok);
  if (failure === undefined) return ok(tables);
  await freeAll(tables);
  return failure;
}

/** The states merged in a session of its own, where the input's empty table resolves the names. */
async function mergedIn(s: SessionModule, empty: TableHandle, states: TableHandle, task: MergeTask): Promise<AnalyticsResult<TableHandle>> {
  const made = await s.createSession({ memoryLimit: task.memoryLimit });
  if (!made.ok) return made;
  const registered = await s.register(made.value, task.table, empty);
  const answer = registered.ok ? await s.queryMerge(made.value, task.sql, states, task.params) : registered;
  s.closeSession(made.value);
  return answer;
}

/** A merge task: the parts' partial states concatenated and merged; the answer as IPC. */
async function merge(task: MergeTask): Promise<AnalyticsResult<MergeOutput>> {
  const loaded = await loadPlugin(task.plugin);
  if (!loaded.ok) return loaded;
  const tables = await readStreams([task.empty, ...task.partials]);
  if (!tables.ok) return tables;
  const [empty, ...partials] = tables.value;
  if (empty === undefined) return err('internal', 'the merge read no table, not even the empty one');
  const states = await arrow.concatTables(partials);
  await freeAll(partials);
  const answer = states.ok ? await mergedIn(loaded.value, empty, states.value, task) : states;
  await freeAll(states.ok ? [empty, states.value] : [empty]);
  if (!answer.ok) return answer;
  const ipc = await arrow.writeTableToIpc(answer.value, { format: 'stream' });
  await arrow.freeTable(answer.value);
  return ipc.ok ? ok({ ipc: ipc.value }) : ipc;
}

async function loadHandlers(url: string | undefined): Promise<Result<ReadonlyMap<string, TaskHandler>>> {
  if (url === undefined) return ok(new Map());
  const loaded: Result<object> = await import(url).then(ok, failed);
  if (!loaded.ok) return err('not-initialized', `loading the handlers module ${url}: ${loaded.error.message}`);
  const handlers = new Map<string, TaskHandler>();
  for (const [name, f] of Object.entries(loaded.value)) if (typeof f === 'function') handlers.set(name, f as TaskHandler);
  return ok(handlers);
}

async function main(): Promise<void> {
  const port = await channel();
  if (port === undefined) return;
  let handlers: ReadonlyMap<string, TaskHandler> = new Map();
  let worker = 0;
  const runTask = async (name: string, payload: unknown, attempt: number): Promise<Result<unknown>> => {
    if (name === BUILT_IN) return convert(payload as PoolTask);
    if (name === QUERY) return query(payload as QueryTask);
    if (name === PLAN) return plan(payload as PlanTask);
    if (name === COMPILE) return compilePlugin((payload as CompileTask).source);
    if (name === MERGE) return merge(payload as MergeTask);
    const handler = handlers.get(name);
    if (handler === undefined) return err('invalid-argument', `the handlers module exports no function ${JSON.stringify(name)}`);
    return Promise.resolve()
      .then(() => handler(payload, { attempt, worker }))
      .then(
        (r) => r,
        (e: unknown) => failed(e),
      );
  };
  port.listen((message) => {
    if (message.kind === 'init') {
      worker = message.worker;
      void Promise.all([initCompiled(new Map(message.modules)), loadHandlers(message.handlers)]).then(([core, loaded]) => {
        if (core.ok && loaded.ok) handlers = loaded.value;
        const failure = !core.ok ? core : !loaded.ok ? loaded : undefined;
        port.post(failure === undefined ? { kind: 'ready' } : { kind: 'init-failed', result: failure }, []);
      });
    } else {
      void runTask(message.name, message.payload, message.attempt).then((result) => {
        port.post({ kind: 'done', id: message.id, result }, [...buffersIn(result, new Set(), 4)]);
      });
    }
  });
}

void main();
