// Property-based and model-based tests of the façade, shared by Node and Chromium
// (test/model.test.mjs runs them in both). Everything here is plain ESM with one bare import,
// 'fast-check', which Node resolves from node_modules and the page from its import map; the
// façade module is passed in (`api`), since Node and the page import it from different places.
//
// Data goes into the core as NDJSON text with an explicit schema (readNdjson), so no Arrow JS
// library is needed; what comes out is checked twice: through tableRows (JSON.parse, so 64-bit
// integers and decimals are compared as the doubles JSON.parse makes) and through
// writeTableToNdjson parsed by a lossless JSON reader below (so every digit is compared).
import * as fc from 'fast-check';

// ----------------------------------------------------------------------------------------------
// Column types: what the schema says, how a value is written into NDJSON, and what the core
// writes back for it.

const INTS = [
  ['Int8', 8, true], ['Int16', 16, true], ['Int32', 32, true], ['Int64', 64, true],
  ['UInt8', 8, false], ['UInt16', 16, false], ['UInt32', 32, false], ['UInt64', 64, false],
];
const TIME_UNITS = { s: 1n, ms: 1000n, us: 1000000n, ns: 1000000000n };
// Zones the core can parse without a time-zone database (only offsets: see the report on "UTC").
const ZONES = [null, '+00:00', '+02:00', '-05:30', '+14:00'];
const DAY_MS = 86400000n;
// Timestamps and dates stay within 0001-01-01 .. 9999-12-31 (local time included): chrono and JS
// Date format those years the same way.
const MIN_S = -62135596800n + 86400n;
const MAX_S = 253402300799n - 86400n;
const MIN_DAY = -719162 + 1;
const MAX_DAY = 2932896 - 1;

/** A column type: `{ kind, arrowType, ... }`; arrowType is arrow-rs's display string. */
export const typeArb = fc.oneof(
  fc.constantFrom(...INTS).map(([arrowType, bits, signed]) => ({ kind: 'int', arrowType, bits, signed })),
  fc.constant({ kind: 'float64', arrowType: 'Float64' }),
  fc.constant({ kind: 'float32', arrowType: 'Float32' }),
  fc.constantFrom('Utf8', 'LargeUtf8', 'Utf8View').map((arrowType) => ({ kind: 'string', arrowType })),
  fc.constant({ kind: 'bool', arrowType: 'Boolean' }),
  // arrow-rs displays `Timestamp(µs, "+02:00")` and parses that, `us` and the long forms.
  fc.record({ unit: fc.constantFrom('s', 'ms', 'us', 'ns'), tz: fc.constantFrom(...ZONES), long: fc.boolean() }).map(({ unit, tz, long }) => {
    const shown = unit === 'us' ? 'µs' : unit;
    const name = { s: 'Second', ms: 'Millisecond', us: 'Microsecond', ns: 'Nanosecond' }[unit];
    return {
      kind: 'timestamp', unit, tz,
      arrowType: tz === null ? `Timestamp(${shown})` : `Timestamp(${shown}, "${tz}")`,
      spelling: long ? (tz === null ? `Timestamp(${name}, None)` : `Timestamp(${name}, Some("${tz}"))`) : tz === null ? `Timestamp(${unit})` : `Timestamp(${unit}, "${tz}")`,
    };
  }),
  fc.constant({ kind: 'date32', arrowType: 'Date32' }),
  fc.constant({ kind: 'date64', arrowType: 'Date64' }),
  fc.constantFrom('Binary', 'LargeBinary').map((arrowType) => ({ kind: 'binary', arrowType })),
  fc.constantFrom([32, 9], [64, 18], [128, 38], [256, 76])
    .chain(([width, most]) => fc.integer({ min: 1, max: most }).map((p) => [width, p]))
    .chain(([width, p]) => fc.integer({ min: 0, max: p }).map((s) => ({ kind: 'decimal', p, s, arrowType: `Decimal${width}(${p}, ${s})` }))),
);

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Values of a type, as the model keeps them (BigInt for integers, decimals, timestamps, date64). */
export function valueArb(type) {
  switch (type.kind) {
    case 'int': {
      const b = BigInt(type.bits);
      return type.signed ? fc.bigInt(-(1n << (b - 1n)), (1n << (b - 1n)) - 1n) : fc.bigInt(0n, (1n << b) - 1n);
    }
    case 'float64': return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'float32': return fc.float({ noNaN: true, noDefaultInfinity: true });
    case 'string': return fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ maxLength: 8 }));
    case 'bool': return fc.boolean();
    case 'timestamp':
      return type.unit === 'ns'
        ? fc.bigInt(-(1n << 63n), (1n << 63n) - 1n)
        : fc.bigInt(MIN_S * TIME_UNITS[type.unit], MAX_S * TIME_UNITS[type.unit]);
    case 'date32': return fc.integer({ min: MIN_DAY, max: MAX_DAY });
    case 'date64': return fc.integer({ min: MIN_DAY, max: MAX_DAY }).map((d) => BigInt(d) * DAY_MS);
    case 'binary': return fc.uint8Array({ maxLength: 6 }).map(hex);
    case 'decimal': {
      const max = 10n ** BigInt(type.p) - 1n;
      return fc.bigInt(-max, max);
    }
    default: throw new Error(`no values for ${type.kind}`);
  }
}

/** An unscaled decimal as text with `scale` digits after the point (as arrow-rs writes it). */
export function decimalText(unscaled, scale) {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${body}` : body;
}

const floatText = (v) => (Object.is(v, -0) ? '-0' : String(v));

/** The NDJSON token written for a (non-null) value. */
export function cellText(type, v) {
  switch (type.kind) {
    case 'int': case 'timestamp': case 'date64': return v.toString();
    case 'decimal': return decimalText(v, type.s);
    case 'float64': case 'float32': return floatText(v);
    case 'string': case 'binary': return JSON.stringify(v);
    case 'bool': case 'date32': return String(v);
    default: throw new Error(type.kind);
  }
}

const floorDiv = (a, b) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const pad = (n, w) => String(n).padStart(w, '0');

/** A timestamp as arrow-json writes it (chrono's `%Y-%m-%dT%H:%M:%S%.f`, then the offset). */
export function timestampText(v, unit, tz) {
  const per = TIME_UNITS[unit];
  const secs = floorDiv(v, per);
  const nanos = (v - secs * per) * (1000000000n / per);
  let offset = 0n;
  if (tz !== null) {
    const m = /^([+-])(\d\d):(\d\d)$/.exec(tz);
    offset = (m[1] === '-' ? -1n : 1n) * (BigInt(m[2]) * 3600n + BigInt(m[3]) * 60n);
  }
  const base = new Date(Number(secs + offset) * 1000).toISOString().slice(0, 19);
  const n = Number(nanos);
  const frac = n === 0 ? '' : n % 1e6 === 0 ? `.${pad(n / 1e6, 3)}` : n % 1e3 === 0 ? `.${pad(n / 1e3, 6)}` : `.${pad(n, 9)}`;
  const zone = tz === null ? '' : tz === '+00:00' ? 'Z' : tz;
  return base + frac + zone;
}

const dateText = (days) => new Date(days * 86400000).toISOString().slice(0, 10);

/** What the core writes back for a value: a string, a boolean, or `{ num: text }` for numbers. */
export function expectedToken(type, v) {
  if (v === null) return null;
  switch (type.kind) {
    case 'int': return { num: v.toString() };
    case 'decimal': return { num: decimalText(v, type.s) };
    case 'float64': case 'float32': return { float: v };
    case 'string': case 'binary': case 'bool': return v;
    case 'timestamp': return timestampText(v, type.unit, type.tz);
    case 'date32': return dateText(v);
    case 'date64': return timestampText(v, 'ms', null);
    default: throw new Error(type.kind);
  }
}

/** Compares a lossless token (from `parseLossless`) with the model's value. */
function sameExact(type, v, token) {
  const want = expectedToken(type, v);
  if (want === null || typeof want !== 'object') return token === want;
  if (token === null || typeof token !== 'object' || typeof token.num !== 'string') return false;
  if ('num' in want) return token.num === want.num;
  const got = Number(token.num);
  return Object.is(type.kind === 'float32' ? Math.fround(got) : got, want.float);
}

/** Compares a `tableRows` value (JSON.parse: numbers are doubles) with the model's value. */
function sameLossy(type, v, value) {
  const want = expectedToken(type, v);
  if (want === null || typeof want !== 'object') return value === want;
  if (typeof value !== 'number') return false;
  if ('num' in want) return Object.is(value, Number(want.num));
  return Object.is(type.kind === 'float32' ? Math.fround(value) : value, want.float);
}

// ----------------------------------------------------------------------------------------------
// A JSON reader that keeps numbers as their text (`{ num: '-9223372036854775808' }`) and objects
// as Maps (so `__proto__` and `"1"` keys stay what and where they are).

export function parseLossless(text) {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i += 1; };
  const fail = (what) => { throw new Error(`lossless JSON: ${what} at ${i} in ${JSON.stringify(text.slice(0, 200))}`); };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i += 1;
      const out = new Map();
      ws();
      if (text[i] === '}') { i += 1; return out; }
      for (;;) {
        ws();
        const key = value();
        if (typeof key !== 'string') fail('a key that is not a string');
        if (out.has(key)) fail(`duplicate key ${JSON.stringify(key)}`);
        ws();
        if (text[i] !== ':') fail('no colon');
        i += 1;
        out.set(key, value());
        ws();
        if (text[i] === ',') { i += 1; continue; }
        if (text[i] === '}') { i += 1; return out; }
        fail('no comma or brace');
      }
    }
    if (c === '[') {
      i += 1;
      const out = [];
      ws();
      if (text[i] === ']') { i += 1; return out; }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ',') { i += 1; continue; }
        if (text[i] === ']') { i += 1; return out; }
        fail('no comma or bracket');
      }
    }
    if (c === '"') {
      const start = i;
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1;
      return JSON.parse(text.slice(start, i));
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m === null || m[0].length === 0) fail('an unexpected character');
    i += m[0].length;
    return { num: m[0] };
  };
  const out = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return out;
}

// ----------------------------------------------------------------------------------------------
// Generated tables.

const nameArb = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '0', '1', '', ' ', 'a"b', 'x\\y', 'é', '😀') },
);

/**
 * A table: `{ fields: [{ name, type, nullable }], rows: [[value | null, ...]], omitNulls,
 * batchSize }`; values of nullable columns are sometimes null, and `omitNulls` leaves their
 * keys out of the NDJSON instead of writing `null`.
 */
export const tableArb = (maxRows = 20) =>
  fc.uniqueArray(nameArb, { minLength: 1, maxLength: 6 })
    .chain((names) => fc.tuple(...names.map((name) => fc.record({ type: typeArb, nullable: fc.boolean() }).map((c) => ({ name, ...c })))))
    .chain((fields) => fc.record({
      fields: fc.constant(fields),
      rows: fc.array(fc.tuple(...fields.map((f) => (f.nullable ? fc.option(valueArb(f.type), { nil: null, freq: 3 }) : valueArb(f.type)))), { maxLength: maxRows }),
      omitNulls: fc.boolean(),
      reverseKeys: fc.boolean(),
      batchSize: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
    }));

/** The schema as the core shows it. */
export const specOf = (fields) => fields.map((f) => ({ name: f.name, arrowType: f.type.arrowType, nullable: f.nullable }));
/** The schema as given to the readers (some types spelled another way the parser accepts). */
const inputSpecOf = (fields) => fields.map((f) => ({ name: f.name, arrowType: f.type.spelling ?? f.type.arrowType, nullable: f.nullable }));

/** The NDJSON text of generated rows. */
export function ndjsonOf({ fields, rows, omitNulls = false, reverseKeys = false }) {
  return rows.map((row) => {
    const entries = [];
    fields.forEach((f, j) => {
      if (row[j] === null && omitNulls) return;
      entries.push(`${JSON.stringify(f.name)}:${row[j] === null ? 'null' : cellText(f.type, row[j])}`);
    });
    if (reverseKeys) entries.reverse();
    return `{${entries.join(',')}}\n`;
  }).join('');
}

const encode = (s) => new TextEncoder().encode(s);

/** Reads generated rows into a table. */
export function readGenerated(api, table) {
  return api.readNdjson(encode(ndjsonOf(table)), { schema: inputSpecOf(table.fields), batchSize: table.batchSize, strict: true });
}

/** What a Parquet round trip gives for a model table: `Date64` is stored as a 32-bit DATE and read as `Date32` (as pyarrow does). */
export function afterParquet({ fields, rows }) {
  const date64 = fields.map((f) => f.type.kind === 'date64');
  return {
    fields: fields.map((f, j) => (date64[j] ? { ...f, type: { kind: 'date32', arrowType: 'Date32' } } : f)),
    rows: rows.map((row) => row.map((v, j) => (date64[j] && v !== null ? Number(v / DAY_MS) : v))),
  };
}

/** A key equal for tables the fingerprint must call equal (names, types, values; not nullability). */
export function contentKey({ fields, rows }) {
  // The fingerprint's type families: string and binary widths and views, decimal widths.
  const typeFamily = (t) => (t.kind === 'string' || t.kind === 'binary' ? t.kind : t.kind === 'decimal' ? `decimal(${t.p}, ${t.s})` : t.arrowType);
  return JSON.stringify([
    rows.length,
    fields.map((f) => [f.name, typeFamily(f.type)]),
    rows.map((row) => row.map((v, j) => (v === null ? null : cellText(fields[j].type, v)))),
  ]);
}

// ----------------------------------------------------------------------------------------------
// Checks. They throw an Error naming what differs; fast-check shrinks and reports it.

const show = (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Map ? Object.fromEntries(x) : x));

function check(cond, what, detail) {
  if (!cond) throw new Error(detail === undefined ? what : `${what}: ${show(detail)}`);
}

export function unwrap(result, what) {
  if (!result.ok) throw new Error(`${what} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export function expectErr(result, code, what) {
  check(!result.ok, `${what} should fail with ${code} but succeeded`);
  check(result.error.code === code, `${what} should fail with ${code}`, result.error);
}

/** The schema, counts, rows (both ways) of a table agree with the model `{ fields, rows }`. */
export async function checkTable(api, handle, model, what) {
  const schema = unwrap(await api.getSchemaSummary(handle), `${what}: getSchemaSummary`);
  const got = schema.columns.map((c) => ({ name: c.name, arrowType: c.arrowType, nullable: c.nullable }));
  check(show(got) === show(specOf(model.fields)), `${what}: schema differs`, { got, want: specOf(model.fields) });
  const info = unwrap(await api.getTableInfo(handle), `${what}: getTableInfo`);
  check(info.numRows === model.rows.length && info.numColumns === model.fields.length, `${what}: counts differ`,
    { info, rows: model.rows.length, columns: model.fields.length });

  const rows = unwrap(await api.tableRows(handle, model.rows.length + 1), `${what}: tableRows`);
  check(rows.length === model.rows.length, `${what}: tableRows gave ${rows.length} rows, not ${model.rows.length}`);
  rows.forEach((row, i) => {
    check(Object.keys(row).length === model.fields.length, `${what}: row ${i} has other keys`, { row, fields: specOf(model.fields) });
    model.fields.forEach((f, j) => {
      check(Object.hasOwn(row, f.name) && sameLossy(f.type, model.rows[i][j], row[f.name]),
        `${what}: tableRows row ${i} column ${JSON.stringify(f.name)} (${f.type.arrowType})`,
        { got: row[f.name], want: model.rows[i][j], expected: expectedToken(f.type, model.rows[i][j]) });
    });
  });

  const text = new TextDecoder().decode(unwrap(await api.writeTableToNdjson(handle, { explicitNulls: true }), `${what}: writeTableToNdjson`));
  const lines = text.split('\n').filter((l) => l.length > 0);
  check(lines.length === model.rows.length, `${what}: NDJSON has ${lines.length} lines, not ${model.rows.length}`);
  lines.forEach((line, i) => {
    const row = parseLossless(line);
    check(row.size === model.fields.length, `${what}: NDJSON line ${i} has other keys`, line);
    model.fields.forEach((f, j) => {
      check(row.has(f.name) && sameExact(f.type, model.rows[i][j], row.get(f.name)),
        `${what}: NDJSON row ${i} column ${JSON.stringify(f.name)} (${f.type.arrowType})`,
        { line, want: model.rows[i][j], expected: expectedToken(f.type, model.rows[i][j]) });
    });
  });
}

export async function fingerprintOf(api, handle, what) {
  return unwrap(await api.tableFingerprint(handle), `${what}: tableFingerprint`);
}

// ----------------------------------------------------------------------------------------------
// 1. Round trips: NDJSON in, IPC (file/stream × none/lz4/zstd, and the boolean LZ4 flag) and
// Parquet out and back in; schema, fingerprint, rows and provenance must survive.

const IPC_OPTIONS = [
  { format: 'file', compression: 'none' }, { format: 'file', compression: 'lz4' }, { format: 'file', compression: 'zstd' },
  { format: 'stream', compression: 'none' }, { format: 'stream', compression: 'lz4' }, { format: 'stream', compression: 'zstd' },
  true, false,
];
const PARQUET_CODECS = ['uncompressed', 'snappy', 'gzip', 'brotli', 'lz4', 'lz4-raw', 'zstd'];

export const ipcOptionsArb = fc.constantFrom(...IPC_OPTIONS);
export const parquetOptionsArb = fc.record({
  compression: fc.constantFrom(...PARQUET_CODECS),
  dictionary: fc.boolean(),
  maxRowGroupRows: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  writerVersion: fc.constantFrom('v1', 'v2'),
  pageChecksums: fc.boolean(),
});

const ipcSource = (o) => {
  const opts = typeof o === 'boolean' ? { format: 'file', compression: o ? 'lz4' : 'none' } : o;
  return { format: opts.format === 'stream' ? 'arrow-stream' : 'arrow-file', codec: { none: null, lz4: 'lz4-frame', zstd: 'zstd' }[opts.compression] };
};

/** The provenance a read reports: the format, and the codec when a batch used one. */
async function checkProvenance(api, handle, format, codec, rows, what) {
  const info = unwrap(await api.getTableInfo(handle), `${what}: getTableInfo`);
  check(info.sourceFormat === format, `${what}: sourceFormat`, info);
  const want = codec === null || rows === 0 ? [] : [codec];
  check(show(info.sourceCompression) === show(want), `${what}: sourceCompression should be ${show(want)}`, info);
}

const parquetCodec = (o) => (o.compression === 'uncompressed' ? null : o.compression);

/** One round trip property run: every IPC option and one Parquet option set. */
export async function roundTripOnce(api, table, parquetOptions, state) {
  const model = { fields: table.fields, rows: table.rows };
  const original = unwrap(await readGenerated(api, table), 'readNdjson');
  const made = [original];
  const cleanup = async () => { for (const h of made) await api.freeTable(h); };
  const body = async () => {
    await checkTable(api, original, model, 'the NDJSON read');
    const fp = await fingerprintOf(api, original, 'the NDJSON read');
    const schema = show(unwrap(await api.getSchemaSummary(original), 'getSchemaSummary'));
    for (const o of IPC_OPTIONS) {
      const label = `IPC ${show(o)}`;
      const bytes = unwrap(await api.writeTableToIpc(original, o), `${label}: writeTableToIpc`);
      check(bytes instanceof Uint8Array && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength, `${label}: not a fresh Uint8Array`);
      const back = unwrap(await api.readTableFromArrayBuffer(bytes), `${label}: readTableFromArrayBuffer`);
      made.push(back);
      check(show(unwrap(await api.getSchemaSummary(back), 'schema')) === schema, `${label}: schema summary differs`);
      check(await fingerprintOf(api, back, label) === fp, `${label}: fingerprint differs`);
      await checkProvenance(api, back, ipcSource(o).format, ipcSource(o).codec, table.rows.length, label);
      await checkTable(api, back, model, label);
      state.ipc += 1;
    }
    const label = `Parquet ${show(parquetOptions)}`;
    const bytes = unwrap(await api.writeTableToParquet(original, parquetOptions), `${label}: writeTableToParquet`);
    const back = unwrap(await api.readTableFromArrayBuffer(bytes), `${label}: readTableFromArrayBuffer`);
    made.push(back);
    await checkProvenance(api, back, 'parquet', parquetCodec(parquetOptions), table.rows.length, label);
    expectErr(await api.writeTableToParquet(original, { ...parquetOptions, compression: 'lzo' }), 'unsupported-codec', 'Parquet with LZO');
    const expected = afterParquet(model);
    await checkTable(api, back, expected, label);
    // The fingerprint of the Parquet read equals that of the expected data read from NDJSON.
    const reference = unwrap(await readGenerated(api, { ...table, ...expected }), `${label}: reading the expected data`);
    made.push(reference);
    check(await fingerprintOf(api, back, label) === await fingerprintOf(api, reference, 'reference'), `${label}: fingerprint differs`);
    state.parquet += 1;
  };
  await body().finally(cleanup);
}

/**
 * Property 1 as a whole: returns `{ failed, report, ... }` rather than throwing, so the page can
 * hand the report back to Node intact.
 */
export async function roundTripProperty(api, { numRuns = 60, seed, path, maxRows = 20 } = {}) {
  unwrap(await api.initWasm(), 'initWasm');
  const before = unwrap(await api.liveTableCount(), 'liveTableCount');
  const state = { ipc: 0, parquet: 0, rows: 0, columns: 0, empty: 0, types: {} };
  const details = await fc.check(
    fc.asyncProperty(tableArb(maxRows), parquetOptionsArb, async (table, parquetOptions) => {
      state.rows += table.rows.length;
      state.columns += table.fields.length;
      if (table.rows.length === 0) state.empty += 1;
      for (const f of table.fields) state.types[f.type.kind] = (state.types[f.type.kind] ?? 0) + 1;
      await roundTripOnce(api, table, parquetOptions, state);
    }),
    { numRuns, seed, path, endOnFailure: false },
  );
  const after = unwrap(await api.liveTableCount(), 'liveTableCount');
  return {
    failed: details.failed,
    report: details.failed ? `${fc.defaultReportMessage(details)}\nError: ${details.errorInstance?.stack ?? details.errorInstance}` : '',
    numRuns: details.numRuns,
    seed: details.seed,
    leaked: after - before,
    state,
  };
}

// ----------------------------------------------------------------------------------------------
// 2. The model: the tables a program made, with their rows, and which it freed. Commands refer
// to tables by a number taken modulo the live (or freed) tables when they run, since fast-check
// makes the commands before any runs.

const liveOf = (m) => m.tables.filter((t) => !t.freed);
const freedOf = (m) => m.tables.filter((t) => t.freed);
const pickFrom = (list, n) => list[n % list.length];
const MAX_MODEL_ROWS = 600;

async function checkCount(api, model, real, what) {
  const count = unwrap(await api.liveTableCount(), 'liveTableCount');
  check(count === real.base + liveOf(model).length, `${what}: liveTableCount is ${count}, the model has ${real.base} + ${liveOf(model).length}`);
}

/** After every command: the live count, and every live table's counts. */
async function checkModel(api, model, real, what) {
  await checkCount(api, model, real, what);
  for (const t of liveOf(model)) {
    const info = unwrap(await api.getTableInfo(real.handles[t.index]), `${what}: getTableInfo of table ${t.index}`);
    check(info.numRows === t.rows.length && info.numColumns === t.fields.length, `${what}: table ${t.index} counts differ`,
      { info, rows: t.rows.length, columns: t.fields.length });
  }
}

async function adoptNew(api, model, real, result, content, what) {
  const handle = unwrap(result, what);
  const entry = { index: model.tables.length, fields: content.fields, rows: content.rows, freed: false, origin: what };
  model.tables.push(entry);
  real.handles.push(handle);
  await checkTable(api, handle, entry, `${what} -> table ${entry.index}`);
  await checkModel(api, model, real, what);
  return entry;
}

async function refused(api, model, real, result, code, what) {
  expectErr(result, code, what);
  await checkModel(api, model, real, what);
}

/** Counts the commands that ran (fast-check skips those whose check fails). */
class Command {
  run(model, real) {
    real.ran[this.constructor.name] = (real.ran[this.constructor.name] ?? 0) + 1;
    return this.exec(model, real);
  }
}

class Read extends Command {
  constructor(table) { super(); this.table = table; }
  check() { return true; }
  async exec(model, real) {
    await adoptNew(real.api, model, real, await readGenerated(real.api, this.table), this.table, `${this}`);
  }
  toString() { return `Read(${this.table.fields.length} columns ${show(specOf(this.table.fields).map((f) => f.arrowType))}, ${this.table.rows.length} rows, batchSize ${this.table.batchSize})`; }
}

class Slice extends Command {
  constructor(pick, offset, length) { super(); Object.assign(this, { pick, offset, length }); }
  check(m) { return liveOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    const what = `Slice(table ${t.index}, ${this.offset}, ${this.length})`;
    const result = await real.api.sliceTable(real.handles[t.index], this.offset, this.length);
    if (this.offset > t.rows.length) return refused(real.api, model, real, result, 'out-of-bounds', what);
    await adoptNew(real.api, model, real, result, { fields: t.fields, rows: t.rows.slice(this.offset, this.offset + this.length) }, what);
  }
  toString() { return `Slice(#${this.pick}, ${this.offset}, ${this.length})`; }
}

class Select extends Command {
  constructor(pick, count, order) { super(); Object.assign(this, { pick, count, order }); }
  check(m) { return liveOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    const left = t.fields.map((_, j) => j);
    const chosen = [];
    const n = this.count % (t.fields.length + 1);
    for (let k = 0; k < n; k += 1) chosen.push(left.splice(this.order[k % this.order.length] % left.length, 1)[0]);
    const names = chosen.map((j) => t.fields[j].name);
    const what = `Select(table ${t.index}, ${show(names)})`;
    const content = { fields: chosen.map((j) => t.fields[j]), rows: t.rows.map((row) => chosen.map((j) => row[j])) };
    await adoptNew(real.api, model, real, await real.api.selectColumns(real.handles[t.index], names), content, what);
  }
  toString() { return `Select(#${this.pick}, ${this.count}, ${show(this.order)})`; }
}

class SelectMissing extends Command {
  constructor(pick, name, withExisting) { super(); Object.assign(this, { pick, name, withExisting }); }
  check(m) { return liveOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    let missing = this.name;
    while (t.fields.some((f) => f.name === missing)) missing += '?';
    const names = this.withExisting && t.fields.length > 0 ? [t.fields[0].name, missing] : [missing];
    const what = `Select(table ${t.index}, ${show(names)})`;
    await refused(real.api, model, real, await real.api.selectColumns(real.handles[t.index], names), 'column-not-found', what);
  }
  toString() { return `SelectMissing(#${this.pick}, ${show(this.name)}, ${this.withExisting})`; }
}

class WriteRead extends Command {
  constructor(pick, options) { super(); Object.assign(this, { pick, options }); }
  check(m) { return liveOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    const what = `WriteRead(table ${t.index}, IPC ${show(this.options)})`;
    const bytes = unwrap(await real.api.writeTableToIpc(real.handles[t.index], this.options), `${what}: write`);
    const entry = await adoptNew(real.api, model, real, await real.api.readTableFromArrayBuffer(bytes), t, what);
    await checkProvenance(real.api, real.handles[entry.index], ipcSource(this.options).format, ipcSource(this.options).codec, t.rows.length, what);
    const [a, b] = [await fingerprintOf(real.api, real.handles[t.index], what), await fingerprintOf(real.api, real.handles[entry.index], what)];
    check(a === b, `${what}: fingerprint differs`, { a, b });
  }
  toString() { return `WriteRead(#${this.pick}, ${show(this.options)})`; }
}

class WriteReadParquet extends Command {
  constructor(pick, options) { super(); Object.assign(this, { pick, options }); }
  // Parquet has no row count without a column: a table of no columns is refused by check (see the report).
  check(m) { const live = liveOf(m); return live.length > 0 && pickFrom(live, this.pick).fields.length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    const what = `WriteRead(table ${t.index}, Parquet ${show(this.options)})`;
    const bytes = unwrap(await real.api.writeTableToParquet(real.handles[t.index], this.options), `${what}: write`);
    const entry = await adoptNew(real.api, model, real, await real.api.readTableFromArrayBuffer(bytes), afterParquet(t), what);
    await checkProvenance(real.api, real.handles[entry.index], 'parquet', parquetCodec(this.options), t.rows.length, what);
  }
  toString() { return `WriteReadParquet(#${this.pick}, ${show(this.options)})`; }
}

const sameFields = (a, b) => show(specOf(a.fields)) === show(specOf(b.fields));

class Concat extends Command {
  constructor(pick, others) { super(); Object.assign(this, { pick, others }); }
  parts(m) {
    const live = liveOf(m);
    const first = pickFrom(live, this.pick);
    const peers = live.filter((t) => sameFields(t, first));
    return [first, ...this.others.map((n) => pickFrom(peers, n))];
  }
  check(m) { return liveOf(m).length > 0 && this.parts(m).reduce((s, t) => s + t.rows.length, 0) <= MAX_MODEL_ROWS; }
  async exec(model, real) {
    const parts = this.parts(model);
    const what = `Concat(tables ${show(parts.map((t) => t.index))})`;
    const content = { fields: parts[0].fields, rows: parts.flatMap((t) => t.rows) };
    await adoptNew(real.api, model, real, await real.api.concatTables(parts.map((t) => real.handles[t.index])), content, what);
  }
  toString() { return `Concat(#${this.pick}, ${show(this.others)})`; }
}

class ConcatMismatch extends Command {
  constructor(pick, other) { super(); Object.assign(this, { pick, other }); }
  check(m) {
    const live = liveOf(m);
    return live.length > 0 && live.some((t) => !sameFields(t, pickFrom(live, this.pick)));
  }
  async exec(model, real) {
    const live = liveOf(model);
    const first = pickFrom(live, this.pick);
    const second = pickFrom(live.filter((t) => !sameFields(t, first)), this.other);
    const what = `Concat(tables ${first.index}, ${second.index}) of different schemas`;
    await refused(real.api, model, real, await real.api.concatTables([first, second].map((t) => real.handles[t.index])), 'schema-mismatch', what);
  }
  toString() { return `ConcatMismatch(#${this.pick}, #${this.other})`; }
}

class Filter extends Command {
  constructor(pick, bits, lengthError) { super(); Object.assign(this, { pick, bits, lengthError }); }
  check(m) { return liveOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    const n = Math.max(0, t.rows.length + this.lengthError);
    const mask = Array.from({ length: n }, (_, i) => this.bits[i % this.bits.length]);
    const what = `Filter(table ${t.index}, ${mask.filter(Boolean).length} of ${n})`;
    const result = await real.api.filterTable(real.handles[t.index], mask);
    if (n !== t.rows.length) return refused(real.api, model, real, result, 'invalid-argument', what);
    await adoptNew(real.api, model, real, result, { fields: t.fields, rows: t.rows.filter((_, i) => mask[i]) }, what);
  }
  toString() { return `Filter(#${this.pick}, ${show(this.bits)}, ${this.lengthError})`; }
}

class Peek extends Command {
  constructor(pick, limit) { super(); Object.assign(this, { pick, limit }); }
  check(m) { return liveOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    const rows = unwrap(await real.api.tableRows(real.handles[t.index], this.limit), `tableRows(table ${t.index}, ${this.limit})`);
    check(rows.length === Math.min(this.limit, t.rows.length), `tableRows(table ${t.index}, ${this.limit}) gave ${rows.length} rows`);
    rows.forEach((row, i) => t.fields.forEach((f, j) => check(sameLossy(f.type, t.rows[i][j], row[f.name]), `tableRows(table ${t.index}, ${this.limit}) row ${i}`, row)));
  }
  toString() { return `Peek(#${this.pick}, ${this.limit})`; }
}

class Free extends Command {
  constructor(pick, viaDispose) { super(); Object.assign(this, { pick, viaDispose }); }
  check(m) { return liveOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    const handle = real.handles[t.index];
    if (this.viaDispose) handle[Symbol.dispose]();
    else unwrap(await real.api.freeTable(handle), `freeTable(table ${t.index})`);
    t.freed = true;
    await checkModel(real.api, model, real, `Free(table ${t.index})`);
  }
  toString() { return `Free(#${this.pick}${this.viaDispose ? ', Symbol.dispose' : ''})`; }
}

/** Arguments the façade refuses before calling the core: `invalid-argument`, and no table made. */
const BAD_ARGS = {
  'sliceTable(-1, 1)': (api, h) => api.sliceTable(h, -1, 1),
  'sliceTable(0.5, 1)': (api, h) => api.sliceTable(h, 0.5, 1),
  'sliceTable(0, NaN)': (api, h) => api.sliceTable(h, 0, NaN),
  'sliceTable(0, 2^53)': (api, h) => api.sliceTable(h, 0, 2 ** 53),
  'tableRows(-1)': (api, h) => api.tableRows(h, -1),
  'tableRows(1.5)': (api, h) => api.tableRows(h, 1.5),
  'concatTables([])': (api) => api.concatTables([]),
  'writeTableToParquet(maxRowGroupRows: -1)': (api, h) => api.writeTableToParquet(h, { maxRowGroupRows: -1 }),
  'readNdjson(batchSize: 2^32)': (api) => api.readNdjson(new Uint8Array(), { batchSize: 2 ** 32 }),
  'readTableFromArrayBuffer(maxDecompressedBytes: -1)': (api) => api.readTableFromArrayBuffer(new Uint8Array(), { maxDecompressedBytes: -1 }),
};

class BadArgs extends Command {
  constructor(pick, op) { super(); Object.assign(this, { pick, op }); }
  check(m) { return liveOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(liveOf(model), this.pick);
    await refused(real.api, model, real, await BAD_ARGS[this.op](real.api, real.handles[t.index]), 'invalid-argument', `${this.op} on table ${t.index}`);
  }
  toString() { return `BadArgs(#${this.pick}, ${this.op})`; }
}

const CLOSED_OPS = {
  getSchemaSummary: (api, h) => api.getSchemaSummary(h),
  getTableInfo: (api, h) => api.getTableInfo(h),
  numRows: (api, h) => api.numRows(h),
  tableRows: (api, h) => api.tableRows(h, 5),
  sliceTable: (api, h) => api.sliceTable(h, 0, 1),
  selectColumns: (api, h) => api.selectColumns(h, []),
  filterTable: (api, h) => api.filterTable(h, []),
  concatTables: (api, h, live) => api.concatTables(live === undefined ? [h] : [live, h]),
  writeTableToIpc: (api, h) => api.writeTableToIpc(h, true),
  writeTableToParquet: (api, h) => api.writeTableToParquet(h),
  writeTableToNdjson: (api, h) => api.writeTableToNdjson(h),
  tableFingerprint: (api, h) => api.tableFingerprint(h),
  freeTable: (api, h) => api.freeTable(h),
};

class UseAfterFree extends Command {
  constructor(pick, op) { super(); Object.assign(this, { pick, op }); }
  check(m) { return freedOf(m).length > 0; }
  async exec(model, real) {
    const t = pickFrom(freedOf(model), this.pick);
    const live = liveOf(model)[0];
    const what = `${this.op}(freed table ${t.index})`;
    const result = await CLOSED_OPS[this.op](real.api, real.handles[t.index], live === undefined ? undefined : real.handles[live.index]);
    await refused(real.api, model, real, result, 'closed', what);
  }
  toString() { return `UseAfterFree(#${this.pick}, ${this.op})`; }
}

export const commandsArb = (maxCommands = 30, replayPath = undefined) => fc.commands([
  // Reads weigh three times the others: until one ran, no other command can.
  ...[1, 2, 3].map(() => tableArb(12).map((t) => new Read(t))),
  fc.tuple(fc.nat(), fc.nat(14), fc.nat(14)).map(([p, o, l]) => new Slice(p, o, l)),
  fc.tuple(fc.nat(), fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 6 })).map(([p, c, o]) => new Select(p, c, o)),
  fc.tuple(fc.nat(), nameArb, fc.boolean()).map(([p, n, w]) => new SelectMissing(p, n, w)),
  fc.tuple(fc.nat(), ipcOptionsArb).map(([p, o]) => new WriteRead(p, o)),
  fc.tuple(fc.nat(), parquetOptionsArb).map(([p, o]) => new WriteReadParquet(p, o)),
  fc.tuple(fc.nat(), fc.array(fc.nat(), { maxLength: 3 })).map(([p, o]) => new Concat(p, o)),
  fc.tuple(fc.nat(), fc.nat()).map(([p, o]) => new ConcatMismatch(p, o)),
  fc.tuple(fc.nat(), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1, 2) }))
    .map(([p, b, e]) => new Filter(p, b, e)),
  fc.tuple(fc.nat(), fc.nat(15)).map(([p, l]) => new Peek(p, l)),
  fc.tuple(fc.nat(), fc.boolean()).map(([p, d]) => new Free(p, d)),
  fc.tuple(fc.nat(), fc.constantFrom(...Object.keys(CLOSED_OPS))).map(([p, op]) => new UseAfterFree(p, op)),
  fc.tuple(fc.nat(), fc.constantFrom(...Object.keys(BAD_ARGS))).map(([p, op]) => new BadArgs(p, op)),
], { maxCommands, size: 'medium', replayPath });

/** The end of a run: every table checked in full, fingerprints equal exactly where contents are, then all freed. */
async function finish(api, model, real) {
  const byKey = new Map();
  const byPrint = new Map();
  for (const t of liveOf(model)) {
    const handle = real.handles[t.index];
    await checkTable(api, handle, t, `at the end, table ${t.index} (${t.origin})`);
    const key = contentKey(t);
    const print = await fingerprintOf(api, handle, `table ${t.index}`);
    if (byKey.has(key)) check(byKey.get(key).print === print, `tables ${byKey.get(key).index} and ${t.index} hold the same data but fingerprint differently`);
    else byKey.set(key, { print, index: t.index });
    if (byPrint.has(print)) check(byPrint.get(print).key === key, `tables ${byPrint.get(print).index} and ${t.index} differ but fingerprint equally`);
    else byPrint.set(print, { key, index: t.index });
  }
  for (const t of liveOf(model)) {
    unwrap(await api.freeTable(real.handles[t.index]), `freeing table ${t.index}`);
    t.freed = true;
  }
  await checkCount(api, model, real, 'after freeing every table');
  for (const t of model.tables) expectErr(await api.freeTable(real.handles[t.index]), 'closed', `freeing table ${t.index} again`);
}

/** Property 2: returns `{ failed, report, ... }` like `roundTripProperty`. */
export async function modelProperty(api, { numRuns = 40, seed, path, replayPath, maxCommands = 30 } = {}) {
  unwrap(await api.initWasm(), 'initWasm');
  const stats = { commands: {}, tables: 0 };
  const details = await fc.check(
    fc.asyncProperty(commandsArb(maxCommands, replayPath), async (cmds) => {
      const real = { api, handles: [], ran: stats.commands, base: unwrap(await api.liveTableCount(), 'liveTableCount') };
      const model = { tables: [] };
      await fc.asyncModelRun(() => ({ model, real }), cmds)
        .then(() => finish(api, model, real))
        .finally(async () => {
          // Whatever failed, leave the page with the tables it had.
          for (const t of model.tables) if (!t.freed) await api.freeTable(real.handles[t.index]);
        });
      stats.tables += model.tables.length;
    }),
    { numRuns, seed, path, endOnFailure: false },
  );
  return {
    failed: details.failed,
    report: details.failed ? `${fc.defaultReportMessage(details)}\nError: ${details.errorInstance?.stack ?? details.errorInstance}` : '',
    numRuns: details.numRuns,
    seed: details.seed,
    stats,
  };
}
