// The user manual's JavaScript quick starts are the files in examples/, verbatim, and they run:
// the Node one as a program, the browser one in a page in Chromium (its download checked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../dist/index.js';
import { root, scratch } from './helpers.mjs';
import { launch, serve } from './chromium.mjs';

const manual = readFileSync(join(root, 'docs/user_manual.md'), 'utf8');
const blocks = [...manual.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]);
const example = (name) => readFileSync(join(root, 'js-bindings/examples', name), 'utf8');
const value = (r) => {
  assert.equal(r.ok, true, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
};

test('the manual shows the quick starts and the analytics examples verbatim', () => {
  for (const name of ['quickstart-node.mjs', 'quickstart-browser.mjs', 'analytics-node.mjs', 'duckdb-handoff.mjs']) {
    assert.ok(blocks.includes(example(name)), `docs/user_manual.md has no \`\`\`js block equal to examples/${name}`);
  }
});

test('the Node quick start runs and writes Parquet that reads back as the sample', async () => {
  value(await api.initWasm());
  const out = join(scratch(), 'trips.parquet');
  const printed = execFileSync(process.execPath, [join(root, 'js-bindings/examples/quickstart-node.mjs'), out], { cwd: root, encoding: 'utf8' });
  assert.match(printed, /trip_id: Int64/);
  assert.match(printed, /a second free is an error value, not an exception: closed/);
  const written = value(await api.readTableFromArrayBuffer(readFileSync(out)));
  const sample = value(await api.readTableFromArrayBuffer(readFileSync(join(root, 'testdata/sample/trips.csv'))));
  assert.equal(value(await api.tableFingerprint(written)), value(await api.tableFingerprint(sample)));
});

test('the analytics example runs: SQL and builder answers equal counts made here from the CSV, columns typed, the error placed', () => {
  const printed = execFileSync(process.execPath, [join(root, 'js-bindings/examples/analytics-node.mjs')], { cwd: root, encoding: 'utf8' });
  const lines = readFileSync(join(root, 'testdata/sample/trips.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.replaceAll('"', '').split(','));
  const over20 = lines.filter((c) => Number(c[5]) > 20);
  const byPayment = new Map();
  for (const c of over20) byPayment.set(c[7], (byPayment.get(c[7]) ?? 0) + 1);
  for (const [payment, n] of byPayment) assert.match(printed, new RegExp(`payment: '${payment}', n: ${n},`));
  const byZone = new Map();
  for (const c of over20.filter((c) => c[7] === 'card' || c[7] === 'app')) byZone.set(c[8], (byZone.get(c[8]) ?? 0) + 1);
  const [zone, n] = [...byZone].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  assert.match(printed, new RegExp(`pickup_zone: '${zone}', n: ${n},`));
  assert.match(printed, /^start timestamp\[us\] BigInt64Array\(4\)/m);
  assert.match(printed, new RegExp(`^trips int64 BigInt64Array\\(4\\) \\[ ${[0, 1, 2, 3].map((q) => lines.filter((c) => Math.floor(Number(c[1].slice(11, 13)) / 6) === q).length + 'n').join(', ')} \\]`, 'm'));
  assert.match(printed, /^unknown-column at 1:30: no column fair/m);
});

test('the browser quick start runs in Chromium: schema listed, LZ4 Feather downloaded', async () => {
  value(await api.initWasm());
  const server = await serve();
  const browser = await launch();
  const done = (async () => {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`http://127.0.0.1:${server.address().port}/js-bindings/test/browser/quickstart.html`);
    await page.waitForSelector('a[download]', { timeout: 30_000 });
    const items = await page.locator('li').allTextContents();
    const downloading = page.waitForEvent('download');
    await page.click('a[download]');
    const file = join(scratch(), 'trips.feather');
    await (await downloading).saveAs(file);
    assert.deepEqual(errors, []);
    return { items, file };
  })();
  const { items, file } = await done.finally(() => browser.close().then(() => server.close()));
  assert.equal(items.length, 10);
  assert.equal(items[0], 'trip_id: Int64');
  const feather = value(await api.readTableFromArrayBuffer(readFileSync(file)));
  assert.deepEqual(value(await api.getTableInfo(feather)).sourceCompression, ['lz4-frame']);
  const sample = value(await api.readTableFromArrayBuffer(readFileSync(join(root, 'testdata/sample/trips.csv'))));
  assert.equal(value(await api.tableFingerprint(feather)), value(await api.tableFingerprint(sample)));
});

test('the TypeScript API reference in docs/js-api is what typedoc makes of the sources now', () => {
  const out = scratch();
  execFileSync(process.execPath, [join(root, 'js-bindings/node_modules/typedoc/bin/typedoc'), '--out', out, '--logLevel', 'Error'], { cwd: join(root, 'js-bindings'), encoding: 'utf8' });
  const tree = (dir) => readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.md')).sort();
  const committed = join(root, 'docs/js-api');
  assert.deepEqual(tree(out), tree(committed), 'run `make js-api-docs`');
  for (const f of tree(out)) {
    assert.equal(readFileSync(join(committed, f), 'utf8'), readFileSync(join(out, f), 'utf8'), `docs/js-api/${f} is out of date: run \`make js-api-docs\``);
  }
});
