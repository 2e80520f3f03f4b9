/**
 * The module a pool's workers run (see `pool`): it instantiates the core from the modules the pool
 * posts, then runs tasks one at a time, posting back each result with its buffers transferred.
 * Internal: started by `createWorkerPool`, never imported by applications.
 *
 * Query tasks (`pool.query`) load the analytics plugin on first use, from the module the pool
 * compiled, with a dynamic import: a worker that only converts never loads it.
 *
 * @module
 */
import * as arrow from './index.js';
import { blobRanges, httpRanges, readParquetRanges } from './stream.js';
import type { RangeSource, TableStream } from './stream.js';
import { initCompiled } from './runtime.js';
import type { TableHandle } from './runtime.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';
import { view } from './convert.js';
import { BUILT_IN, QUERY, memoryRanges } from './pool.js';
import type { FromWorker, PoolTask, PoolTaskOutput, PostedInput, QueryTask, QueryTaskOutput, TaskHandler, ToWorker } from './pool.js';
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
