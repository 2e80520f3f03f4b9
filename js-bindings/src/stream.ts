/**
 * Streaming for the façade: tables out of a `ReadableStream`, a `Blob`/`File` or a `fetch`
 * `Response` one batch at a time, Parquet read by byte ranges (`Blob.slice`, HTTP `Range`), and
 * writers that turn tables into bytes as they come (also as a `TransformStream`). The core does no
 * I/O: these functions move the bytes, the core says what it needs. Nothing is read before the
 * consumer asks for the next table, so memory stays bounded by what is in flight.
 *
 * ```ts
 * import { initWasm, numRows, freeTable } from 'arrow-rs-wasm';
 * import { readIpcStream } from 'arrow-rs-wasm/stream';
 *
 * await initWasm();
 * for await (const batch of readIpcStream(await fetch('/big.arrows'))) {
 *   if (!batch.ok) break;
 *   console.log(await numRows(batch.value));
 *   await freeTable(batch.value);
 * }
 * ```
 *
 * @module
 */
import type { IpcStreamDecoder, ParquetRangeReader, TableWriter } from '../gen/instance/core/interfaces/arrow-core-streaming.js';
import { ipcWriteOptions, output, parquetReadOptions, parquetWriteOptions, u64 } from './convert.js';
import type { IpcWriteOptions, Output, ParquetReadOptions, ParquetWriteOptions } from './types.js';
import { err, ok } from './result.js';
import type { ArrowError, Result } from './result.js';
import { adopt, currentGeneration, dispose, run, withTable } from './runtime.js';
import type { CoreTable, TableHandle } from './runtime.js';

/** How far a streaming read has got. */
export interface Progress {
  /** Bytes taken from the source so far. */
  readonly bytesRead: number;
  /** The source's size, when known (a `Blob`, a `Response` with `content-length`). */
  readonly totalBytes?: number;
  /** Rows handed out so far. */
  readonly rowsProduced: number;
  /** Milliseconds since the read started. */
  readonly elapsedMs: number;
  /** Milliseconds left at the rate so far, when the size is known. */
  readonly etaMs?: number;
}

/** Called after each batch (and at the end) of a streaming read. */
export type ProgressListener = (progress: Progress) => void;

/** A source of IPC stream bytes. */
export type ByteSource = ReadableStream<Uint8Array> | Blob | Response | AsyncIterable<Uint8Array>;

/** Options of {@link readIpcStream}. */
export interface IpcStreamReadOptions {
  /** Columns to keep, by name, in the order given. */
  readonly columns?: readonly string[];
  /** The most undelivered bytes the decoder holds before refusing more (`limit-exceeded`). */
  readonly maxBufferedBytes?: number;
  /** The most bytes decompression may produce per body. */
  readonly maxDecompressedBytes?: number;
  /** Called after each batch. */
  readonly onProgress?: ProgressListener;
  /** The size of the source, for progress, when it cannot be told (a bare stream). */
  readonly totalBytes?: number;
}

function progressOf(started: number, bytesRead: number, rowsProduced: number, totalBytes: number | undefined): Progress {
  const elapsedMs = performance.now() - started;
  const etaMs = totalBytes !== undefined && bytesRead > 0 ? (elapsedMs * (totalBytes - bytesRead)) / bytesRead : undefined;
  return { bytesRead, totalBytes, rowsProduced, elapsedMs, etaMs };
}

function sizeOf(source: ByteSource, given: number | undefined): number | undefined {
  if (given !== undefined) return given;
  if (source instanceof Blob) return source.size;
  if (source instanceof Response) {
    const length = Number(source.headers.get('content-length') ?? Number.NaN);
    return Number.isFinite(length) ? length : undefined;
  }
  return undefined;
}

function chunksOf(source: ByteSource): AsyncIterator<Uint8Array> {
  if (source instanceof Blob) return readerIterator(source.stream());
  if (source instanceof Response) return readerIterator(source.body ?? new Blob([]).stream());
  if (source instanceof ReadableStream) return readerIterator(source);
  return source[Symbol.asyncIterator]();
}

function readerIterator(stream: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  const reader = stream.getReader();
  return {
    next: () => reader.read().then((r): IteratorResult<Uint8Array> => (r.done ? { done: true, value: undefined } : { done: false, value: r.value })),
    return: () => reader.cancel().then((): IteratorResult<Uint8Array> => ({ done: true, value: undefined })),
  };
}

const failed = (e: unknown): ArrowError => ({ code: 'malformed-input', message: `reading the source failed: ${String(e)}` });

/**
 * Runs `then` while the core instance of `generation` is the live one: a resource made before a
 * trap died with its instance, so the rest of its read or write is stale.
 */
function whileLive<T>(generation: number, then: () => Promise<Result<T>>): Promise<Result<T>> {
  return generation === currentGeneration() ? then() : Promise.resolve(err('stale-handle', 'the component trapped during the stream; start it again'));
}

/** Hands out a decoded batch as a handle, telling `counted` its rows (for progress). */
async function handOut(table: CoreTable, generation: number, counted: (rows: number) => void): Promise<Result<TableHandle>> {
  const rows = await run(() => Number(table.numRows()));
  counted(rows.ok ? rows.value : 0);
  return ok(adopt(table, generation));
}

/** An async iterator of tables that also frees what it holds when a `for await` loop leaves early. */
export type TableStream = AsyncIterableIterator<Result<TableHandle>>;

/** Builds a {@link TableStream} from a function giving the next result (`undefined`: the end). */
function tableStream(pull: () => Promise<Result<TableHandle> | undefined>, close: () => void): TableStream {
  let done = false;
  const end = (): IteratorResult<Result<TableHandle>> => {
    if (!done) close();
    done = true;
    return { done: true, value: undefined };
  };
  const stream: TableStream = {
    next: async () => {
      if (done) return end();
      const r = await pull();
      if (r === undefined) return end();
      if (!r.ok) {
        // An error is the last item.
        close();
        done = true;
      }
      return { done: false, value: r };
    },
    return: async () => end(),
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}

/**
 * Reads an Arrow IPC stream as an async iterator of tables, one per record batch, pulling bytes
 * from the source only when the consumer asks for the next table. An error is the last item (a
 * truncated stream: `malformed-input` at the end). Free each table when done with it; leaving a
 * `for await` loop early frees the decoder and cancels the source.
 */
export function readIpcStream(source: ByteSource, options: IpcStreamReadOptions = {}): TableStream {
  const chunks = chunksOf(source);
  const total = sizeOf(source, options.totalBytes);
  const started = performance.now();
  let decoder: { readonly d: IpcStreamDecoder; readonly generation: number } | undefined;
  let bytesRead = 0;
  let rows = 0;
  let ended = false;
  const report = (): void => options.onProgress?.(progressOf(started, bytesRead, rows, total));
  const open = async (): Promise<Result<{ readonly d: IpcStreamDecoder; readonly generation: number }>> => {
    if (decoder !== undefined) return ok(decoder);
    const buffered = u64(options.maxBufferedBytes, 'maxBufferedBytes');
    const decompressed = u64(options.maxDecompressedBytes, 'maxDecompressedBytes');
    if (!buffered.ok) return buffered;
    if (!decompressed.ok) return decompressed;
    const created = await run((core, generation) => ({
      d: new core.streaming.IpcStreamDecoder({
        maxBufferedBytes: buffered.value,
        maxDecompressedBytes: decompressed.value,
        columns: options.columns === undefined ? undefined : [...options.columns],
      }),
      generation,
    }));
    if (created.ok) decoder = created.value;
    return created;
  };
  const pull = async (): Promise<Result<TableHandle> | undefined> => {
    const opened = await open();
    if (!opened.ok) return opened;
    const { d, generation } = opened.value;
    const step = <T>(call: () => T): Promise<Result<T>> => whileLive(generation, () => run(call));
    for (;;) {
      const next = await step(() => d.nextBatch());
      if (!next.ok) return next;
      if (next.value !== undefined) {
        const handle = await handOut(next.value, generation, (n) => (rows += n));
        report();
        return handle;
      }
      if (ended) {
        const finished = await step(() => d.finish());
        report();
        return finished.ok ? undefined : finished;
      }
      const chunk = await chunks.next().then(
        (r): Result<IteratorResult<Uint8Array>> => ok(r),
        (e: unknown): Result<IteratorResult<Uint8Array>> => ({ ok: false, error: failed(e) }),
      );
      if (!chunk.ok) return chunk;
      if (chunk.value.done === true) {
        ended = true;
      } else {
        const bytes = chunk.value.value;
        bytesRead += bytes.byteLength;
        const pushed = await step(() => d.push(bytes));
        if (!pushed.ok) return pushed;
      }
    }
  };
  const close = (): void => {
    if (decoder !== undefined && decoder.generation === currentGeneration()) dispose(decoder.d);
    if (!ended) void chunks.return?.().then(undefined, () => undefined);
  };
  return tableStream(pull, close);
}

/** Where a Parquet range read gets its bytes: a size and a function reading a range. */
export interface RangeSource {
  /** The file's length in bytes. */
  readonly size: number;
  /** The bytes from `offset`, `length` of them. */
  read(offset: number, length: number): Promise<Result<Uint8Array>>;
}

/** A {@link RangeSource} over a `Blob` or `File` (`Blob.slice`: nothing else is read). */
export function blobRanges(blob: Blob): RangeSource {
  return {
    size: blob.size,
    read: (offset, length) =>
      blob
        .slice(offset, offset + length)
        .arrayBuffer()
        .then(
          (b) => ok(new Uint8Array(b)),
          (e: unknown) => ({ ok: false, error: failed(e) }),
        ),
  };
}

/**
 * A {@link RangeSource} over HTTP: a `HEAD` request for the size, then a `Range` request per read.
 * The server must answer ranges with `206 Partial Content`.
 */
export async function httpRanges(url: string | URL, init: RequestInit = {}): Promise<Result<RangeSource>> {
  const head = await fetch(url, { ...init, method: 'HEAD' }).then(ok, (e: unknown) => ({ ok: false as const, error: failed(e) }));
  if (!head.ok) return head;
  const size = Number(head.value.headers.get('content-length') ?? Number.NaN);
  if (!head.value.ok || !Number.isFinite(size)) return err('invalid-argument', `HEAD ${String(url)}: HTTP ${head.value.status}, no content-length`);
  return ok({
    size,
    read: async (offset, length) => {
      const headers = new Headers(init.headers);
      headers.set('range', `bytes=${offset}-${offset + length - 1}`);
      const r = await fetch(url, { ...init, headers }).then(ok, (e: unknown) => ({ ok: false as const, error: failed(e) }));
      if (!r.ok) return r;
      if (r.value.status !== 206) return err('invalid-argument', `GET ${String(url)} with a Range header: HTTP ${r.value.status}, not 206`);
      return r.value.arrayBuffer().then((b) => ok(new Uint8Array(b)), (e: unknown) => ({ ok: false, error: failed(e) }));
    },
  });
}

/** Options of {@link readParquetRanges}. */
export interface ParquetRangeReadOptions extends ParquetReadOptions {
  /** Called after each batch. */
  readonly onProgress?: ProgressListener;
  /** Called with each range fetched (for logging, or to check what was read). */
  readonly onRange?: (offset: number, length: number) => void;
}

/**
 * Reads Parquet through byte ranges: the footer first, then only the column chunks of the row
 * groups and columns selected, one row group at a time, handing out batches as they decode.
 */
export function readParquetRanges(source: RangeSource, options: ParquetRangeReadOptions = {}): TableStream {
  const started = performance.now();
  let reader: { readonly r: ParquetRangeReader; readonly generation: number } | undefined;
  let bytesRead = 0;
  let rows = 0;
  const report = (): void => options.onProgress?.(progressOf(started, bytesRead, rows, source.size));
  const open = async (): Promise<Result<{ readonly r: ParquetRangeReader; readonly generation: number }>> => {
    if (reader !== undefined) return ok(reader);
    const o = parquetReadOptions(options);
    const length = u64(source.size, 'size');
    if (!o.ok) return o;
    if (!length.ok) return length;
    const created = await run((core, generation) => ({
      r: core.streaming.ParquetRangeReader.create(length.value ?? 0n, o.value),
      generation,
    }));
    if (created.ok) reader = created.value;
    return created;
  };
  const pull = async (): Promise<Result<TableHandle> | undefined> => {
    const opened = await open();
    if (!opened.ok) return opened;
    const { r, generation } = opened.value;
    const step = <T>(call: () => T): Promise<Result<T>> => whileLive(generation, () => run(call));
    for (;;) {
      const next = await step(() => r.next());
      if (!next.ok) return next;
      const s = next.value;
      if (s.tag === 'finished') {
        report();
        return undefined;
      }
      if (s.tag === 'batch') {
        const handle = await handOut(s.val, generation, (n) => (rows += n));
        report();
        return handle;
      }
      for (const range of s.val) {
        const offset = Number(range.offset);
        const length = Number(range.length);
        options.onRange?.(offset, length);
        const bytes = await source.read(offset, length);
        if (!bytes.ok) return bytes;
        bytesRead += bytes.value.byteLength;
        const given = await step(() => r.provide(range.offset, bytes.value));
        if (!given.ok) return given;
      }
    }
  };
  const close = (): void => {
    if (reader !== undefined && reader.generation === currentGeneration()) dispose(reader.r);
  };
  return tableStream(pull, close);
}

/** What a {@link TableStreamWriter} writes. */
export type StreamFormat =
  | {
      /** Arrow IPC: a stream with `format: 'stream'`, else a file (its footer written by `finish`). */
      readonly ipc: IpcWriteOptions;
    }
  | {
      /** Parquet, with row groups flushed as they fill. */
      readonly parquet: ParquetWriteOptions;
    };

/**
 * Writes tables one at a time as IPC (stream or file) or Parquet, returning the bytes as they are
 * produced (Parquet: when a row group fills). Every table must have the schema of the first.
 */
export interface TableStreamWriter extends Disposable {
  /** Writes one table; the bytes ready so far (possibly none). */
  write(handle: TableHandle): Promise<Result<Output>>;
  /** Ends the output (the IPC end marker and footer, the Parquet footer): its last bytes. */
  finish(): Promise<Result<Output>>;
  /** Rows written so far. */
  rowsWritten(): Promise<Result<number>>;
}

/** Creates a streaming writer whose schema is `schemaOf`'s. */
export async function createTableWriter(schemaOf: TableHandle, format: StreamFormat): Promise<Result<TableStreamWriter>> {
  const wit = 'ipc' in format ? ok({ tag: 'ipc' as const, val: ipcWriteOptions(format.ipc) }) : parquetWriteOptions(format.parquet);
  if (!wit.ok) return wit;
  const witFormat = 'tag' in wit.value ? wit.value : { tag: 'parquet' as const, val: wit.value };
  const created = await withTable(schemaOf, (t, core, generation) => ({ w: core.streaming.TableWriter.create(t, witFormat), generation }));
  if (!created.ok) return created;
  const { w, generation } = created.value;
  const writer: TableWriter = w;
  return ok({
    write: (handle) => whileLive(generation, () => withTable(handle, (t) => output(writer.write(t)))),
    finish: () => whileLive(generation, () => run(() => output(writer.finish()))),
    rowsWritten: () => whileLive(generation, () => run(() => Number(writer.rowsWritten()))),
    [Symbol.dispose]: () => {
      if (generation === currentGeneration()) dispose(writer);
    },
  });
}

/** Options of {@link tableWriterStream}. */
export interface WriterStreamOptions {
  /** Leave the tables piped in live (by default each is freed once written). */
  readonly keepTables?: boolean;
}

/**
 * A `TransformStream` from tables to bytes: pipe tables in (each is freed once written, unless
 * `keepTables`), read output chunks out. An error errors the stream with the `ArrowError`.
 */
export function tableWriterStream(format: StreamFormat, options: WriterStreamOptions = {}): TransformStream<TableHandle, Output> {
  let writer: TableStreamWriter | undefined;
  const unwrap = <T>(r: Result<T>): Promise<T> => (r.ok ? Promise.resolve(r.value) : Promise.reject(r.error));
  return new TransformStream<TableHandle, Output>({
    transform: async (handle, controller) => {
      if (writer === undefined) writer = await unwrap(await createTableWriter(handle, format));
      const bytes = await unwrap(await writer.write(handle));
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      if (options.keepTables !== true) handle[Symbol.dispose]();
    },
    flush: async (controller) => {
      if (writer === undefined) return Promise.reject<void>({ code: 'invalid-argument', message: 'no table was written: the schema is unknown' });
      const last = await unwrap(await writer.finish());
      if (last.byteLength > 0) controller.enqueue(last);
      writer[Symbol.dispose]();
      return undefined;
    },
  });
}
