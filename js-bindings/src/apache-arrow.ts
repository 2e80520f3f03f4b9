/**
 * Interop with apache-arrow JS (`arrow-rs-wasm/apache-arrow`): tables cross as uncompressed IPC
 * streams, which apache-arrow reads and writes without any codec registered.
 *
 * ```ts
 * import { tableFromArrays } from 'apache-arrow';
 * import { initWasm, writeTableToParquet } from 'arrow-rs-wasm';
 * import { fromArrowTable, toArrowTable } from 'arrow-rs-wasm/apache-arrow';
 *
 * await initWasm();
 * const handle = await fromArrowTable(tableFromArrays({ x: Int32Array.from([1, 2, 3]) }));
 * if (handle.ok) {
 *   const parquet = await writeTableToParquet(handle.value);
 *   const back = await toArrowTable(handle.value);
 * }
 * ```
 *
 * @module
 */
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import type { Table, TypeMap } from 'apache-arrow';
import { readTableFromArrayBuffer, writeTableToIpc } from './index.js';
import type { TableHandle } from './index.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';

/** A copy of a component table as an apache-arrow `Table` (JS-owned; the handle stays live). */
export async function toArrowTable(handle: TableHandle): Promise<Result<Table>> {
  const ipc = await writeTableToIpc(handle, { format: 'stream', compression: 'none' });
  if (!ipc.ok) return ipc;
  return Promise.resolve(ipc.value)
    .then((bytes) => ok(tableFromIPC(bytes)))
    .then(
      (r) => r,
      (e: unknown) => err('unsupported-format', `apache-arrow cannot read the table: ${String(e)}`),
    );
}

/** A copy of an apache-arrow `Table` inside the component. */
export async function fromArrowTable<T extends TypeMap>(table: Table<T>): Promise<Result<TableHandle>> {
  const ipc = await Promise.resolve(table).then(
    (t) => ok(tableToIPC(t, 'stream')),
    (e: unknown) => err('invalid-argument', `apache-arrow cannot write the table: ${String(e)}`),
  );
  if (!ipc.ok) return ipc;
  return readTableFromArrayBuffer(ipc.value, { format: 'arrow-stream' });
}
