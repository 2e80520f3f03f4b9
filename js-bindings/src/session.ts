/**
 * The analytics plugin (`arrow:analytics`) linked to the façade's core, and its sessions: tables
 * registered under names, queried with SQL and typed parameters. Internal: `arrow-rs-wasm/analytics`
 * re-exports what users need, beside the typed query builder.
 *
 * One plugin instance is linked to each core instance. After a trap the core is replaced and the
 * plugin is linked again to the new one by itself; sessions of the old instance answer
 * `stale-handle` (their tables were copies inside the dead instance), a new session works.
 *
 * @module
 */
import { instantiate } from '../gen/instance/analytics/arrow-analytics.js';
import type { Root as AnalyticsRoot, ImportObject } from '../gen/instance/analytics/arrow-analytics.js';
import type { Session as PluginSession } from '../gen/instance/analytics/interfaces/arrow-analytics-session.js';
import type {
  IntervalValue,
  Param,
  ParamBinary,
  ParamBoolean,
  ParamDate,
  ParamDecimal,
  ParamFloat64,
  ParamInt32,
  ParamInt64,
  ParamInterval,
  ParamNull,
  ParamText,
  ParamTimestamp,
  ParamUint64,
  TimestampValue,
} from '../gen/instance/analytics/interfaces/arrow-analytics-values.js';
import type { Table as PluginTable } from '../gen/instance/analytics/interfaces/arrow-core-table.js';
import { adopt, classify, compileComponent, currentGeneration, dispose, instance, withTable } from './runtime.js';
import type { CoreTable, TableHandle, WasmSource } from './runtime.js';
import { err, ok } from './result.js';
import type { ArrowError, Ok, Result } from './result.js';
import type { ArrowPlugin, PluginInfo } from './types.js';

/**
 * A query parameter as the plugin takes it (a tagged value, `{ tag: 'int32', val: 5 }`), its
 * variants, and the records of the timestamp and interval variants, as jco declares them.
 */
export type {
  IntervalValue,
  Param,
  ParamBinary,
  ParamBoolean,
  ParamDate,
  ParamDecimal,
  ParamFloat64,
  ParamInt32,
  ParamInt64,
  ParamInterval,
  ParamNull,
  ParamText,
  ParamTimestamp,
  ParamUint64,
  TimestampValue,
};

/** What kind of analytics error (the plugin's WIT `error-kind`), for callers to branch on. */
export type AnalyticsErrorKind =
  | 'parse'
  | 'unknown-table'
  | 'unknown-column'
  | 'unknown-function'
  | 'type-mismatch'
  | 'unsupported'
  | 'invalid-query'
  | 'invalid-argument'
  | 'execution'
  | 'limit-exceeded'
  | 'internal';

/** A place in the SQL text, both counted from 1. */
export interface SqlPosition {
  /** The line. */
  readonly line: number;
  /** The column (in characters). */
  readonly column: number;
}

/**
 * An error of an analytics call: the façade's {@link ArrowError} (code `plugin`, `column-not-found`,
 * `limit-exceeded`, `invalid-argument`, `internal`, or a host code such as `stale-handle`) and,
 * when the plugin raised it, its kind and where in the SQL text it points.
 */
export interface AnalyticsError extends ArrowError {
  /** The plugin's kind of error; absent for errors of the host (a stale handle, a trap). */
  readonly kind?: AnalyticsErrorKind;
  /** Where in the SQL text, when the error is about a piece of it. */
  readonly position?: SqlPosition;
}

/** A failed analytics call. */
export interface AnalyticsErr {
  /** Always `false`. */
  readonly ok: false;
  /** Why the call failed. */
  readonly error: AnalyticsError;
}

/** The outcome of an analytics call (an {@link AnalyticsErr} is also a plain `Err`). */
export type AnalyticsResult<T> = Ok<T> | AnalyticsErr;

/** The analytics plugin, loaded and linked to the core. Register it with `registerPlugin`. */
export interface Analytics extends ArrowPlugin {
  /** `io.arrow.plugin.analytics.v1` and its version (it claims no extension type). */
  readonly info: PluginInfo;
}

/** Options of {@link createSession}. */
export interface SessionOptions {
  /** The memory budget in bytes of the session's tables and running queries (1 GiB by default). */
  readonly memoryLimit?: number;
}

const brand: unique symbol = Symbol('arrow-rs-wasm.Session');

/** A session: tables registered under names, queried with SQL. Free it with `closeSession` or `using`. */
export interface Session extends Disposable {
  /** Marks the type; sessions come only from {@link createSession}. */
  readonly [brand]: true;
  /** A number unique to the session within its page or process, for logs. */
  readonly id: number;
}

/** A table registered in a session. */
export interface SessionTable {
  /** The name it was registered under. */
  readonly name: string;
  /** Rows. */
  readonly rows: number;
  /** Columns. */
  readonly columns: number;
  /** Bytes it holds in the session. */
  readonly bytes: number;
}

interface Linked {
  readonly generation: number;
  readonly root: Promise<Result<AnalyticsRoot>>;
}

interface LiveSession {
  readonly session: PluginSession;
  readonly generation: number;
}

const ANALYTICS_PATHS = ['arrow-analytics.core.wasm', 'arrow-analytics.core2.wasm', 'arrow-analytics.core3.wasm'] as const;

const sessions = new Map<number, LiveSession>();
let loaded: Promise<AnalyticsResult<Analytics>> | undefined;
let link: (() => Promise<Result<AnalyticsRoot>>) | undefined;
let nextSession = 1;

// The plugin's `.d.ts` declares the core's `table` with only the methods the plugin uses; at run
// time the tables it takes and returns are the core's own resources.
const asPlugin = (t: CoreTable): PluginTable => t as unknown as PluginTable;
const asCore = (t: PluginTable): CoreTable => t as unknown as CoreTable;

const KINDS: ReadonlySet<string> = new Set<AnalyticsErrorKind>([
  'parse',
  'unknown-table',
  'unknown-column',
  'unknown-function',
  'type-mismatch',
  'unsupported',
  'invalid-query',
  'invalid-argument',
  'execution',
  'limit-exceeded',
  'internal',
]);

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}

/** The plugin's `analytics-error` inside what a binding threw, if it is one. */
function analyticsError(thrown: unknown): AnalyticsError | undefined {
  const payload = field(thrown, 'payload');
  const kind = field(payload, 'kind');
  const inner = field(payload, 'error');
  const code = field(inner, 'code');
  const message = field(inner, 'message');
  if (typeof kind !== 'string' || !KINDS.has(kind) || typeof code !== 'string' || typeof message !== 'string') return undefined;
  const position = field(payload, 'position');
  const line = field(position, 'line');
  const column = field(position, 'column');
  const base = { code: code as ArrowError['code'], message, kind: kind as AnalyticsErrorKind };
  return typeof line === 'number' && typeof column === 'number' ? { ...base, position: { line, column } } : base;
}

/** Runs a plugin call; what it throws becomes an `Err` (a trap also replaces the instance). */
function guarded<T>(call: () => T): Promise<AnalyticsResult<T>> {
  return Promise.resolve()
    .then(call)
    .then(ok, (thrown: unknown) => ({ ok: false, error: analyticsError(thrown) ?? classify(thrown) }));
}

/**
 * Loads the analytics plugin and links it to the façade's core (call `initWasm` first); later calls
 * return the same plugin. After a trap it is linked again to the new core by itself.
 *
 * @param source - The plugin's module (`gen/analytics/arrow-analytics.core.wasm` of the package) as
 *   bytes, a compiled module, a `Response` or a URL; by default loaded from beside the package.
 */
export function loadAnalytics(source?: WasmSource): Promise<AnalyticsResult<Analytics>> {
  if (loaded !== undefined) return loaded;
  const started = load(source);
  loaded = started;
  // A failed load can be retried (with other bytes, say).
  void started.then((r) => {
    if (!r.ok && loaded === started) loaded = undefined;
  });
  return started;
}

async function load(source: WasmSource | undefined): Promise<AnalyticsResult<Analytics>> {
  const ready = await instance();
  if (!ready.ok) return ready;
  const main = source ?? new URL('../gen/analytics/arrow-analytics.core.wasm', import.meta.url);
  const compiled = await compileComponent(ANALYTICS_PATHS, ANALYTICS_PATHS[0], main, new URL('../gen/instance/analytics/', import.meta.url));
  if (!compiled.ok) return compiled;
  const modules = compiled.value;
  let linked: Linked | undefined;

  // One plugin instance per core instance: its imports are that core's exports.
  const linkNow = (): Promise<Result<AnalyticsRoot>> => {
    const generation = currentGeneration();
    if (linked !== undefined && linked.generation === generation) return linked.root;
    const root = instance().then((inst) => {
      if (!inst.ok) return inst;
      const core = inst.value.core;
      const imports: ImportObject = {
        'arrow:core/registry@0.1.0': core.registry,
        'arrow:core/table@0.1.0': core.table,
        'arrow:core/types@0.1.0': core.types,
      };
      // jco's generated code reads the unversioned keys (see the BRIEF's recipes).
      const unversioned = { 'arrow:core/registry': core.registry, 'arrow:core/table': core.table, 'arrow:core/types': core.types };
      const getCoreModule = (path: string): WebAssembly.Module | Promise<WebAssembly.Module> =>
        modules.get(path) ?? Promise.reject(new Error(`the transpiled plugin asks for an unknown module ${path}`));
      return Promise.resolve()
        .then(() => instantiate(getCoreModule, { ...imports, ...unversioned }))
        .then(ok, (e: unknown) => err('not-initialized', `instantiating the analytics plugin: ${String(e)}`));
    });
    linked = { generation, root };
    return root;
  };

  const first = await linkNow();
  if (!first.ok) return first;
  link = linkNow;
  return ok({ info: first.value.plugin.info() });
}

/** The plugin linked to the current core, or `not-initialized`. */
function linkedRoot(): Promise<Result<AnalyticsRoot>> {
  return link === undefined ? Promise.resolve(err('not-initialized', 'call loadAnalytics() first')) : link();
}

/** Creates a session with no tables (call {@link loadAnalytics} first). */
export async function createSession(options: SessionOptions = {}): Promise<AnalyticsResult<Session>> {
  const limit = options.memoryLimit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    return err('invalid-argument', `memoryLimit must be a positive whole number of bytes, not ${limit}`);
  }
  const root = await linkedRoot();
  if (!root.ok) return root;
  const generation = currentGeneration();
  const made = await guarded(() => new root.value.session.Session(limit === undefined ? {} : { memoryLimit: BigInt(limit) }));
  if (!made.ok) return made;
  const id = nextSession;
  nextSession += 1;
  sessions.set(id, { session: made.value, generation });
  const session: Session = {
    [brand]: true,
    id,
    [Symbol.dispose]: () => {
      closeSession(session);
    },
  };
  return ok(session);
}

/** Runs `call` on a live session of the current instance. */
async function onSession<T>(session: Session, call: (s: PluginSession) => T): Promise<AnalyticsResult<T>> {
  const inst = await instance();
  if (!inst.ok) return inst;
  const entry = sessions.get(session.id);
  if (entry === undefined) return err('closed', `session ${session.id} was closed`);
  if (entry.generation !== inst.value.generation) {
    return err('stale-handle', `session ${session.id} belonged to an instance that trapped; create a new one`);
  }
  return guarded(() => call(entry.session));
}

/** Runs `call` on a live session and the live table of `handle`, both of the current instance. */
async function onSessionTable<T>(session: Session, handle: TableHandle, call: (s: PluginSession, t: PluginTable, generation: number) => T): Promise<AnalyticsResult<T>> {
  const entry = sessions.get(session.id);
  if (entry === undefined) return err('closed', `session ${session.id} was closed`);
  const result = await withTable(handle, (t, _core, generation) =>
    entry.generation !== generation
      ? err('stale-handle', `session ${session.id} belonged to an instance that trapped; create a new one`)
      : guarded(() => call(entry.session, asPlugin(t), generation)),
  );
  return result.ok ? result.value : result;
}

/** Frees a session and every table registered in it. Closing a closed session is an `Err` (`closed`). */
export function closeSession(session: Session): Result<void> {
  const entry = sessions.get(session.id);
  if (entry === undefined) return err('closed', `session ${session.id} was already closed`);
  sessions.delete(session.id);
  if (entry.generation === currentGeneration()) dispose(entry.session);
  return ok(undefined);
}

/**
 * Copies a table into the session under `name` (case-insensitive, unique in the session); queries
 * then read the copy, so the handle may be freed.
 */
export function register(session: Session, name: string, table: TableHandle): Promise<AnalyticsResult<void>> {
  return onSessionTable(session, table, (s, t) => s.register(name, t));
}

/** Adds a table's rows to the table registered as `name` (same column names and types). */
export function append(session: Session, name: string, table: TableHandle): Promise<AnalyticsResult<void>> {
  return onSessionTable(session, table, (s, t) => s.append(name, t));
}

/** Drops a registered table and gives its memory back. */
export function unregister(session: Session, name: string): Promise<AnalyticsResult<void>> {
  return onSession(session, (s) => s.unregister(name));
}

/** The session's registered tables. */
export function sessionTables(session: Session): Promise<AnalyticsResult<SessionTable[]>> {
  return onSession(session, (s) =>
    s.tables().map((t) => ({ name: t.name, rows: Number(t.rows), columns: t.columns, bytes: Number(t.bytes) })),
  );
}

/** What a session holds, against its budget. */
export interface SessionMemory {
  /** Bytes its tables (and any running query) hold now. */
  readonly used: number;
  /** Its memory budget in bytes. */
  readonly limit: number;
}

/** Bytes the session holds now, and its budget. */
export function sessionMemory(session: Session): Promise<AnalyticsResult<SessionMemory>> {
  return onSession(session, (s) => ({ used: Number(s.memoryUsed()), limit: Number(s.memoryLimit()) }));
}

/** A value a query parameter can be given as; see {@link toParam}. */
export type ParamValue = null | boolean | number | bigint | string | Date | Uint8Array | Param;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/**
 * The typed parameter for a JS value: `null` → `NULL`, a boolean → `BOOLEAN`, a whole number that
 * fits exactly → `BIGINT`, any other number → `DOUBLE`, a bigint → `BIGINT` (`UBIGINT` above
 * 2^63 - 1), a string → `VARCHAR`, a `Date` → `TIMESTAMP WITH TIME ZONE` (UTC), bytes → `BLOB`;
 * a tagged `Param` passes unchanged (for `DECIMAL`, `DATE`, `INTERVAL` and the rest).
 */
export function toParam(value: ParamValue): Result<Param> {
  if (value === null) return ok({ tag: 'null' });
  if (typeof value === 'boolean') return ok({ tag: 'boolean', val: value });
  if (typeof value === 'number') return ok(Number.isSafeInteger(value) ? { tag: 'int64', val: BigInt(value) } : { tag: 'float64', val: value });
  if (typeof value === 'bigint') {
    if (value >= I64_MIN && value <= I64_MAX) return ok({ tag: 'int64', val: value });
    if (value > I64_MAX && value < 2n ** 64n) return ok({ tag: 'uint64', val: value });
    return err('invalid-argument', `the parameter ${value} is outside 64 bits`);
  }
  if (typeof value === 'string') return ok({ tag: 'text', val: value });
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return err('invalid-argument', 'the parameter is an invalid Date');
    return ok({ tag: 'timestamp', val: { micros: BigInt(ms) * 1000n, zone: 'UTC' } });
  }
  if (value instanceof Uint8Array) return ok({ tag: 'binary', val: value });
  return ok(value);
}

function toParams(values: readonly ParamValue[]): Result<Param[]> {
  const out: Param[] = [];
  for (const [i, v] of values.entries()) {
    const p = toParam(v);
    if (!p.ok) return err('invalid-argument', `parameter $${i + 1}: ${p.error.message}`);
    out.push(p.value);
  }
  return ok(out);
}

/**
 * Runs one SQL query (`SELECT`, `WITH`, `VALUES`, set operations; DuckDB's dialect) with its
 * parameters (`$1`, `$2`, ... or `?`, never pasted into the text); the answer is a new table.
 */
export async function query(session: Session, sql: string, params: readonly ParamValue[] = []): Promise<AnalyticsResult<TableHandle>> {
  const typed = toParams(params);
  if (!typed.ok) return typed;
  const generation = currentGeneration();
  return onSession(session, (s) => adopt(asCore(s.query(sql, typed.value)), generation));
}

/** The plan a query would run, as text (operators, join keys, pushed-down filters and columns). */
export async function explain(session: Session, sql: string, params: readonly ParamValue[] = []): Promise<AnalyticsResult<string>> {
  const typed = toParams(params);
  if (!typed.ok) return typed;
  return onSession(session, (s) => s.explain(sql, typed.value));
}

/**
 * Split aggregation, first half: the query's grouping over this session's rows, as partial states.
 * Queries whose aggregates do not merge (median, quantiles, `string_agg`, DISTINCT aggregates), or
 * that group over joins, windows or several groupings, are refused with kind `unsupported`.
 */
export async function queryPartial(session: Session, sql: string, params: readonly ParamValue[] = []): Promise<AnalyticsResult<TableHandle>> {
  const typed = toParams(params);
  if (!typed.ok) return typed;
  const generation = currentGeneration();
  return onSession(session, (s) => adopt(asCore(s.queryPartial(sql, typed.value)), generation));
}

/**
 * Split aggregation, second half: merges partial states of the same query (from any number of
 * parts, concatenated into one table) and finishes it; equal to the query over every part's rows.
 * The query's tables must be registered in this session (empty ones will do: only their schemas
 * are read).
 */
export async function queryMerge(session: Session, sql: string, partials: TableHandle, params: readonly ParamValue[] = []): Promise<AnalyticsResult<TableHandle>> {
  const typed = toParams(params);
  if (!typed.ok) return typed;
  return onSessionTable(session, partials, (s, t, generation) => adopt(asCore(s.queryMerge(sql, typed.value, t)), generation));
}
