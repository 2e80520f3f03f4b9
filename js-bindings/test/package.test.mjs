// The npm package as users get it: `npm pack`, installed into an empty project, imported by its
// name through the `exports` map (the façade, ./geo, ./apache-arrow, ./component); interop with
// apache-arrow JS; the geometry plugin through the façade in Node and in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, vectorFromArray, Table, Utf8, Int64, Dictionary, Int32 } from 'apache-arrow';
import * as api from '../dist/index.js';
import { loadGeo } from '../dist/geo.js';
import { fromArrowTable, toArrowTable } from '../dist/apache-arrow.js';
import { root, scratch } from './helpers.mjs';
import { inChromium } from './chromium.mjs';

const pkgDir = join(root, 'js-bindings');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const value = (r) => {
  assert.equal(r.ok, true, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
};
value(await api.initWasm());

test('the packed tarball holds every file the exports map names, and installs and runs by name offline', () => {
  const dir = scratch();
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const files = new Set(packed.files.map((f) => f.path));
  for (const [entry, target] of Object.entries(pkg.exports)) {
    const paths = typeof target === 'string' ? [target] : Object.values(target);
    for (const p of paths) assert.ok(files.has(p.replace(/^\.\//, '')), `${entry}: ${p} is not in the tarball`);
  }
  for (const wasm of ['gen/core/arrow-core.core.wasm', 'gen/geo/arrow-geo.core.wasm', 'gen/instance/core/arrow-core.core2.wasm', 'gen/instance/geo/arrow-geo.core3.wasm']) {
    assert.ok(files.has(wasm), `${wasm} is not in the tarball`);
  }
  assert.ok(![...files].some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('node_modules/')));
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, packed.filename)], { cwd: app, stdio: 'ignore' });
  writeFileSync(join(app, 'main.mjs'), `
    import { readFileSync } from 'node:fs';
    import { initWasm, readTableFromArrayBuffer, registerPlugin, numRows } from 'arrow-rs-wasm';
    import { loadGeo } from 'arrow-rs-wasm/geo';
    import { table } from 'arrow-rs-wasm/component';
    const ready = await initWasm();
    const geo = await loadGeo();
    const registered = await registerPlugin(geo.value);
    const t = await readTableFromArrayBuffer(readFileSync(${JSON.stringify(join(root, 'testdata/geo/geo.arrow'))}));
    const area = await geo.value.area(t.value, 'polygon');
    const raw = table.Table.read(readFileSync(${JSON.stringify(join(root, 'testdata/ipc/primitives.arrow'))}), {});
    console.log(JSON.stringify({ ready: ready.ok, registered: registered.ok, rows: (await numRows(t.value)).value, area: area.value, raw: Number(raw.numRows()) }));
  `);
  const out = JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8' }));
  const expected = JSON.parse(readFileSync(join(root, 'testdata/geo/expected.json'), 'utf8'));
  assert.equal(out.ready, true);
  assert.equal(out.registered, true);
  assert.equal(out.rows, expected.polygon.rows.length);
  out.area.forEach((a, i) => {
    const e = expected.polygon.rows[i];
    assert.ok(e === null ? a === null : Math.abs(a - e.area) <= 1e-9 * (1 + Math.abs(e.area)), `row ${i}`);
  });
  assert.ok(out.raw > 0);
});

test('the main entry point loads neither the plugin nor apache-arrow', () => {
  const imports = (file) => [...readFileSync(join(pkgDir, 'dist', file), 'utf8').matchAll(/^import .* from '([^']+)'/gm)].map((m) => m[1]);
  const seen = new Set();
  const walk = (file) => {
    for (const spec of imports(file)) {
      assert.ok(!/geo|apache-arrow/.test(spec), `${file} imports ${spec}`);
      if (spec.startsWith('./') && !seen.has(spec)) {
        seen.add(spec);
        walk(spec.slice(2));
      }
    }
  };
  walk('index.js');
  assert.ok(seen.has('./runtime.js'));
});

test('apache-arrow tables go in and come out equal', async () => {
  const source = tableFromArrays({
    id: Int32Array.from([1, 2, 3, 4]),
    score: Float64Array.from([0.5, -1.25, Number.MAX_VALUE, 3]),
    big: BigInt64Array.from([1n, -(2n ** 62n), 2n ** 62n, 0n]),
    name: vectorFromArray(['a', null, 'ü ∑ 😀', ''], new Utf8()),
    tag: vectorFromArray(['x', 'y', 'x', null], new Dictionary(new Utf8(), new Int32())),
    count: vectorFromArray([10n, null, 30n, 40n], new Int64()),
  });
  const handle = value(await fromArrowTable(source));
  const schema = value(await api.getSchemaSummary(handle)).columns;
  assert.deepEqual(schema.map((c) => c.name), ['id', 'score', 'big', 'name', 'tag', 'count']);
  assert.deepEqual(schema.map((c) => c.arrowType).slice(0, 4), ['Int32', 'Float64', 'Int64', 'Utf8']);
  const lz4 = value(await api.writeTableToIpc(handle, { compression: 'lz4' }));
  const reread = value(await api.readTableFromArrayBuffer(lz4));
  const back = value(await toArrowTable(reread));
  assert.ok(back instanceof Table);
  assert.equal(back.numRows, source.numRows);
  assert.deepEqual(back.schema.fields.map((f) => `${f.name}:${f.type}`), source.schema.fields.map((f) => `${f.name}:${f.type}`));
  for (const f of source.schema.fields) {
    assert.deepEqual([...back.getChild(f.name)], [...source.getChild(f.name)], f.name);
  }
  assert.equal(value(await api.tableFingerprint(reread)), value(await api.tableFingerprint(handle)));
  const empty = value(await fromArrowTable(tableFromArrays({ x: Int32Array.from([]) })));
  assert.equal(value(await api.numRows(empty)), 0);
  for (const h of [handle, reread, empty]) value(await api.freeTable(h));
});

const expected = JSON.parse(readFileSync(join(root, 'testdata/geo/expected.json'), 'utf8'));
const close = (a, b) => Math.abs(a - b) <= 1e-9 * (1 + Math.max(Math.abs(a), Math.abs(b)));

/** The geometry façade's answers on geo.arrow; runs in Node as is and in Chromium. */
async function geoThroughFacade({ api, loadGeo, bytes }) {
  await api.initWasm();
  const geo = await loadGeo();
  if (!geo.ok) return { error: geo.error };
  const registered = await api.registerPlugin(geo.value);
  const t = await api.readTableFromArrayBuffer(bytes);
  if (!t.ok) return { error: t.error };
  const owners = (await api.getSchemaSummary(t.value)).value.columns.map((c) => c.ownerPlugin ?? null);
  const area = await geo.value.area(t.value, 'multipolygon');
  const centroid = await geo.value.centroid(t.value, 'wkb');
  const filtered = await geo.value.filterBbox(t.value, 'wkb', { minX: -10, minY: -20, maxX: 25, maxY: 15 });
  const rows = filtered.ok ? (await api.numRows(filtered.value)).value : -1;
  const notGeo = await geo.value.area(t.value, 'id');
  const missing = await geo.value.area(t.value, 'nope');
  const total = await geo.value.totalBounds(t.value, 'wkb');
  await api.freeTable(t.value);
  const afterFree = await geo.value.area(t.value, 'wkb');
  await api.unregisterPlugin(geo.value.info.id);
  return { registered: registered.ok, owners, area: area.value, centroid: centroid.value, rows, notGeo: notGeo.ok ? 'ok' : notGeo.error.code, missing: missing.ok ? 'ok' : missing.error.code, total: total.value, afterFree: afterFree.ok ? 'ok' : afterFree.error.code };
}

function checkGeo(a) {
  assert.equal(a.registered, true);
  assert.equal(a.owners[0], null);
  assert.equal(a.owners[1], 'io.arrow.plugin.geo.v1');
  expected.multipolygon.rows.forEach((row, i) => {
    if (row === null) assert.equal(a.area[i], null);
    else assert.ok(close(a.area[i], row.area), `multipolygon ${i}`);
  });
  expected.wkb.rows.forEach((row, i) => {
    if (row === null || row.centroid === null) assert.equal(a.centroid[i], null, `wkb ${i}`);
    else assert.ok(close(a.centroid[i].x, row.centroid[0]) && close(a.centroid[i].y, row.centroid[1]), `wkb ${i}`);
  });
  assert.ok(a.rows > 0 && a.rows < expected.wkb.rows.length);
  assert.equal(a.notGeo, 'plugin');
  assert.equal(a.missing, 'column-not-found');
  assert.ok(a.total.minX <= a.total.maxX);
  assert.equal(a.afterFree, 'closed');
}

test('the geometry plugin through the façade gives shapely\'s answers in Node', async () => {
  checkGeo(await geoThroughFacade({ api, loadGeo, bytes: readFileSync(join(root, 'testdata/geo/geo.arrow')) }));
});

test('and the same in Chromium', async () => {
  const answers = await inChromium(async (source) => {
    const api = await import('/js-bindings/dist/index.js');
    const { loadGeo } = await import('/js-bindings/dist/geo.js');
    const bytes = new Uint8Array(await (await fetch('/testdata/geo/geo.arrow')).arrayBuffer());
    return (0, eval)(`(${source})`)({ api, loadGeo, bytes });
  }, geoThroughFacade.toString());
  checkGeo(answers);
});
