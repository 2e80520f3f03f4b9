/**
 * The geometry plugin (`arrow:geo`) for the façade: GeoArrow columns (`geoarrow.wkb` and the
 * native point, linestring and polygon encodings) measured and filtered inside WebAssembly.
 *
 * An entry point of its own (`arrow-rs-wasm/geo`): an app that never imports it never loads it.
 *
 * ```ts
 * import { initWasm, readTableFromArrayBuffer, registerPlugin } from 'arrow-rs-wasm';
 * import { loadGeo } from 'arrow-rs-wasm/geo';
 *
 * await initWasm();
 * const geo = await loadGeo();
 * if (geo.ok) {
 *   await registerPlugin(geo.value);
 *   const t = await readTableFromArrayBuffer(bytes);
 *   if (t.ok) console.log(await geo.value.area(t.value, 'geometry'));
 * }
 * ```
 *
 * @module
 */
import { instantiate } from '../gen/instance/geo/arrow-geo.js';
import type { Root as GeoRoot, ImportObject } from '../gen/instance/geo/arrow-geo.js';
import type { Bbox, NativeEncoding, Point } from '../gen/instance/geo/interfaces/arrow-geo-geometry.js';
import type { Table as GeoTable } from '../gen/instance/geo/interfaces/arrow-core-table.js';
import { adopt, compileComponent, currentGeneration, instance, run, withTable } from './runtime.js';
import type { CoreTable, TableHandle, WasmSource } from './runtime.js';
import { ok } from './result.js';
import type { Result } from './result.js';
import type { ArrowPlugin, PluginInfo } from './types.js';

/** The plugin's record types, as jco declares them from its WIT. */
export type { Bbox, NativeEncoding, Point };

/** The geometry plugin, bound to the façade's core. Register it with `registerPlugin`. */
export interface GeoPlugin extends ArrowPlugin {
  /** `io.arrow.plugin.geo.v1`, its version, and the extension types it claims. */
  readonly info: PluginInfo;
  /** Checks that a column is a geometry column the plugin reads; an `Err` says why not. */
  validate(handle: TableHandle, column: string): Promise<Result<void>>;
  /** The bounding box of each row (`null` for null or empty geometries). */
  bounds(handle: TableHandle, column: string): Promise<Result<(Bbox | null)[]>>;
  /** The bounding box of the whole column (`null` if it has no coordinates). */
  totalBounds(handle: TableHandle, column: string): Promise<Result<Bbox | null>>;
  /** The planar area of each row (`null` for null rows). */
  area(handle: TableHandle, column: string): Promise<Result<(number | null)[]>>;
  /** The planar length (perimeter for polygons) of each row. */
  length(handle: TableHandle, column: string): Promise<Result<(number | null)[]>>;
  /** The centroid of each row (`null` for null or empty geometries). */
  centroid(handle: TableHandle, column: string): Promise<Result<(Point | null)[]>>;
  /** The rows whose bounding box meets `bbox`, as a new table. */
  filterBbox(handle: TableHandle, column: string, bbox: Bbox): Promise<Result<TableHandle>>;
  /** The table with `column` re-encoded as `geoarrow.wkb`. */
  toWkb(handle: TableHandle, column: string): Promise<Result<TableHandle>>;
  /** The table with `column` re-encoded in a native GeoArrow encoding. */
  toNative(handle: TableHandle, column: string, encoding: NativeEncoding): Promise<Result<TableHandle>>;
}

const GEO_PATHS = ['arrow-geo.core.wasm', 'arrow-geo.core2.wasm', 'arrow-geo.core3.wasm'] as const;

// The plugin's `.d.ts` declares the imported `table` with only the methods the plugin uses; at run
// time the tables it returns are the core's own resources.
const asCore = (t: GeoTable): CoreTable => t as unknown as CoreTable;

const nullable = <T>(values: readonly (T | undefined)[]): (T | null)[] => values.map((v) => v ?? null);

/**
 * Loads the geometry plugin and links it to the façade's core (call `initWasm` first). After a trap
 * the plugin is linked again to the new core by itself.
 *
 * @param source - The plugin's module (`gen/geo/arrow-geo.core.wasm` of the package) as bytes, a
 *   compiled module, a `Response` or a URL; by default loaded from beside the package.
 */
export async function loadGeo(source?: WasmSource): Promise<Result<GeoPlugin>> {
  const ready = await instance();
  if (!ready.ok) return ready;
  const main = source ?? new URL('../gen/geo/arrow-geo.core.wasm', import.meta.url);
  const compiled = await compileComponent(GEO_PATHS, GEO_PATHS[0], main, new URL('../gen/instance/geo/', import.meta.url));
  if (!compiled.ok) return compiled;
  const modules = compiled.value;
  let linked: { readonly generation: number; readonly geo: Promise<Result<GeoRoot>> } | undefined;

  // One plugin instance per core instance: its imports are that core's exports.
  const link = (): Promise<Result<GeoRoot>> => {
    const generation = currentGeneration();
    if (linked !== undefined && linked.generation === generation) return linked.geo;
    const geo = run((core) => {
      const imports: ImportObject = {
        'arrow:core/registry@0.1.0': core.registry,
        'arrow:core/table@0.1.0': core.table,
        'arrow:core/types@0.1.0': core.types,
      };
      // jco's generated code reads the unversioned keys (see the BRIEF's recipes).
      const unversioned = { 'arrow:core/registry': core.registry, 'arrow:core/table': core.table, 'arrow:core/types': core.types };
      const getCoreModule = (path: string): WebAssembly.Module | Promise<WebAssembly.Module> =>
        modules.get(path) ?? Promise.reject(new Error(`the transpiled plugin asks for an unknown module ${path}`));
      return instantiate(getCoreModule, { ...imports, ...unversioned });
    });
    linked = { generation, geo };
    return geo;
  };

  const first = await link();
  if (!first.ok) return first;
  const info = first.value.plugin.info();

  const onTable = async <T>(handle: TableHandle, call: (geo: GeoRoot, t: CoreTable, generation: number) => T): Promise<Result<T>> => {
    const geo = await link();
    if (!geo.ok) return geo;
    return withTable(handle, (t, _core, generation) => call(geo.value, t, generation));
  };

  return ok({
    info,
    validate: (h, c) => onTable(h, (g, t) => g.geometry.validate(t, c)),
    bounds: (h, c) => onTable(h, (g, t) => nullable(g.geometry.bounds(t, c))),
    totalBounds: (h, c) => onTable(h, (g, t) => g.geometry.totalBounds(t, c) ?? null),
    area: (h, c) => onTable(h, (g, t) => nullable(g.geometry.area(t, c))),
    length: (h, c) => onTable(h, (g, t) => nullable(g.geometry.length(t, c))),
    centroid: (h, c) => onTable(h, (g, t) => nullable(g.geometry.centroid(t, c))),
    filterBbox: (h, c, bbox) => onTable(h, (g, t, gen) => adopt(asCore(g.geometry.filterBbox(t, c, bbox)), gen)),
    toWkb: (h, c) => onTable(h, (g, t, gen) => adopt(asCore(g.geometry.toWkb(t, c)), gen)),
    toNative: (h, c, e) => onTable(h, (g, t, gen) => adopt(asCore(g.geometry.toNative(t, c, e)), gen)),
  });
}
