// Task handlers for the worker-pool tests (test/pool.test.mjs), loaded inside the pool's workers
// in Node and in Chromium. They use the façade the worker has already initialised (the same module
// URL as the worker's own import), and some of them kill their worker on purpose.
import * as api from '../../dist/index.js';

const node = typeof process === 'object' && typeof process.versions?.node === 'string';

/** Ends the worker the way a crash does: Node's thread exits; in a browser an uncaught error. */
function die() {
  if (node) process.exit(3);
  setTimeout(() => {
    throw new Error('killed by the test');
  });
}

/** Which worker ran the task, after `payload.ms` milliseconds. */
export async function whoami(payload, context) {
  await new Promise((resolve) => setTimeout(resolve, payload?.ms ?? 0));
  return { ok: true, value: { worker: context.worker, attempt: context.attempt } };
}

/** Dies mid-task on its first attempt, answers on the next. */
export async function dieOnce(payload, context) {
  if (context.attempt === 1) {
    die();
    return new Promise(() => {});
  }
  return { ok: true, value: { worker: context.worker, attempt: context.attempt, echo: payload } };
}

/** Dies on every attempt. */
export async function dieAlways() {
  die();
  return new Promise(() => {});
}

/** Never answers on its first attempt (only a timeout ends it); answers on the next. */
export async function hangOnce(payload, context) {
  if (context.attempt === 1) return new Promise(() => {});
  return { ok: true, value: { attempt: context.attempt } };
}

/** Throws inside the task: an error result, the worker lives on. */
export async function throws() {
  throw new Error('a bug in the handler');
}

/** Reads bytes with the worker's façade: rows and fingerprint, and the bytes written back as IPC. */
export async function readBack(payload) {
  const read = await api.readTableFromArrayBuffer(payload.bytes);
  if (!read.ok) return read;
  const rows = await api.numRows(read.value);
  const fingerprint = await api.tableFingerprint(read.value);
  const ipc = await api.writeTableToIpc(read.value, { compression: 'zstd' });
  await api.freeTable(read.value);
  if (!rows.ok) return rows;
  if (!fingerprint.ok) return fingerprint;
  if (!ipc.ok) return ipc;
  return { ok: true, value: { rows: rows.value, fingerprint: fingerprint.value, ipc: ipc.value, live: (await api.liveTableCount()).value } };
}

/**
 * Ends its worker silently on its first attempt (a browser worker's `close()`: the page hears
 * nothing, only a timeout finds it; in Node it hangs instead), answers on the next.
 */
export async function vanishOnce(payload, context) {
  if (context.attempt === 1) {
    if (!node) globalThis.close();
    return new Promise(() => {});
  }
  return { ok: true, value: { attempt: context.attempt } };
}
