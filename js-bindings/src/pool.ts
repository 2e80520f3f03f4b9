/**
 * A pool of workers (Node `worker_threads` or browser Web Workers), each running its own core
 * instance, so that big jobs run off the main thread and across cores:
 *
 * ```ts
 * import { createWorkerPool } from 'arrow-rs-wasm/pool';
 *
 * const pool = await createWorkerPool({ size: 2 });
 * if (pool.ok) {
 *   const parts = [0, 1, 2, 3].map((g) =>
 *     pool.value.run({ input: file, format: 'parquet', rowGroups: [g], output: { ipc: { compression: 'lz4' } } }),
 *   );
 *   for (const part of await Promise.all(parts)) if (part.ok) console.log(part.value.rows, part.value.bytes?.byteLength);
 *   await pool.value.close();
 * }
 * ```
 *
 * The core is compiled once, on the calling thread, and the compiled modules are posted to each
 * worker, which only instantiates them. Tasks wait in one queue and go to whichever worker is
 * free, so a slow task does not hold up the others. Results come back with their bytes
 * transferred, not copied. A worker that dies (it exits, throws outside a task, or outlives
 * `taskTimeoutMs`) is replaced, and its task runs again on another worker up to `maxAttempts`
 * times; after that the task's result is an `Err` with code `worker-failed`.
 *
 * @module
 */
import { compileCore } from './runtime.js';
import type { CoreModules, WasmSource } from './runtime.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';
import type {
  Bytes,
  CsvWriteOptions,
  DataFormat,
  IpcWriteOptions,
  NdjsonWriteOptions,
  Output,
  ParquetWriteOptions,
  SchemaSummary,
} from './types.js';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** How many workers: by default one fewer than the machine's hardware threads, at least one. */
  readonly size?: number;
  /** The core module, as for `initWasm`: bytes, a compiled module, a `Response` or a URL. */
  readonly wasm?: WasmSource;
  /**
   * A module whose exports are {@link TaskHandler}s, run with {@link WorkerPool.call}: a URL that
   * the workers can import (absolute, or a `file:` URL in Node).
   */
  readonly handlers?: string | URL;
  /** How many times a task may start before a dying worker fails it (default 2: one retry). */
  readonly maxAttempts?: number;
  /** Milliseconds after which a worker still busy with one task gets killed and replaced. */
  readonly taskTimeoutMs?: number;
  /**
   * The location of the package's `dist/worker.js`, for bundlers that move it; by default, beside
   * the pool's own module.
   */
  readonly workerUrl?: string | URL;
}

/** How a {@link PoolTask} writes its table. */
export type PoolOutputFormat =
  | {
      /** Arrow IPC (a stream with `format: 'stream'`, else a file). */
      readonly ipc: IpcWriteOptions;
    }
  | {
      /** Parquet. */
      readonly parquet: ParquetWriteOptions;
    }
  | {
      /** CSV with a header. */
      readonly csv: CsvWriteOptions;
    }
  | {
      /** NDJSON. */
      readonly ndjson: NdjsonWriteOptions;
    }
  | 'summary';

/**
 * The pool's built-in task: read some input, keep some of it, write it out (or only summarise it).
 * Parquet from a `Blob` or a URL is read by ranges, one row group at a time, so a task that asks
 * for one row group of a large file reads only that row group's bytes.
 */
export interface PoolTask {
  /** The bytes, a `Blob`/`File`, or a URL the worker fetches (with `Range` requests for Parquet). */
  readonly input: Bytes | Blob | URL;
  /** The input's format; detected from its first bytes when absent. */
  readonly format?: DataFormat;
  /** Columns to keep, by name, in the order given. */
  readonly columns?: readonly string[];
  /** Parquet only: the row groups to read (all by default). */
  readonly rowGroups?: readonly number[];
  /** Rows to skip first. */
  readonly offset?: number;
  /** The most rows to keep. */
  readonly limit?: number;
  /**
   * What to produce: bytes in a format, or `'summary'` (rows, schema and fingerprint, no bytes).
   */
  readonly output: PoolOutputFormat;
}

/** What a {@link PoolTask} produced. */
export interface PoolTaskOutput {
  /** Rows in the output. */
  readonly rows: number;
  /** The output's schema. */
  readonly schema: SchemaSummary;
  /** The written bytes (absent for `'summary'`). */
  readonly bytes?: Output;
  /** For `'summary'`: the table's content fingerprint (as `tableFingerprint`). */
  readonly fingerprint?: string;
}

/** What a handler learns about the run it is in. */
export interface TaskContext {
  /** 1 on the first run of the task, 2 when it is retried after a worker died, and so on. */
  readonly attempt: number;
  /** The worker's number in the pool (replacements get new numbers). */
  readonly worker: number;
}

/**
 * A function of the `handlers` module, run inside a worker by {@link WorkerPool.call}. It may use
 * the façade (`arrow-rs-wasm`, already initialised in the worker). What it returns is posted
 * back; the buffers of any typed arrays and `ArrayBuffer`s in it are transferred.
 */
export type TaskHandler = (payload: unknown, context: TaskContext) => Result<unknown> | Promise<Result<unknown>>;

/** Options of one task. */
export interface RunOptions {
  /**
   * Buffers to move to the worker instead of copying them (they become unusable here). A task
   * whose buffers were moved cannot be retried if its worker dies.
   */
  readonly transfer?: readonly ArrayBuffer[];
}

/** What the pool has done so far. */
export interface PoolStats {
  /** Live workers. */
  readonly workers: number;
  /** Workers running a task. */
  readonly busy: number;
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks finished (with any result). */
  readonly completed: number;
  /** Tasks run again after their worker died. */
  readonly retried: number;
  /** Workers that died and were replaced. */
  readonly replaced: number;
  /** For each worker started, milliseconds from spawning it to its core being ready. */
  readonly startMs: readonly number[];
}

/** A pool of workers; see the module's overview. */
export interface WorkerPool extends AsyncDisposable {
  /** How many workers it keeps. */
  readonly size: number;
  /** Runs the built-in task on the next free worker. */
  run(task: PoolTask, options?: RunOptions): Promise<Result<PoolTaskOutput>>;
  /** Runs the `handlers` module's export `name` with `payload` on the next free worker. */
  call<T>(name: string, payload: unknown, options?: RunOptions): Promise<Result<T>>;
  /** Counts of what it has done. */
  stats(): PoolStats;
  /** Stops every worker; queued and running tasks end with `closed`. */
  close(): Promise<void>;
}

/** Messages to a worker. @internal */
export type ToWorker =
  | {
      readonly kind: 'init';
      readonly worker: number;
      readonly modules: readonly (readonly [string, WebAssembly.Module])[];
      readonly handlers?: string;
    }
  | { readonly kind: 'task'; readonly id: number; readonly name: string; readonly payload: unknown; readonly attempt: number };

/** Messages from a worker. @internal */
export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-failed'; readonly result: Result<never> }
  | { readonly kind: 'done'; readonly id: number; readonly result: Result<unknown> };

/** The name the built-in task is called under. @internal */
export const BUILT_IN = '\0convert';

/** A worker thread of either platform, reduced to what the pool uses. */
interface Port {
  post(message: ToWorker, transfer: readonly Transferable[]): void;
  /** Whether the worker should keep a Node process alive (only while it runs a task). */
  hold(busy: boolean): void;
  terminate(): void;
}

/** What a port reports. */
interface PortEvents {
  message(value: unknown): void;
  died(reason: string): void;
}

type Spawn = (url: URL, events: PortEvents) => Port;

async function spawner(): Promise<Spawn> {
  const WebWorker: unknown = Reflect.get(globalThis, 'Worker');
  if (typeof WebWorker === 'function') {
    return (url, events) => {
      // Written out in full so that bundlers see the worker (`new Worker(new URL(...), ...)`).
      const w = url.href === defaultWorkerUrl().href ? new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) : new Worker(url, { type: 'module' });
      w.addEventListener('message', (e) => events.message(e.data));
      // In a browser an uncaught error leaves the worker running in an unknown state: treat it as dead.
      w.addEventListener('error', (e) => events.died(`the worker failed: ${e.message}`));
      w.addEventListener('messageerror', () => events.died('a message from the worker could not be read'));
      return { post: (m, transfer) => w.postMessage(m, [...transfer]), hold: () => undefined, terminate: () => w.terminate() };
    };
  }
  const threads = await import('node:worker_threads');
  return (url, events) => {
    const w = new threads.Worker(url);
    w.on('message', (m) => events.message(m));
    w.on('error', (e) => events.died(`the worker failed: ${String(e)}`));
    w.on('messageerror', () => events.died('a message from the worker could not be read'));
    w.on('exit', (code) => events.died(`the worker exited with code ${code}`));
    // Idle workers do not keep the process alive (a program that forgets close() still exits);
    // starting and busy ones do.
    return {
      post: (m, transfer) => w.postMessage(m, transfer),
      hold: (busy) => (busy ? w.ref() : w.unref()),
      terminate: () => void w.terminate(),
    };
  };
}

function defaultWorkerUrl(): URL {
  return new URL('./worker.js', import.meta.url);
}

async function defaultSize(): Promise<number> {
  const browserThreads: unknown = Reflect.get(globalThis, 'navigator') === undefined ? undefined : Reflect.get(navigator, 'hardwareConcurrency');
  const threads = typeof browserThreads === 'number' ? browserThreads : (await import('node:os')).availableParallelism();
  return Math.max(1, threads - 1);
}

interface Pending {
  readonly id: number;
  readonly name: string;
  readonly payload: unknown;
  readonly transfer: readonly ArrayBuffer[];
  attempts: number;
  readonly settle: (result: Result<unknown>) => void;
}

interface Slot {
  readonly number: number;
  readonly port: Port;
  readonly spawnedAt: number;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  task?: Pending;
  timer?: ReturnType<typeof setTimeout>;
}

function positive(value: number | undefined, fallback: number, name: string): Result<number> {
  if (value === undefined) return ok(fallback);
  return Number.isInteger(value) && value >= 1 ? ok(value) : err('invalid-argument', `${name} must be a positive integer, not ${value}`);
}

/**
 * Starts a pool: compiles the core here, starts the workers and waits until each has instantiated
 * it. An `Err` (`not-initialized`) if the core cannot be compiled or a worker cannot start.
 */
export async function createWorkerPool(options: WorkerPoolOptions = {}): Promise<Result<WorkerPool>> {
  const size = positive(options.size, await defaultSize(), 'size');
  if (!size.ok) return size;
  const maxAttempts = positive(options.maxAttempts, 2, 'maxAttempts');
  if (!maxAttempts.ok) return maxAttempts;
  const timeout = options.taskTimeoutMs;
  if (timeout !== undefined && !(timeout > 0)) return err('invalid-argument', `taskTimeoutMs must be positive, not ${timeout}`);
  const compiled = await compileCore(options.wasm);
  if (!compiled.ok) return compiled;
  const modules: CoreModules = compiled.value;
  const spawn = await spawner();
  const url = options.workerUrl === undefined ? defaultWorkerUrl() : new URL(options.workerUrl, import.meta.url);
  const handlers = options.handlers === undefined ? undefined : String(options.handlers);

  const slots: Slot[] = [];
  const queue: Pending[] = [];
  const startMs: number[] = [];
  let nextTask = 1;
  let nextWorker = 1;
  let completed = 0;
  let retried = 0;
  let replaced = 0;
  let closed = false;
  let startFailure: Result<never> | undefined;
  const waiting = new Set<() => void>();
  const changed = (): void => waiting.forEach((wake) => wake());

  const settle = (task: Pending, result: Result<unknown>): void => {
    completed += 1;
    task.settle(result);
  };

  const pump = (): void => {
    for (const slot of slots) {
      const task = slot.state === 'idle' ? queue.shift() : undefined;
      if (task === undefined) continue;
      task.attempts += 1;
      slot.state = 'busy';
      slot.task = task;
      slot.port.hold(true);
      if (timeout !== undefined) slot.timer = setTimeout(() => kill(slot, `the task ran past taskTimeoutMs (${timeout} ms)`), timeout);
      const message: ToWorker = { kind: 'task', id: task.id, name: task.name, payload: task.payload, attempt: task.attempts };
      // postMessage throws on what it cannot clone (a function, say): the task's error, not the pool's.
      void new Promise<void>((resolve) => resolve(slot.port.post(message, task.transfer))).then(undefined, (e: unknown) => {
        if (slot.task !== task) return;
        clearTimeout(slot.timer);
        slot.task = undefined;
        slot.state = 'idle';
        slot.port.hold(false);
        settle(task, err('invalid-argument', `the task cannot be sent to a worker: ${String(e)}`));
        pump();
      });
    }
  };

  const kill = (slot: Slot, reason: string): void => {
    if (slot.state === 'dead') return;
    const wasStarting = slot.state === 'starting';
    slot.state = 'dead';
    clearTimeout(slot.timer);
    slot.port.terminate();
    slots.splice(slots.indexOf(slot), 1);
    const task = slot.task;
    slot.task = undefined;
    if (task !== undefined) {
      if (closed) settle(task, err('closed', 'the pool was closed'));
      else if (task.attempts < maxAttempts.value && task.transfer.length === 0) {
        retried += 1;
        queue.unshift(task);
      } else {
        const why = task.transfer.length > 0 ? 'its buffers were transferred, so it cannot run again' : `it ran ${task.attempts} times`;
        settle(task, err('worker-failed', `worker ${slot.number} died (${reason}) and ${why}`));
      }
    }
    if (closed) return;
    if (wasStarting) {
      // A worker that cannot even start will not start on a second try either.
      startFailure ??= err('worker-failed', `worker ${slot.number} could not start: ${reason}`);
      if (slots.length === 0) queue.splice(0).forEach((t) => settle(t, startFailure ?? err('worker-failed', reason)));
      changed();
      return;
    }
    replaced += 1;
    add();
    pump();
  };

  const onMessage = (slot: Slot, value: unknown): void => {
    if (typeof value !== 'object' || value === null || slot.state === 'dead') return;
    const message = value as FromWorker;
    if (message.kind === 'ready') {
      slot.state = 'idle';
      slot.port.hold(false);
      startMs.push(performance.now() - slot.spawnedAt);
      changed();
      pump();
    } else if (message.kind === 'init-failed') {
      startFailure = message.result;
      kill(slot, message.result.ok ? 'no reason given' : message.result.error.message);
    } else if (message.kind === 'done' && slot.task?.id === message.id) {
      const task = slot.task;
      clearTimeout(slot.timer);
      slot.task = undefined;
      slot.state = 'idle';
      slot.port.hold(false);
      settle(task, message.result);
      pump();
    }
  };

  const add = (): void => {
    const number = nextWorker;
    nextWorker += 1;
    const events: PortEvents = {
      message: (value) => onMessage(slot, value),
      died: (reason) => kill(slot, reason),
    };
    const slot: Slot = { number, port: spawn(url, events), spawnedAt: performance.now(), state: 'starting' };
    slots.push(slot);
    slot.port.post({ kind: 'init', worker: number, modules: [...modules.entries()], handlers }, []);
  };

  const close = async (): Promise<void> => {
    closed = true;
    queue.splice(0).forEach((t) => settle(t, err('closed', 'the pool was closed')));
    [...slots].forEach((slot) => kill(slot, 'the pool was closed'));
  };

  for (let i = 0; i < size.value; i += 1) add();
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (startFailure !== undefined || slots.every((s) => s.state !== 'starting')) {
        waiting.delete(check);
        resolve();
      }
    };
    waiting.add(check);
    check();
  });
  if (startFailure !== undefined) {
    await close();
    return startFailure;
  }

  const submit = <T>(name: string, payload: unknown, runOptions: RunOptions): Promise<Result<T>> => {
    if (closed) return Promise.resolve(err('closed', 'the pool was closed'));
    if (slots.length === 0) return Promise.resolve(startFailure ?? err('worker-failed', 'no worker of the pool could be started again'));
    const id = nextTask;
    nextTask += 1;
    return new Promise<Result<T>>((resolve) => {
      queue.push({ id, name, payload, transfer: runOptions.transfer ?? [], attempts: 0, settle: (r) => resolve(r as Result<T>) });
      pump();
    });
  };

  const pool: WorkerPool = {
    size: size.value,
    // URL objects cannot be posted: the worker gets the text and parses it again.
    run: (task, runOptions = {}) => submit<PoolTaskOutput>(BUILT_IN, task.input instanceof URL ? { ...task, input: { url: task.input.href } } : task, runOptions),
    call: <T>(name: string, payload: unknown, runOptions: RunOptions = {}) => submit<T>(name, payload, runOptions),
    stats: () => ({
      workers: slots.length,
      busy: slots.filter((s) => s.state === 'busy').length,
      queued: queue.length,
      completed,
      retried,
      replaced,
      startMs: [...startMs],
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
  return ok(pool);
}
