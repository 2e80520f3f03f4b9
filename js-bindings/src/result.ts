/**
 * Results and errors of the façade: every function returns a `Promise<Result<T>>` and never
 * throws, so callers branch on `ok` instead of catching.
 *
 * @module
 */

/** The error codes of the core component (its WIT `error-code` enum), unchanged. */
export type CoreErrorCode =
  | 'invalid-argument'
  | 'unknown-format'
  | 'unsupported-format'
  | 'unsupported-codec'
  | 'malformed-input'
  | 'limit-exceeded'
  | 'column-not-found'
  | 'out-of-bounds'
  | 'schema-mismatch'
  | 'closed'
  | 'plugin'
  | 'internal';

/**
 * Every error code a façade call can return: the core's, and those of the JS host.
 *
 * - `not-initialized`: `initWasm` has not completed (or failed).
 * - `trap`: the component trapped (a bug in the core or a dependency; the instance was replaced,
 *   later calls work, tables read before the trap are stale).
 * - `stale-handle`: the table belonged to an instance that trapped; read it again.
 * - `worker-failed`: a worker of a pool died and its task could not be retried.
 */
export type ErrorCode = CoreErrorCode | 'not-initialized' | 'trap' | 'stale-handle' | 'worker-failed';

/** Why the plugin registry refused a plugin (the core's WIT `registry-refusal`). */
export type RegistryRefusal =
  | 'malformed-id'
  | 'malformed-version'
  | 'incompatible-core-api'
  | 'duplicate-id'
  | 'malformed-claim'
  | 'extension-claimed'
  | 'not-registered';

/** A failed call: a stable code to branch on and a message for people. */
export interface ArrowError {
  /** What kind of failure; stable across releases. */
  readonly code: ErrorCode;
  /** What went wrong and, where the core knows it, where (a column, a line, a byte offset). */
  readonly message: string;
  /** Set when the plugin registry refused a plugin: the reason. */
  readonly refusal?: RegistryRefusal;
}

/** A successful result. */
export interface Ok<T> {
  /** Always `true`. */
  readonly ok: true;
  /** The call's value. */
  readonly value: T;
}

/** A failed result. */
export interface Err {
  /** Always `false`. */
  readonly ok: false;
  /** Why the call failed. */
  readonly error: ArrowError;
}

/** The outcome of every façade call. */
export type Result<T> = Ok<T> | Err;

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** Builds a failed result. */
export function err(code: ErrorCode, message: string, refusal?: RegistryRefusal): Err {
  return refusal === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, refusal } };
}
