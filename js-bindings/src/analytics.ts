/**
 * Questions about tables, answered inside WebAssembly by the analytics plugin (`arrow:analytics`):
 * SQL in DuckDB's dialect with typed parameters, and a typed query builder that compiles to it.
 *
 * An entry point of its own (`arrow-rs-wasm/analytics`): an app that never imports it never loads
 * the plugin.
 *
 * ```ts
 * import { initWasm, readTableFromArrayBuffer, tableRows } from 'arrow-rs-wasm';
 * import { createSession, loadAnalytics, query, register } from 'arrow-rs-wasm/analytics';
 *
 * await initWasm();
 * await loadAnalytics();
 * const session = await createSession();
 * const trips = await readTableFromArrayBuffer(bytes);
 * if (session.ok && trips.ok) {
 *   await register(session.value, 'trips', trips.value);
 *   const answer = await query(session.value, 'SELECT payment, count(*) AS n FROM trips WHERE fare > $1 GROUP BY payment', [20]);
 *   if (answer.ok) console.log(await tableRows(answer.value, 10));
 * }
 * ```
 *
 * @module
 */
/** Loading the plugin, sessions and their tables, SQL queries with typed parameters, split aggregation. */
export {
  append,
  closeSession,
  createSession,
  explain,
  loadAnalytics,
  query,
  queryMerge,
  queryPartial,
  register,
  sessionMemory,
  sessionTables,
  toParam,
  unregister,
} from './session.js';
/** The plugin, sessions, parameters and the typed errors of analytics calls. */
export type {
  Analytics,
  AnalyticsErr,
  AnalyticsError,
  AnalyticsErrorKind,
  AnalyticsResult,
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
  ParamValue,
  TimestampValue,
  Session,
  SessionMemory,
  SessionOptions,
  SessionTable,
  SqlPosition,
} from './session.js';
export * from './builder.js';
