// Property-based and model-based tests of the façade (dist/index.js), in Node and in real
// Chromium. The properties live in test/browser/model-cases.mjs, which both runtimes import:
//
// 1. round trips: random schemas (integers of every width, floats, strings incl. unicode,
//    booleans, timestamps of every unit with and without offsets, dates, binary, decimals, nulls,
//    zero rows) read from NDJSON, written as Arrow IPC (file and stream, none/LZ4/ZSTD, and the
//    boolean LZ4 flag) and as Parquet, read back: schema, fingerprint, rows (tableRows and a
//    lossless parse of writeTableToNdjson) and provenance must survive;
// 2. a model of live tables driven by fc.commands: read, slice, select (also of missing
//    columns), filter, concat (also of different schemas), IPC and Parquet round trips, free
//    (freeTable and Symbol.dispose), use after free and double free; after each command the
//    façade must agree with the model (rows, counts, liveTableCount), and at the end of each run
//    fingerprints must be equal exactly where the model's contents are.
//
// FC_SEED=<n> (and FC_PATH=<path>, FC_REPLAY=<replayPath> from a failure report, with
// --test-name-pattern) replay a
// failure; the same seed gives the same cases in Node and in Chromium. FC_RUNS scales numRuns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../dist/index.js';
import { modelProperty, roundTripProperty } from './browser/model-cases.mjs';
import { inChromium } from './chromium.mjs';

const seed = process.env.FC_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FC_SEED);
const path = process.env.FC_PATH;
const replayPath = process.env.FC_REPLAY;
const scale = Number(process.env.FC_RUNS ?? 1);
const ROUND_TRIP_RUNS = Math.round(100 * scale);
const MODEL_RUNS = Math.round(100 * scale);

function verdict(out, runs) {
  const at = /path: "([^"]*)"/.exec(out.report)?.[1];
  const commands = /replayPath="([^"]*)"/.exec(out.report)?.[1];
  const replay = `FC_SEED=${out.seed} FC_PATH=${at}${commands === undefined ? '' : ` FC_REPLAY='${commands}'`}`;
  assert.equal(out.failed, false, `${out.report}\n(replay: ${replay} node --test --test-name-pattern='<this test>' test/model.test.mjs)`);
  if (path === undefined) assert.equal(out.numRuns, runs);
  return out;
}

/** Runs a property of model-cases.mjs in a Chromium page, with the façade the page imports. */
function inPage(name, options) {
  return inChromium(async ({ name, options }) => {
    const cases = await import('/js-bindings/test/browser/model-cases.mjs');
    const facade = await import('/js-bindings/dist/index.js');
    return cases[name](facade, options);
  }, { name, options });
}

test('round trips in Node: IPC (file/stream x none/lz4/zstd) and Parquet keep schema, fingerprint and rows', async () => {
  const out = verdict(await roundTripProperty(api, { numRuns: ROUND_TRIP_RUNS, seed, path }), ROUND_TRIP_RUNS);
  assert.equal(out.leaked, 0, 'every table made was freed');
  if (path === undefined) assert.ok(out.state.empty > 0 && out.state.parquet === ROUND_TRIP_RUNS, JSON.stringify(out.state));
});

test('round trips in Chromium: the same property', async () => {
  const out = verdict(await inPage('roundTripProperty', { numRuns: ROUND_TRIP_RUNS, seed, path }), ROUND_TRIP_RUNS);
  assert.equal(out.leaked, 0, 'every table made was freed');
  if (path === undefined) assert.ok(Object.keys(out.state.types).length >= 8, JSON.stringify(out.state));
});

test('model of live tables in Chromium: read, slice, select, filter, concat, write/read, free, use after free', async () => {
  const out = verdict(await inPage('modelProperty', { numRuns: MODEL_RUNS, seed, path, replayPath }), MODEL_RUNS);
  // Every kind of command ran at least once over the runs.
  if (path === undefined) for (const name of ['Read', 'Slice', 'Select', 'SelectMissing', 'WriteRead', 'WriteReadParquet', 'Concat', 'ConcatMismatch', 'Filter', 'Peek', 'Free', 'UseAfterFree', 'BadArgs']) {
    assert.ok((out.stats.commands[name] ?? 0) > 0, `${name} never ran: ${JSON.stringify(out.stats)}`);
  }
});

test('model of live tables in Node: the same model', async () => {
  verdict(await modelProperty(api, { numRuns: MODEL_RUNS, seed, path, replayPath }), MODEL_RUNS);
});
