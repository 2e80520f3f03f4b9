/**
 * The façade's own types: the bytes it takes and gives, the options of its calls and the records
 * they return, and the core's WIT records it passes through. Internal: `index` re-exports them
 * (and `stream` and `pool` use them), so every module can share them without importing another
 * module of calls; this one imports only type declarations.
 *
 * @module
 */
import type {
  ColumnInfo,
  DataFormat,
  FieldSpec,
  KeyValue,
  SchemaSummary,
} from '../gen/instance/core/interfaces/arrow-core-types.js';
import type { ExtensionClaim, PluginInfo } from '../gen/instance/core/interfaces/arrow-core-registry.js';
import type { ParquetCompression } from '../gen/instance/core/interfaces/arrow-core-parquet.js';
import type { ArrowError } from './result.js';
import type { TrapListener } from './runtime.js';

/** The core's own record types, as jco declares them from its WIT. */
export type { ColumnInfo, DataFormat, ExtensionClaim, FieldSpec, KeyValue, ParquetCompression, PluginInfo, SchemaSummary };

/** Bytes the façade reads: an `ArrayBuffer` or any view of one (`Uint8Array`, Node's `Buffer`). */
export type Bytes = ArrayBuffer | ArrayBufferView;

/**
 * Bytes the façade writes: always a fresh, unshared buffer owned by JS (so it goes straight into a
 * `Blob`, `postMessage` transfer lists or `fs.writeFile`). Needs TypeScript 5.7 or newer.
 */
export type Output = Uint8Array<ArrayBuffer>;

/** Options of {@link initWasm}. */
export interface WasmInitOptions {
  /** Called after a trap replaced the instance (tables read before it are stale). */
  readonly onTrap?: TrapListener;
}

/** What {@link initWasm} found. */
export interface CoreInfo {
  /** The plugin API version the core implements (`0.1.0`). */
  readonly apiVersion: string;
  /** The formats the loaded build reads (a slim build reads only Arrow IPC). */
  readonly formats: readonly DataFormat[];
}

/** Options of {@link readTableFromArrayBuffer}. */
export interface ReadOptions {
  /** The format; detected from the bytes when absent. */
  readonly format?: DataFormat;
  /** Columns to keep, by name, in the order given. */
  readonly columns?: readonly string[];
  /** Rows per batch where the format lets the reader choose (Parquet, CSV, NDJSON). */
  readonly batchSize?: number;
  /** The most bytes decompression may produce (LZ4/ZSTD bodies, Parquet pages); refused beyond. */
  readonly maxDecompressedBytes?: number;
}

/** Options of {@link readParquet}. */
export interface ParquetReadOptions {
  /** Columns to keep, by name (top-level), in the order given. */
  readonly columns?: readonly string[];
  /** Row groups to read, by index. */
  readonly rowGroups?: readonly number[];
  /** Rows per batch. */
  readonly batchSize?: number;
  /** Rows to skip. */
  readonly offset?: number;
  /** The most rows to read. */
  readonly limit?: number;
  /** The most bytes decompression may produce. */
  readonly maxDecompressedBytes?: number;
}

/** One column chunk of a Parquet row group. */
export interface ParquetColumnChunk {
  /** The column's dotted path. */
  readonly path: string;
  /** Its Parquet physical type. */
  readonly physicalType: string;
  /** Its codec. */
  readonly compression: ParquetCompression;
  /** Bytes on disk. */
  readonly compressedSize: number;
  /** Bytes after decompression. */
  readonly uncompressedSize: number;
  /** Values, nulls included. */
  readonly numValues: number;
  /** Nulls, if the writer recorded them. */
  readonly nullCount?: number;
}

/** One Parquet row group. */
export interface ParquetRowGroup {
  /** Rows in it. */
  readonly numRows: number;
  /** Its uncompressed size. */
  readonly totalByteSize: number;
  /** Its compressed size. */
  readonly compressedSize: number;
  /** Its column chunks. */
  readonly columns: readonly ParquetColumnChunk[];
}

/** A Parquet file's footer, read without decoding any page. */
export interface ParquetMetadata {
  /** Rows in the file. */
  readonly numRows: number;
  /** The format version. */
  readonly version: number;
  /** The writer, as it named itself. */
  readonly createdBy?: string;
  /** The file's key-value metadata. */
  readonly keyValueMetadata: readonly KeyValue[];
  /** The row groups. */
  readonly rowGroups: readonly ParquetRowGroup[];
  /** The schema as Arrow sees it. */
  readonly schema: SchemaSummary;
}

/** Options of {@link readCsv}. */
export interface CsvReadOptions {
  /** The first record names the columns (default `true`). */
  readonly hasHeader?: boolean;
  /** The field delimiter, one ASCII character (default `,`). */
  readonly delimiter?: string;
  /** The quote character (default `"`). */
  readonly quote?: string;
  /** The escape character, if any. */
  readonly escape?: string;
  /** Lines starting with the given character are skipped. */
  readonly comment?: string;
  /** Texts read as null (default: the empty field). */
  readonly nullValues?: readonly string[];
  /** The schema; inferred from the first `inferRows` records when absent. */
  readonly schema?: readonly FieldSpec[];
  /** Records schema inference reads (default 1000). */
  readonly inferRows?: number;
  /** Rows per batch (default 8192). */
  readonly batchSize?: number;
  /** Columns to keep, by name, in the order given. */
  readonly columns?: readonly string[];
}

/** Options of {@link readNdjson}. */
export interface NdjsonReadOptions {
  /** The schema; inferred from the first `inferRows` lines when absent. */
  readonly schema?: readonly FieldSpec[];
  /** Lines schema inference reads (default 1000). */
  readonly inferRows?: number;
  /** Rows per batch (default 8192). */
  readonly batchSize?: number;
  /** Columns to keep, by name, in the order given. */
  readonly columns?: readonly string[];
  /** Fail on fields the given schema lacks instead of ignoring them. */
  readonly strict?: boolean;
}

/** Counts and provenance of a table. */
export interface TableInfo {
  /** Rows. */
  readonly numRows: number;
  /** Columns. */
  readonly numColumns: number;
  /** Record batches (Parquet: batches of the read, not row groups). */
  readonly numBatches: number;
  /** The format it was read from; absent for tables made by slice, select, concat or filter. */
  readonly sourceFormat?: DataFormat;
  /** The codecs the source used (`lz4-frame`, `zstd`, `snappy`, ...), empty if none. */
  readonly sourceCompression: readonly string[];
}

/** Options of {@link writeTableToIpc}. */
export interface IpcWriteOptions {
  /** `file` (Feather v2, with footer; the default) or `stream`. */
  readonly format?: 'file' | 'stream';
  /** Body compression (default `none`); readers without codecs (apache-arrow JS) need `none`. */
  readonly compression?: 'none' | 'lz4' | 'zstd';
  /** The zstd level, 1 to 22 (default 3). */
  readonly zstdLevel?: number;
  /** Buffer alignment, 8 or 64 bytes (default 64). */
  readonly alignment?: 8 | 64;
  /** The IPC metadata version (default `v5`). */
  readonly metadataVersion?: 'v4' | 'v5';
  /** Pre-1.0 framing without the continuation marker (default `false`). */
  readonly legacyFormat?: boolean;
  /** Dictionaries sent again (`resend`, the default) or as deltas. */
  readonly dictionaryHandling?: 'resend' | 'delta';
}

/** Options of {@link writeTableToParquet}. */
export interface ParquetWriteOptions {
  /** The codec (default `zstd`). */
  readonly compression?: ParquetCompression;
  /** The codec's level (zstd 1–22, gzip 0–9, brotli 0–11). */
  readonly compressionLevel?: number;
  /** The most rows per row group (default 1Mi). */
  readonly maxRowGroupRows?: number;
  /** The target data page size in bytes (default 1 MiB). */
  readonly dataPageSize?: number;
  /** Dictionary-encode columns (default `true`). */
  readonly dictionary?: boolean;
  /** Statistics: `none`, per `chunk`, or per `page` (the default). */
  readonly statistics?: 'none' | 'chunk' | 'page';
  /** Parquet writer version `v1` (the default, widest support) or `v2`. */
  readonly writerVersion?: 'v1' | 'v2';
  /** Key-value metadata for the footer. */
  readonly keyValueMetadata?: readonly KeyValue[];
  /**
   * A CRC32 of each page in its header (default `true`), so readers that verify checksums
   * (this library, pyarrow with `page_checksum_verification=True`) refuse a damaged page.
   */
  readonly pageChecksums?: boolean;
}

/** Options of {@link writeTableToCsv}. */
export interface CsvWriteOptions {
  /** Write a header record (default `true`). */
  readonly header?: boolean;
  /** The delimiter, one ASCII character (default `,`). */
  readonly delimiter?: string;
  /** The quote character (default `"`). */
  readonly quote?: string;
  /** The text written for null (default empty). */
  readonly nullValue?: string;
}

/** Options of {@link writeTableToNdjson}. */
export interface NdjsonWriteOptions {
  /** Write `"key": null` instead of leaving out null keys (default `false`). */
  readonly explicitNulls?: boolean;
}

/** One problem {@link validateBytes} found. */
export interface Problem {
  /** Where: `batch 2, column "x"`, `row group 0, column "id"`, `footer`, ... */
  readonly location: string;
  /** What. */
  readonly error: ArrowError;
}

/** What {@link validateBytes} found. */
export interface ValidationReport {
  /** The format, if it could be told. */
  readonly format?: DataFormat;
  /** Rows decoded. */
  readonly numRows: number;
  /** Batches decoded. */
  readonly numBatches: number;
  /** The checks that ran, in order. */
  readonly checks: readonly string[];
  /** Every problem found; empty when the bytes are sound. */
  readonly problems: readonly Problem[];
}

/** A plugin the core can register: anything that carries its {@link PluginInfo}. */
export interface ArrowPlugin {
  /** The plugin's identity and the extension types it claims. */
  readonly info: PluginInfo;
}
