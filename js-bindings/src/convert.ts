/**
 * Conversions between the façade's options and values and the core's (WIT) ones. Internal.
 *
 * @module
 */
import type { IpcWriteOptions as CoreIpcWriteOptions } from '../gen/instance/core/interfaces/arrow-core-types.js';
import type {
  ParquetReadOptions as CoreParquetReadOptions,
  ParquetWriteOptions as CoreParquetWriteOptions,
} from '../gen/instance/core/interfaces/arrow-core-parquet.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';
import type { Bytes, IpcWriteOptions, Output, ParquetReadOptions, ParquetWriteOptions } from './types.js';

/** Types bytes from the core as {@link Output}: jco copies every `list<u8>` result into a new ArrayBuffer. */
export const output = (bytes: Uint8Array): Output => bytes as Output;

/** A `Uint8Array` over the same bytes (no copy). */
export function view(data: Bytes): Uint8Array {
  return data instanceof Uint8Array ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** A WIT `u64` from a JS number, or `invalid-argument` naming the option. */
export function u64(value: number | undefined, name: string): Result<bigint | undefined> {
  if (value === undefined) return ok(undefined);
  return Number.isSafeInteger(value) && value >= 0 ? ok(BigInt(value)) : err('invalid-argument', `${name} must be a non-negative integer, not ${value}`);
}

/** A WIT `u32` from a JS number, or `invalid-argument` naming the option. */
export function u32(value: number | undefined, name: string): Result<number | undefined> {
  if (value === undefined) return ok(undefined);
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? ok(value) : err('invalid-argument', `${name} must be an integer from 0 to 2^32-1, not ${value}`);
}

/** The code of a one-ASCII-character option, or `invalid-argument`. */
export function charCode(value: string | undefined, name: string): Result<number | undefined> {
  if (value === undefined) return ok(undefined);
  const code = value.length === 1 ? value.charCodeAt(0) : 256;
  return code < 128 ? ok(code) : err('invalid-argument', `${name} must be one ASCII character, not ${JSON.stringify(value)}`);
}

/** The core's IPC write options for the façade's (or `true`/`false` for LZ4 or none). */
export function ipcWriteOptions(options: IpcWriteOptions | boolean): CoreIpcWriteOptions {
  const o: IpcWriteOptions = typeof options === 'boolean' ? { compression: options ? 'lz4' : 'none' } : options;
  return {
    framing: o.format ?? 'file',
    compression: o.compression === 'lz4' ? 'lz4-frame' : (o.compression ?? 'none'),
    zstdLevel: o.zstdLevel,
    alignment: o.alignment ?? 64,
    metadataVersion: o.metadataVersion ?? 'v5',
    legacyFormat: o.legacyFormat ?? false,
    dictionaryHandling: o.dictionaryHandling ?? 'resend',
  };
}

/** The core's Parquet write options for the façade's. */
export function parquetWriteOptions(options: ParquetWriteOptions): Result<CoreParquetWriteOptions> {
  const rows = u64(options.maxRowGroupRows, 'maxRowGroupRows');
  const page = u64(options.dataPageSize, 'dataPageSize');
  if (!rows.ok) return rows;
  if (!page.ok) return page;
  return ok({
    compression: options.compression ?? 'zstd',
    compressionLevel: options.compressionLevel,
    maxRowGroupRows: rows.value,
    dataPageSize: page.value,
    dictionary: options.dictionary ?? true,
    statistics: options.statistics ?? 'page',
    writerVersion: options.writerVersion ?? 'v1',
    keyValueMetadata: [...(options.keyValueMetadata ?? [])],
    pageChecksums: options.pageChecksums ?? true,
  });
}

/** The core's Parquet read options for the façade's, checked. */
export function parquetReadOptions(options: ParquetReadOptions): Result<CoreParquetReadOptions> {
  const offset = u64(options.offset, 'offset');
  const limit = u64(options.limit, 'limit');
  const max = u64(options.maxDecompressedBytes, 'maxDecompressedBytes');
  const batch = u32(options.batchSize, 'batchSize');
  if (!offset.ok) return offset;
  if (!limit.ok) return limit;
  if (!max.ok) return max;
  if (!batch.ok) return batch;
  const bad = options.rowGroups?.map((g) => u32(g, 'rowGroups')).find((g) => !g.ok);
  if (bad !== undefined && !bad.ok) return bad;
  return ok({
    columns: options.columns === undefined ? undefined : [...options.columns],
    rowGroups: options.rowGroups === undefined ? undefined : Uint32Array.from(options.rowGroups),
    batchSize: batch.value,
    offset: offset.value,
    limit: limit.value,
    maxDecompressedBytes: max.value,
  });
}
