/**
 * The one core instance behind the façade, its table handles, and the conversion of every throw
 * of jco's bindings into a `Result`. Internal: the public entry points re-export what users need.
 *
 * jco's bindings throw a `ComponentError` whose `payload` is the WIT `arrow-error` (or, from the
 * registry, a `registry-error`); a trap throws a `WebAssembly.RuntimeError` and poisons the
 * instance for good. The façade therefore uses jco's `--instantiation async` output: after a trap
 * it instantiates the already compiled modules again (a few milliseconds), replays the plugin
 * registrations, and marks the tables of the dead instance stale.
 *
 * @module
 */
import { instantiate } from '../gen/instance/core/arrow-core.js';
import type { Root } from '../gen/instance/core/arrow-core.js';
import type { Table } from '../gen/instance/core/interfaces/arrow-core-table.js';
import type { PluginInfo } from '../gen/instance/core/interfaces/arrow-core-registry.js';
import { err, ok } from './result.js';
import type { ArrowError, ErrorCode, RegistryRefusal, Result } from './result.js';

/** The exports of one core instance. */
export type Core = Root;
/** A core table resource. */
export type CoreTable = Table;

/** Where the core's WebAssembly comes from: bytes, a compiled module, or a URL to fetch. */
export type WasmSource = ArrayBuffer | ArrayBufferView | WebAssembly.Module | URL | string | Response;

const brand: unique symbol = Symbol('arrow-rs-wasm.TableHandle');

/**
 * An opaque reference to a table that lives inside the component. Free it with `freeTable`, or
 * let `using` do it (`using t = ...`); a use after free is an `Err` with code `closed`.
 */
export interface TableHandle extends Disposable {
  /** Marks the type; handles come only from the façade. */
  readonly [brand]: true;
  /** A number unique to the handle within its page or process, for logs. */
  readonly id: number;
}

interface Live {
  readonly table: CoreTable;
  readonly generation: number;
}

/** A live core instance. */
interface Instance {
  /** Its exports. */
  readonly core: Core;
  /** Which instance it is: 1 at start, one more after each trap. */
  readonly generation: number;
}

/** Called after a trap replaced the instance, with the trap's error. */
export type TrapListener = (error: ArrowError) => void;

const live = new Map<number, Live>();
const registered = new Map<string, PluginInfo>();
const trapListeners = new Set<TrapListener>();
let nextId = 1;
let modules: Promise<Result<CoreModules>> | undefined;
let current: Promise<Result<Instance>> | undefined;
let generation = 0;

async function bytesOf(url: URL): Promise<Result<ArrayBuffer>> {
  if (url.protocol === 'file:') {
    const fs = await import('node:fs/promises');
    return fs.readFile(url).then(
      (b) => ok(b.slice().buffer),
      (e: unknown) => err('not-initialized', `cannot read ${url.href}: ${String(e)}`),
    );
  }
  return fetch(url).then(
    (r) => (r.ok ? r.arrayBuffer().then(ok) : err('not-initialized', `fetching ${url.href}: HTTP ${r.status}`)),
    (e: unknown) => err('not-initialized', `fetching ${url.href}: ${String(e)}`),
  );
}

function compile(bytes: ArrayBuffer | ArrayBufferView): Promise<Result<WebAssembly.Module>> {
  // A copy (once, at start) gives WebAssembly.compile an unshared buffer whatever it was given.
  const copy = bytes instanceof ArrayBuffer ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
  return WebAssembly.compile(copy).then(ok, (e: unknown) => err('not-initialized', `not a WebAssembly module: ${String(e)}`));
}

async function compileSource(source: WasmSource): Promise<Result<WebAssembly.Module>> {
  if (source instanceof WebAssembly.Module) return ok(source);
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compile(source);
  if (source instanceof URL || typeof source === 'string') {
    const bytes = await bytesOf(typeof source === 'string' ? new URL(source, import.meta.url) : source);
    return bytes.ok ? compile(bytes.value) : bytes;
  }
  return source.arrayBuffer().then((b) => compile(b), (e: unknown) => err('not-initialized', String(e)));
}

/**
 * Compiles the core modules of a transpiled component: `main` is its big module (given by the
 * caller or found beside the package), the small shims are loaded from `shimDir`.
 */
export async function compileComponent(
  paths: readonly string[],
  main: string,
  mainSource: WasmSource,
  shimDir: URL,
): Promise<Result<Map<string, WebAssembly.Module>>> {
  const out = new Map<string, WebAssembly.Module>();
  for (const path of paths) {
    const compiled = await compileSource(path === main ? mainSource : new URL(path, shimDir));
    if (!compiled.ok) return compiled;
    out.set(path, compiled.value);
  }
  return ok(out);
}

/** The core modules of the transpiled component, by the path jco asks for them under. */
export type CoreModules = ReadonlyMap<string, WebAssembly.Module>;

const CORE_PATHS = ['arrow-core.core.wasm', 'arrow-core.core2.wasm', 'arrow-core.core3.wasm'] as const;

/**
 * Compiles the core's modules without instantiating them (a worker pool compiles once and posts
 * the compiled modules to every worker).
 */
export function compileCore(source?: WasmSource): Promise<Result<CoreModules>> {
  const main = source ?? new URL('../gen/core/arrow-core.core.wasm', import.meta.url);
  return compileComponent(CORE_PATHS, CORE_PATHS[0], main, new URL('../gen/instance/core/', import.meta.url));
}

/**
 * Instantiates the transpiled core. jco's glue probes `WebAssembly.promising` (JSPI) once per
 * export inside one 9,000-line function; where JSPI is missing (Node 20, 22) each probe throws a
 * TypeError whose message V8 renders by parsing that function again, about 0.6 ms each, 40 ms
 * in all. Where synchronous instantiation is allowed (anywhere but a browser's main thread) the
 * glue runs synchronously with `promising` standing in as jco's own fallback (the function
 * itself), removed before anything else can run: 3 ms instead of 40.
 */
function instantiated(getCoreModule: (path: string) => WebAssembly.Module | Promise<WebAssembly.Module>): Promise<Core> {
  const jspi = typeof Reflect.get(WebAssembly, 'promising') === 'function';
  if (jspi || typeof Reflect.get(globalThis, 'document') !== 'undefined') return Promise.resolve().then(() => instantiate(getCoreModule, {}));
  Reflect.set(WebAssembly, 'promising', <F>(f: F): F => f);
  const made = new Promise<Core>((resolve) => resolve(instantiate(getCoreModule, {}, (m, imports) => new WebAssembly.Instance(m, imports))));
  Reflect.deleteProperty(WebAssembly, 'promising');
  return made;
}

async function instantiateCore(compiled: CoreModules): Promise<Result<Instance>> {
  const getCoreModule = (path: string): WebAssembly.Module | Promise<WebAssembly.Module> =>
    compiled.get(path) ?? Promise.reject(new Error(`the transpiled core asks for an unknown module ${path}`));
  const core = await instantiated(getCoreModule).then(ok, (e: unknown) => err('not-initialized', `instantiating the core: ${String(e)}`));
  if (!core.ok) return core;
  generation += 1;
  for (const info of registered.values()) core.value.registry.register(info);
  return ok({ core: core.value, generation });
}

/**
 * Instantiates the core once from modules being compiled; later calls return the same instance.
 */
function start(loading: Promise<Result<CoreModules>>): Promise<Result<Instance>> {
  if (current !== undefined) return current;
  modules = loading;
  const started = loading.then((m) => (m.ok ? instantiateCore(m.value) : m));
  current = started;
  // A failed start can be retried (with other bytes, say).
  void started.then((r) => {
    if (!r.ok && current === started) {
      current = undefined;
      modules = undefined;
    }
  });
  return started;
}

/** Compiles and instantiates the core once; later calls return the same instance. */
export function init(source?: WasmSource): Promise<Result<Instance>> {
  return current ?? start(compileCore(source));
}

/** Instantiates the core from modules compiled elsewhere (by {@link compileCore}, in another thread). */
export function initCompiled(compiled: CoreModules): Promise<Result<Instance>> {
  return current ?? start(Promise.resolve(ok(compiled)));
}

/** The current instance, or `not-initialized`. */
export function instance(): Promise<Result<Instance>> {
  return current ?? Promise.resolve(err('not-initialized', 'call initWasm() first'));
}

/** The current instance's generation (it grows with every replacement after a trap). */
export function currentGeneration(): number {
  return generation;
}

/**
 * Unhooks the tables of an instance that trapped from jco's finalizers. Left hooked, a table
 * collected later would be dropped inside the dead instance, and a trap that left its stack
 * pointer wild (a stack overflow) makes that drop throw from the finalizer, where nothing can
 * handle it. Disposing unregisters first; the drop's own failure is expected and ignored.
 */
function retireTables(dead: number): void {
  for (const entry of live.values()) {
    if (entry.generation === dead) {
      void Promise.resolve(entry.table).then(dispose).then(undefined, () => undefined);
    }
  }
}

function replaceAfterTrap(error: ArrowError): void {
  const loading = modules;
  if (loading === undefined) return;
  retireTables(generation);
  current = loading.then((m) => (m.ok ? instantiateCore(m.value) : m));
  void current.then(() => trapListeners.forEach((listener) => listener(error)));
}

/** Registers a function called after each trap (for plugins that must instantiate again). */
export function onTrap(listener: TrapListener): void {
  trapListeners.add(listener);
}

function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : undefined;
}

function asArrowError(value: unknown): ArrowError | undefined {
  const r = recordOf(value);
  if (r === undefined || typeof r.code !== 'string' || typeof r.message !== 'string') return undefined;
  return { code: r.code as ErrorCode, message: r.message };
}

/** Turns what a binding threw into an error; a trap also replaces the instance. */
export function classify(thrown: unknown): ArrowError {
  const payload = typeof thrown === 'object' && thrown !== null && 'payload' in thrown ? thrown.payload : undefined;
  const direct = asArrowError(payload);
  if (direct !== undefined) return direct;
  const registryError = recordOf(payload);
  const inner = asArrowError(registryError?.error);
  if (inner !== undefined && typeof registryError?.refusal === 'string') {
    return { ...inner, refusal: registryError.refusal as RegistryRefusal };
  }
  if (thrown instanceof WebAssembly.RuntimeError) {
    const error: ArrowError = { code: 'trap', message: `the component trapped (${thrown.message}); it was replaced, tables read before are stale` };
    replaceAfterTrap(error);
    return error;
  }
  // jco checks arguments before entering the component: a wrong type is the caller's error.
  return { code: 'invalid-argument', message: thrown instanceof Error ? thrown.message : String(thrown) };
}

/** Runs `call` on the current instance; a throw becomes an `Err`. */
export async function run<T>(call: (core: Core, generation: number) => T | PromiseLike<T>): Promise<Result<T>> {
  const inst = await instance();
  if (!inst.ok) return inst;
  const { core, generation: gen } = inst.value;
  return Promise.resolve()
    .then(() => call(core, gen))
    .then(ok, (thrown: unknown) => ({ ok: false, error: classify(thrown) }));
}

/** Runs `call` on the live table of `handle` (and the instance it lives in). */
export async function withTable<T>(
  handle: TableHandle,
  call: (table: CoreTable, core: Core, generation: number) => T | PromiseLike<T>,
): Promise<Result<T>> {
  const inst = await instance();
  if (!inst.ok) return inst;
  const entry = live.get(handle.id);
  if (entry === undefined) return err('closed', `table ${handle.id} was freed`);
  if (entry.generation !== inst.value.generation) {
    return err('stale-handle', `table ${handle.id} belonged to an instance that trapped; read it again`);
  }
  return run((core, gen) => call(entry.table, core, gen));
}

/**
 * Drops a jco resource now. (jco gives resources a `Symbol.dispose` method, but its `.d.ts` of the
 * `--instantiation` output does not declare it.)
 */
export function dispose(resource: object): void {
  const drop: unknown = Reflect.get(resource, Symbol.dispose);
  if (typeof drop === 'function') Reflect.apply(drop, resource, []);
}

/** Wraps a core table of the instance of `gen` in a new handle. */
export function adopt(table: CoreTable, gen: number): TableHandle {
  const id = nextId;
  nextId += 1;
  live.set(id, { table, generation: gen });
  const handle: TableHandle = {
    [brand]: true,
    id,
    [Symbol.dispose]: () => {
      release(handle);
    },
  };
  return handle;
}

/** Frees a handle's table now. Freeing a stale handle only forgets it. */
export function release(handle: TableHandle): Result<void> {
  const entry = live.get(handle.id);
  if (entry === undefined) return err('closed', `table ${handle.id} was already freed`);
  live.delete(handle.id);
  if (entry.generation === generation) dispose(entry.table);
  return ok(undefined);
}

/** How many handles are live (not freed, not stale). */
export function liveCount(): number {
  return [...live.values()].filter((e) => e.generation === generation).length;
}

/** Remembers a registration so that it survives a trap. */
export function remember(info: PluginInfo): void {
  registered.set(info.id, info);
}

/** Forgets a registration. */
export function forget(id: string): void {
  registered.delete(id);
}
