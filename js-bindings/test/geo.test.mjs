// The geometry plugin in Node and in real Chromium: the core and the plugin transpiled
// separately, the plugin's core imports mapped to the core's ESM (jco `--map`), so a core table
// passes into plugin calls. The answers are shapely's (testdata/geo/expected.json) and the same in
// both runtimes; the registry marks claimed columns. One test keeps an eye on the upstream jco bug
// with the composed component.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry, table } from '../gen/core/arrow-core.js';
import { geometry, plugin } from '../gen/geo/arrow-geo.js';
import { errorOf, root } from './helpers.mjs';
import { inChromium } from './chromium.mjs';

const geoFixture = (name) => readFileSync(join(root, 'testdata/geo', name));
const expected = JSON.parse(readFileSync(join(root, 'testdata/geo/expected.json'), 'utf8'));
const close = (a, b) => Math.abs(a - b) <= 1e-9 * (1 + Math.max(Math.abs(a), Math.abs(b)));
const BBOX = { minX: -10, minY: -20, maxX: 25, maxY: 15 };

/** What both runtimes compute; runs in Node as is and in Chromium after importing the modules. */
async function geoAnswers(modules) {
  const { table, registry, geometry, plugin, bytes } = modules;
  const t = table.Table.read(bytes, {});
  registry.register(plugin.info());
  const out = { types: t.schema().columns.map((c) => [c.arrowType, c.ownerPlugin ?? null]) };
  for (const name of ['wkb', 'polygon', 'multipolygon', 'point_sep']) {
    out[name] = {
      area: geometry.area(t, name),
      length: geometry.length(t, name),
      centroid: geometry.centroid(t, name).map((p) => (p === undefined ? null : [p.x, p.y])),
      rows: geometry.filterBbox(t, name, { minX: -10, minY: -20, maxX: 25, maxY: 15 }).numRows().toString(),
    };
  }
  registry.unregister(plugin.info().id);
  return out;
}

function checkAgainstShapely(answers) {
  assert.equal(answers.types[1][0], 'Geometry<wkb>');
  assert.equal(answers.types[1][1], 'io.arrow.plugin.geo.v1');
  assert.equal(answers.types[0][1], null);
  for (const name of ['wkb', 'polygon', 'multipolygon', 'point_sep']) {
    const rows = expected[name].rows;
    rows.forEach((row, i) => {
      if (row === null) {
        assert.equal(answers[name].area[i] ?? null, null, `${name} ${i}`);
        return;
      }
      assert.ok(close(answers[name].area[i], row.area), `${name} ${i} area`);
      assert.ok(close(answers[name].length[i], row.length), `${name} ${i} length`);
      if (row.centroid === null) assert.equal(answers[name].centroid[i], null);
      else assert.ok(close(answers[name].centroid[i][0], row.centroid[0]) && close(answers[name].centroid[i][1], row.centroid[1]));
    });
    const inBox = rows.filter((r) => r !== null && r.bounds !== null
      && r.bounds[0] <= BBOX.maxX && r.bounds[2] >= BBOX.minX && r.bounds[1] <= BBOX.maxY && r.bounds[3] >= BBOX.minY);
    assert.equal(answers[name].rows, String(inBox.length), `${name} bbox filter`);
  }
}

test('in Node, a core table passed to the linked plugin gives shapely\'s answers', async () => {
  checkAgainstShapely(await geoAnswers({ table, registry, geometry, plugin, bytes: geoFixture('geo.arrow') }));
});

test('in Chromium, the same modules give the same answers', async () => {
  const node = await geoAnswers({ table, registry, geometry, plugin, bytes: geoFixture('geo.arrow') });
  const browser = await inChromium(async (source) => {
    const core = await import('/js-bindings/gen/core/arrow-core.js');
    const geo = await import('/js-bindings/gen/geo/arrow-geo.js');
    const bytes = new Uint8Array(await (await fetch('/testdata/geo/geo.arrow')).arrayBuffer());
    const answers = await (0, eval)(`(${source})`)({ ...core, ...geo, bytes });
    return JSON.stringify(answers);
  }, geoAnswers.toString());
  const parsed = JSON.parse(browser);
  checkAgainstShapely(parsed);
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(node)), 'Chromium and Node agree exactly');
});

test('registry refusals and plugin errors arrive as typed values', () => {
  const info = plugin.info();
  registry.register(info);
  const dup = errorOf(() => registry.register(info));
  assert.equal(dup.refusal, 'duplicate-id');
  assert.equal(dup.error.code, 'plugin');
  assert.equal(errorOf(() => registry.register({ ...info, id: 'Not An Id' })).refusal, 'malformed-id');
  assert.equal(errorOf(() => registry.register({ ...info, id: 'org.x.y.v1', coreApi: '9.0.0' })).refusal, 'incompatible-core-api');
  assert.equal(errorOf(() => registry.register({ ...info, id: 'org.x.y.v1' })).refusal, 'extension-claimed');
  registry.unregister(info.id);
  assert.equal(errorOf(() => registry.unregister(info.id)).refusal, 'not-registered');
  const bad = table.Table.read(geoFixture('invalid_wkb.arrow'), {});
  const e = errorOf(() => geometry.validate(bad, 'geometry'));
  assert.equal(e.code, 'plugin');
  assert.match(e.message, /^row 3: invalid WKB/);
  assert.equal(bad.numRows(), 6n, 'the table is still usable after the plugin error');
});
