// The typed query builder of `arrow-rs-wasm/analytics` (dist/builder.js through dist/analytics.js):
// the exact SQL and parameters a few chains compile to; every verb run on the sample trips and
// checked against plain JS over the parsed CSV, or against DuckDB running hand-written SQL for
// windows, quantiles and time buckets; values and names full of quotes and SQL syntax coming back
// as data; misuse coming back as `invalid-argument` values; and a fast-check model where random
// chains of filter / orderBy / groupBy+agg / limit over random small tables must agree with the
// same chain written as nested SQL by hand and with a plain-JS model, in Node and in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as facade from '../dist/index.js';
import * as analytics from '../dist/analytics.js';
import { root } from './helpers.mjs';
import { inChromium } from './chromium.mjs';

const {
  from, col, lit, and, or, not, coalesce, when, interval, timeBucket, dateTrunc, datePart, asc, desc,
  count, countDistinct, countIf, sum, mean, min, max, median, quantile, stddev, stddevPop, variance, varPop,
  first, last, anyValue, argMin, argMax, boolAnd, boolOr, stringAgg,
  rowNumber, rank, denseRank, ntile, lag, lead, firstValue, lastValue,
} = analytics;

const seed = process.env.FC_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FC_SEED);
const csvPath = join(root, 'testdata/sample/trips.csv');
const csvBytes = readFileSync(csvPath);

function must(result, what = 'call') {
  assert.ok(result.ok, `${what}: ${JSON.stringify(result.error)}`);
  return result.value;
}

must(await facade.initWasm(), 'initWasm');
must(await analytics.loadAnalytics(), 'loadAnalytics');
const session = must(await analytics.createSession(), 'createSession');
{
  const trips = must(await facade.readTableFromArrayBuffer(csvBytes), 'read trips');
  must(await analytics.register(session, 'trips', trips), 'register');
  await facade.freeTable(trips);
}

/** The sample's rows, typed as the engine reads them (timestamps as RFC 3339 text). */
const trips = csvBytes
  .toString('utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const c = line.split(',').map((x) => x.replaceAll('"', ''));
    return {
      trip_id: Number(c[0]),
      pickup: c[1].replace(' ', 'T'),
      dropoff: c[2].replace(' ', 'T'),
      passengers: Number(c[3]),
      distance_km: Number(c[4]),
      fare: Number(c[5]),
      tip: c[6] === '' ? null : Number(c[6]),
      payment: c[7],
      pickup_zone: c[8],
      dropoff_zone: c[9],
    };
  });

const close = (a, b, what) => assert.ok(a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
const rows = async (q) => must(await q.rows(), 'rows');
const byKey = (list, key) => Object.fromEntries(list.map((r) => [r[key], r]));
const groupBy = (list, key) => {
  const out = {};
  for (const r of list) (out[r[key]] ??= []).push(r);
  return out;
};
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const quantileCont = (xs, p) => {
  const s = sorted(xs);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
};
const meanOf = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const varianceOf = (xs, sample) => {
  const m = meanOf(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - (sample ? 1 : 0));
};

/** Runs hand-written SQL in DuckDB over the same CSV (TimeZone UTC); rows as JSON objects. */
function duck(queries) {
  const script = `
import datetime, decimal, json, sys
import duckdb
queries = json.load(sys.stdin)
con = duckdb.connect()
con.execute("SET TimeZone='UTC'")
con.execute("CREATE TABLE trips AS SELECT * FROM read_csv(?)", [sys.argv[1]])
def conv(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v
out = {}
for name, sql in queries.items():
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    out[name] = [dict(zip(cols, map(conv, row))) for row in cur.fetchall()]
print(json.dumps(out))
`;
  const python = process.env.ARROW_PYTHON ?? join(root, '.venv', 'bin', 'python');
  return JSON.parse(execFileSync(python, ['-c', script, csvPath], { input: JSON.stringify(queries), encoding: 'utf8', maxBuffer: 1 << 28 }));
}

// ----------------------------------------------------------------------------------------------
// 1. Golden SQL

test('golden SQL: the manual example compiles to one SELECT with four parameters and answers as JS does', async () => {
  const q = from(session, 'trips')
    .filter(col('fare').gt(20).and(col('payment').isIn(['card', 'app'])))
    .groupBy('pickup_zone')
    .agg({ n: count(), avg_fare: mean('fare') })
    .orderBy(desc('n'))
    .limit(10);
  assert.deepEqual(must(q.toSql()), {
    sql: 'SELECT "pickup_zone", count(*) AS "n", avg("fare") AS "avg_fare" FROM "trips" WHERE "fare" > $1 AND "payment" IN ($2, $3) GROUP BY 1 ORDER BY "n" DESC LIMIT $4',
    params: [20, 'card', 'app', 10],
  });
  const got = await rows(q);
  const zones = groupBy(trips.filter((t) => t.fare > 20 && ['card', 'app'].includes(t.payment)), 'pickup_zone');
  const counts = Object.values(zones).map((z) => z.length).sort((a, b) => b - a);
  assert.deepEqual(got.map((r) => r.n), counts.slice(0, 10));
  for (const r of got) {
    assert.equal(r.n, zones[r.pickup_zone].length);
    close(r.avg_fare, meanOf(zones[r.pickup_zone].map((t) => t.fare)), r.pickup_zone);
  }
  const handle = must(await q.run(), 'run');
  assert.equal(must(await facade.numRows(handle)), 10);
  await facade.freeTable(handle);
  assert.match(must(await q.explain(), 'explain'), /HashAggregate/);
});

test('golden SQL: a filter after a limit wraps the query, derive and orderBy stay in the outer SELECT', async () => {
  const q = from(session, 'trips')
    .filter(col('fare').gt(20))
    .limit(100)
    .filter(col('payment').eq('cash'))
    .derive({ fpk: col('fare').div(col('distance_km')) })
    .orderBy(desc('fpk'), 'trip_id')
    .limit(5);
  assert.deepEqual(must(q.toSql()), {
    sql: 'SELECT * EXCLUDE ("fpk"), "fare" / "distance_km" AS "fpk" FROM (SELECT * FROM "trips" WHERE "fare" > $1 LIMIT $2) AS "_q1" WHERE "payment" = $3 ORDER BY "fpk" DESC, "trip_id" LIMIT $4',
    params: [20, 100, 'cash', 5],
  });
  // The scan reads the file in order, so the first 100 rows over 20 are the file's first.
  const expected = trips
    .filter((t) => t.fare > 20)
    .slice(0, 100)
    .filter((t) => t.payment === 'cash')
    .map((t) => ({ ...t, fpk: t.fare / t.distance_km }))
    .sort((a, b) => b.fpk - a.fpk || a.trip_id - b.trip_id)
    .slice(0, 5);
  const got = await rows(q);
  assert.deepEqual(got.map((r) => r.trip_id), expected.map((t) => t.trip_id));
  got.forEach((r, i) => close(r.fpk, expected[i].fpk, 'fpk'));
});

test('golden SQL: filter after agg, derive after agg, a window over a time bucket', async () => {
  const busy = from(session, 'trips').groupBy('payment').agg({ n: count() }).filter(col('n').gt(1100));
  assert.deepEqual(must(busy.toSql()), {
    sql: 'SELECT * FROM (SELECT "payment", count(*) AS "n" FROM "trips" GROUP BY 1) AS "_q1" WHERE "n" > $1',
    params: [1100],
  });
  const byPayment = groupBy(trips, 'payment');
  assert.deepEqual(
    (await rows(busy)).sort((a, b) => a.payment.localeCompare(b.payment)),
    Object.keys(byPayment).sort().filter((p) => byPayment[p].length > 1100).map((p) => ({ payment: p, n: byPayment[p].length })),
  );

  const hourly = from(session, 'trips')
    .groupBy({ hour: timeBucket(col('pickup'), { hours: 1 }) })
    .agg({ n: count() })
    .derive({ prev: lag('n').over({ orderBy: 'hour' }) })
    .orderBy('hour');
  const compiled = must(hourly.toSql());
  assert.equal(
    compiled.sql,
    'SELECT * EXCLUDE ("prev"), lag("n") OVER (ORDER BY "hour") AS "prev" FROM (SELECT time_bucket($1, "pickup") AS "hour", count(*) AS "n" FROM "trips" GROUP BY 1) AS "_q1" ORDER BY "hour"',
  );
  assert.deepEqual(compiled.params, [{ tag: 'interval', val: { months: 0, days: 0, nanoseconds: 3_600_000_000_000n } }]);
  const got = await rows(hourly);
  const perHour = groupBy(trips, 'pickup');
  const counts = {};
  for (const t of Object.keys(perHour)) counts[`${t.slice(0, 13)}:00:00`] = (counts[`${t.slice(0, 13)}:00:00`] ?? 0) + perHour[t].length;
  assert.deepEqual(got.map((r) => r.hour), Object.keys(counts).sort());
  got.forEach((r, i) => {
    assert.equal(r.n, counts[r.hour]);
    assert.equal(r.prev, i === 0 ? null : got[i - 1].n);
  });
});

test('golden SQL: names are double-quoted with quotes doubled, joins name both sides', () => {
  assert.deepEqual(must(from(session, 'we"ird').select({ 'a"b': 'c"d' }).toSql()), { sql: 'SELECT "c""d" AS "a""b" FROM "we""ird"', params: [] });
  const left = from(session, 'trips').select('trip_id', 'fare');
  const right = from(session, 'trips').filter(col('tip').isNotNull());
  assert.equal(
    must(left.join(right, { kind: 'left', using: 'trip_id' }).toSql()).sql,
    'SELECT * FROM (SELECT "_q2"."trip_id", "_q2".* EXCLUDE ("trip_id"), "_q3".* EXCLUDE ("trip_id") FROM (SELECT "trip_id", "fare" FROM "trips") AS "_q2" LEFT JOIN (SELECT * FROM "trips" WHERE "tip" IS NOT NULL) AS "_q3" USING ("trip_id")) AS "_q1"',
  );
  assert.equal(
    must(from(session, 'trips').join(from(session, 'zones'), { kind: 'anti', on: { pickup_zone: 'zone', payment: 'kind' } }).toSql()).sql,
    'SELECT * FROM (SELECT * FROM "trips" AS "_q2" ANTI JOIN "zones" AS "_q3" ON "_q2"."pickup_zone" = "_q3"."zone" AND "_q2"."payment" = "_q3"."kind") AS "_q1"',
  );
  // Operators nest with the parentheses they need, and no more.
  const e = from(session, 't').filter(
    or(col('a').add(1).mul(col('b').sub(2)).ge(3), not(col('c').isNull()), col('d').between(1, 2).and(col('e').like('x%'))),
  );
  assert.equal(
    must(e.toSql()).sql,
    'SELECT * FROM "t" WHERE ("a" + $1) * ("b" - $2) >= $3 OR NOT ("c" IS NULL) OR "d" BETWEEN $4 AND $5 AND "e" LIKE $6',
  );
});

// ----------------------------------------------------------------------------------------------
// 2. Each verb against plain JS or DuckDB

test('filter: comparisons, and/or/not, IN, BETWEEN, LIKE/ILIKE, NULL tests, string functions', async () => {
  const cases = [
    [col('fare').ge(10).and(col('fare').lt(12)).or(col('payment').eq('app').and(col('tip').isNull().not())), (t) => (t.fare >= 10 && t.fare < 12) || (t.payment === 'app' && t.tip !== null)],
    [col('passengers').ne(1).and(col('passengers').le(2)), (t) => t.passengers !== 1 && t.passengers <= 2],
    [col('fare').between(20, 21), (t) => t.fare >= 20 && t.fare <= 21],
    [col('pickup_zone').like('%Park'), (t) => t.pickup_zone.endsWith('Park')],
    [col('pickup_zone').ilike('m%'), (t) => t.pickup_zone.toLowerCase().startsWith('m')],
    [col('pickup_zone').isIn(['Airport', 'Stadium']), (t) => ['Airport', 'Stadium'].includes(t.pickup_zone)],
    [col('pickup_zone').notIn(['Airport', 'Stadium']), (t) => !['Airport', 'Stadium'].includes(t.pickup_zone)],
    [col('pickup_zone').isIn([]), () => false],
    [col('tip').isNull(), (t) => t.tip === null],
    [col('tip').gt(3), (t) => t.tip !== null && t.tip > 3],
    [not(col('tip').gt(3)), (t) => t.tip !== null && !(t.tip > 3)],
    [col('tip').isNotDistinctFrom(null), (t) => t.tip === null],
    [and(col('pickup_zone').lower().startsWith('old'), col('dropoff_zone').upper().contains('PARK')), (t) => t.pickup_zone.toLowerCase().startsWith('old') && t.dropoff_zone.toUpperCase().includes('PARK')],
    [col('pickup_zone').length().gt(12), (t) => t.pickup_zone.length > 12],
    [col('pickup_zone').substr(1, 3).eq('Mar'), (t) => t.pickup_zone.slice(0, 3) === 'Mar'],
    [col('pickup').ge(new Date(Date.UTC(2026, 2, 2, 23))), (t) => t.pickup >= '2026-03-02T23'],
    [col('pickup').ge('2026-03-02 23:00:00'), (t) => t.pickup >= '2026-03-02T23'],
    [col('fare').mod(2).lt(0.5), (t) => t.fare % 2 < 0.5],
    [
      or(col('fare').add(1).mul(col('passengers').sub(2)).ge(30), not(col('tip').isNull()), col('fare').between(10, 11).and(col('pickup_zone').like('%a%'))),
      (t) => (t.fare + 1) * (t.passengers - 2) >= 30 || t.tip !== null || (t.fare >= 10 && t.fare <= 11 && t.pickup_zone.includes('a')),
    ],
    [col('fare').between(20, 21).and(col('payment').eq('cash')).or(col('fare').lt(6)), (t) => (t.fare >= 20 && t.fare <= 21 && t.payment === 'cash') || t.fare < 6],
    [col('fare').gt(20).and(col('fare').lt(25).or(col('fare').gt(60))), (t) => t.fare > 20 && (t.fare < 25 || t.fare > 60)],
  ];
  for (const [predicate, model] of cases) {
    const q = from(session, 'trips').filter(predicate).select('trip_id').orderBy('trip_id');
    const got = (await rows(q)).map((r) => r.trip_id);
    assert.deepEqual(got, trips.filter(model).map((t) => t.trip_id), must(q.toSql()).sql);
  }
});

test('derive and select: arithmetic, casts, CASE, coalesce, concat, time parts; renames', async () => {
  const q = from(session, 'trips')
    .derive({
      total: col('fare').add(col('tip').coalesce(0)),
      per_person: col('fare').div(col('passengers')).round(2),
      band: when(col('fare').gt(30), 'high').when(col('fare').gt(15), 'mid').otherwise('low'),
      label: col('payment').upper().concat('/', col('pickup_zone')),
      cents: col('fare').mul(100).cast('BIGINT'),
      hour: datePart('hour', 'pickup'),
      day: dateTrunc('day', col('pickup')),
      later: col('pickup').add(interval({ minutes: 90 })),
      neg: col('passengers').neg(),
      any_tip: coalesce(col('tip'), lit(-1)),
    })
    .select({ id: 'trip_id', total: 'total', per_person: 'per_person', band: 'band', label: 'label', cents: 'cents', hour: 'hour', day: 'day', later: 'later', neg: 'neg', any_tip: 'any_tip' })
    .orderBy('id');
  const got = await rows(q);
  assert.equal(got.length, trips.length);
  got.forEach((r, i) => {
    const t = trips[i];
    assert.equal(r.id, t.trip_id);
    close(r.total, t.fare + (t.tip ?? 0), 'total');
    close(r.per_person, Math.round((t.fare / t.passengers) * 100) / 100, 'per_person');
    assert.equal(r.band, t.fare > 30 ? 'high' : t.fare > 15 ? 'mid' : 'low');
    assert.equal(r.label, `${t.payment.toUpperCase()}/${t.pickup_zone}`);
    assert.equal(r.cents, Math.round(t.fare * 100));
    assert.equal(r.hour, Number(t.pickup.slice(11, 13)));
    assert.equal(r.day, `${t.pickup.slice(0, 10)}T00:00:00`);
    assert.equal(Date.parse(`${r.later}Z`), Date.parse(`${t.pickup}Z`) + 90 * 60_000);
    assert.equal(r.neg, -t.passengers);
    assert.equal(r.any_tip, t.tip ?? -1);
  });
  assert.deepEqual(Object.keys(got[0]), ['id', 'total', 'per_person', 'band', 'label', 'cents', 'hour', 'day', 'later', 'neg', 'any_tip']);
  // A derived column of an existing name replaces it (and moves to the end).
  const doubled = await rows(from(session, 'trips').derive({ fare: col('fare').mul(2) }).orderBy('trip_id').limit(3));
  assert.deepEqual(doubled.map((r) => r.fare), trips.slice(0, 3).map((t) => t.fare * 2));
  assert.equal(Object.keys(doubled[0]).at(-1), 'fare');
});

test('groupBy + agg: every aggregate, with FILTER, DISTINCT and ORDER BY inside, against JS', async () => {
  const q = from(session, 'trips')
    .groupBy('payment')
    .agg({
      n: count(),
      tips: count('tip'),
      zones: countDistinct('pickup_zone'),
      over20: countIf(col('fare').gt(20)),
      over20f: count().filter(col('fare').gt(20)),
      total: sum('fare'),
      total_small: sum('fare').filter(col('passengers').eq(1)),
      avg: mean('fare'),
      lo: min('fare'),
      hi: max('fare'),
      med: median('fare'),
      p90: quantile('fare', 0.9),
      sd: stddev('fare'),
      sdp: stddevPop('fare'),
      v: variance('fare'),
      vp: varPop('fare'),
      first_fare: first('fare').orderBy('trip_id'),
      last_fare: last('fare').orderBy(asc('trip_id')),
      some_zone: anyValue('pickup_zone'),
      cheapest: argMin('trip_id', 'fare'),
      dearest: argMax('trip_id', 'fare'),
      all_paid: boolAnd(col('fare').gt(0)),
      any_big: boolOr(col('fare').gt(60)),
      zone_list: stringAgg('pickup_zone', '|').distinct().orderBy('pickup_zone'),
      tip_rate: sum('tip').div(sum('fare')),
    })
    .orderBy('payment');
  const got = await rows(q);
  const groups = groupBy(trips, 'payment');
  assert.deepEqual(got.map((r) => r.payment), Object.keys(groups).sort());
  for (const r of got) {
    const g = groups[r.payment];
    const fares = g.map((t) => t.fare);
    const tips = g.map((t) => t.tip).filter((x) => x !== null);
    assert.equal(r.n, g.length);
    assert.equal(r.tips, tips.length);
    assert.equal(r.zones, new Set(g.map((t) => t.pickup_zone)).size);
    assert.equal(r.over20, fares.filter((f) => f > 20).length);
    assert.equal(r.over20f, r.over20);
    close(r.total, fares.reduce((a, b) => a + b, 0), 'sum');
    close(r.total_small, g.filter((t) => t.passengers === 1).reduce((a, t) => a + t.fare, 0), 'sum filter');
    close(r.avg, meanOf(fares), 'avg');
    assert.equal(r.lo, Math.min(...fares));
    assert.equal(r.hi, Math.max(...fares));
    close(r.med, quantileCont(fares, 0.5), 'median');
    close(r.p90, quantileCont(fares, 0.9), 'p90');
    close(r.sd, Math.sqrt(varianceOf(fares, true)), 'stddev');
    close(r.sdp, Math.sqrt(varianceOf(fares, false)), 'stddev_pop');
    close(r.v, varianceOf(fares, true), 'variance');
    close(r.vp, varianceOf(fares, false), 'var_pop');
    assert.equal(r.first_fare, g[0].fare);
    assert.equal(r.last_fare, g.at(-1).fare);
    assert.ok(g.some((t) => t.pickup_zone === r.some_zone));
    assert.equal(g.find((t) => t.trip_id === r.cheapest).fare, Math.min(...fares));
    assert.equal(g.find((t) => t.trip_id === r.dearest).fare, Math.max(...fares));
    assert.equal(r.all_paid, true);
    assert.equal(r.any_big, fares.some((f) => f > 60));
    assert.equal(r.zone_list, [...new Set(g.map((t) => t.pickup_zone))].sort().join('|'));
    if (tips.length === 0) assert.equal(r.tip_rate, null);
    else close(r.tip_rate, tips.reduce((a, b) => a + b, 0) / fares.reduce((a, b) => a + b, 0), 'tip rate');
  }
  // No keys: one row over everything, also over no rows.
  assert.deepEqual(await rows(from(session, 'trips').agg({ n: count(), hi: max('fare') })), [{ n: trips.length, hi: Math.max(...trips.map((t) => t.fare)) }]);
  assert.deepEqual(await rows(from(session, 'trips').filter(col('fare').lt(0)).agg({ n: count(), hi: max('fare') })), [{ n: 0, hi: null }]);
  // Windows over the grouping: a rank by count, and each group's share of all rows.
  const ranked = await rows(
    from(session, 'trips').groupBy('payment').agg({ n: count(), r: rank().over({ orderBy: desc(count()) }), share: count().div(sum(count()).over()) }).orderBy('r'),
  );
  const bySize = Object.keys(groups).sort((a, b) => groups[b].length - groups[a].length);
  assert.deepEqual(ranked, bySize.map((p, i) => ({ payment: p, n: groups[p].length, r: i + 1, share: groups[p].length / trips.length })));
  // Named expression keys, and a filter on the grouped rows.
  const byHour = await rows(
    from(session, 'trips')
      .groupBy('payment', { hour: datePart('hour', 'pickup') })
      .agg({ n: count() })
      .filter(col('hour').lt(2))
      .orderBy('payment', 'hour'),
  );
  const expected = [];
  for (const p of Object.keys(groups).sort()) {
    for (const h of [0, 1]) expected.push({ payment: p, hour: h, n: groups[p].filter((t) => Number(t.pickup.slice(11, 13)) === h).length });
  }
  assert.deepEqual(byHour, expected);
});

test('orderBy with NULLS FIRST/LAST, limit and offset arithmetic, distinct', async () => {
  const nullsFirst = await rows(from(session, 'trips').orderBy(asc('tip', { nulls: 'first' }), 'trip_id').select('trip_id', 'tip').limit(30));
  const jsNullsFirst = [...trips].sort((a, b) => (a.tip === null) !== (b.tip === null) ? (a.tip === null ? -1 : 1) : (a.tip ?? 0) - (b.tip ?? 0) || a.trip_id - b.trip_id);
  assert.deepEqual(nullsFirst, jsNullsFirst.slice(0, 30).map((t) => ({ trip_id: t.trip_id, tip: t.tip })));
  const descending = await rows(from(session, 'trips').orderBy(desc('tip'), desc('trip_id')).limit(5).select('trip_id'));
  const jsDesc = [...trips].sort((a, b) => (a.tip === null) !== (b.tip === null) ? (a.tip === null ? 1 : -1) : (b.tip ?? 0) - (a.tip ?? 0) || b.trip_id - a.trip_id);
  assert.deepEqual(descending.map((r) => r.trip_id), jsDesc.slice(0, 5).map((t) => t.trip_id));
  const ids = async (q) => (await rows(q.select('trip_id'))).map((r) => r.trip_id);
  const ordered = from(session, 'trips').orderBy('trip_id');
  assert.deepEqual(await ids(ordered.limit(10).offset(3).limit(4)), [4, 5, 6, 7]);
  assert.deepEqual(await ids(ordered.offset(2).limit(3)), [3, 4, 5]);
  assert.deepEqual(await ids(ordered.offset(2).offset(2).limit(2)), [5, 6]);
  assert.deepEqual(await ids(ordered.limit(3).offset(5)), []);
  // orderBy after a limit sorts the limited rows.
  assert.deepEqual(await ids(ordered.limit(5).orderBy(desc('trip_id'))), [5, 4, 3, 2, 1]);
  const pairs = await rows(from(session, 'trips').select('payment', 'passengers').distinct().orderBy('payment', 'passengers'));
  const jsPairs = [...new Set(trips.map((t) => `${t.payment}|${t.passengers}`))].map((k) => k.split('|')).map(([p, n]) => ({ payment: p, passengers: Number(n) }));
  jsPairs.sort((a, b) => a.payment.localeCompare(b.payment) || a.passengers - b.passengers);
  assert.deepEqual(pairs, jsPairs);
  // DISTINCT keeps an order by expressions (sorting outside it), also after a limit.
  const byNeg = (a, b) => b.passengers - a.passengers || a.payment.localeCompare(b.payment);
  const negOrder = await rows(from(session, 'trips').select('payment', 'passengers').orderBy(col('passengers').neg(), 'payment').distinct());
  assert.deepEqual(negOrder, [...jsPairs].sort(byNeg));
  const limited = await rows(from(session, 'trips').orderBy(col('passengers').neg(), 'payment', 'trip_id').limit(40).select('payment', 'passengers').distinct());
  const first40 = [...trips].sort((a, b) => byNeg(a, b) || a.trip_id - b.trip_id).slice(0, 40);
  const seen = [...new Set(first40.map((t) => `${t.payment}|${t.passengers}`))].map((x) => x.split('|')).map(([p, n]) => ({ payment: p, passengers: Number(n) }));
  assert.deepEqual(limited, seen);
  // Builders are immutable: a shared base is not changed by what is built on it.
  const base = from(session, 'trips').filter(col('fare').gt(50));
  const before = must(base.toSql());
  base.limit(1);
  base.orderBy('fare');
  base.derive({ x: lit(1) });
  assert.deepEqual(must(base.toSql()), before);
});

test('joins: inner/left/right/full/semi/anti on USING keys and on pairs of names, against JS', async () => {
  const left = from(session, 'trips').filter(col('trip_id').le(6)).select('trip_id', 'fare');
  const right = from(session, 'trips').filter(col('trip_id').between(4, 9)).select('trip_id', 'tip', 'fare');
  const t = (id) => trips[id - 1];
  const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const joined = async (kind) => (await rows(left.join(right, { kind, using: 'trip_id' }).orderBy('trip_id')));
  const row = (id, l, r) => ({ trip_id: id, fare: l ? t(id).fare : null, tip: r ? t(id).tip : null, fare_1: r ? t(id).fare : null });
  assert.deepEqual(await joined('inner'), range(4, 6).map((id) => row(id, true, true)));
  assert.deepEqual(await joined('left'), range(1, 6).map((id) => row(id, true, id >= 4)));
  assert.deepEqual(await joined('right'), range(4, 9).map((id) => row(id, id <= 6, true)));
  assert.deepEqual(await joined('full'), range(1, 9).map((id) => row(id, id <= 6, id >= 4)));
  assert.deepEqual(await joined('semi'), range(4, 6).map((id) => ({ trip_id: id, fare: t(id).fare })));
  assert.deepEqual(await joined('anti'), range(1, 3).map((id) => ({ trip_id: id, fare: t(id).fare })));
  // Differently named keys: every column of both sides, the right's clashing names with _1.
  const renamed = from(session, 'trips').filter(col('trip_id').le(3)).select({ k: 'trip_id', fare: 'fare' });
  const on = await rows(renamed.join(right.filter(col('trip_id').le(5)), { kind: 'full', on: { k: 'trip_id' } }).orderBy(asc('k', { nulls: 'last' }), 'trip_id'));
  assert.deepEqual(on, [
    ...range(1, 3).map((id) => ({ k: id, fare: t(id).fare, trip_id: null, tip: null, fare_1: null })),
    ...range(4, 5).map((id) => ({ k: null, fare: null, trip_id: id, tip: t(id).tip, fare_1: t(id).fare })),
  ]);
  // A grouping on each side, joined on two keys.
  const pick = from(session, 'trips').groupBy('pickup_zone', 'payment').agg({ n: count() });
  const drop = from(session, 'trips').groupBy({ zone: col('dropoff_zone'), pay: col('payment') }).agg({ m: count() });
  const both = await rows(pick.join(drop, { on: { pickup_zone: 'zone', payment: 'pay' } }).derive({ d: col('n').sub(col('m')) }).orderBy('pickup_zone', 'payment'));
  const pickN = groupBy(trips.map((x) => ({ ...x, key: `${x.pickup_zone}|${x.payment}` })), 'key');
  const dropN = groupBy(trips.map((x) => ({ ...x, key: `${x.dropoff_zone}|${x.payment}` })), 'key');
  const keys = Object.keys(pickN).filter((k) => dropN[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(both.map((r) => `${r.pickup_zone}|${r.payment}`), keys);
  for (const r of both) assert.equal(r.d, pickN[`${r.pickup_zone}|${r.payment}`].length - dropN[`${r.zone}|${r.pay}`].length);
  // Joins take queries of the same session only.
  const other = must(await analytics.createSession());
  const bad = left.join(from(other, 'trips'), { using: 'trip_id' }).toSql();
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'invalid-argument');
  analytics.closeSession(other);
});

test('windows and time buckets against DuckDB running hand-written SQL', async () => {
  const windows = from(session, 'trips')
    .derive({
      rn: rowNumber().over({ partitionBy: 'payment', orderBy: [desc('fare'), 'trip_id'] }),
      rk: rank().over({ orderBy: desc('passengers') }),
      drk: denseRank().over({ partitionBy: ['payment'], orderBy: 'passengers' }),
      nt: ntile(7).over({ orderBy: ['fare', 'trip_id'] }),
      prev: lag('fare', 2, 0).over({ orderBy: 'trip_id' }),
      next: lead('fare').over({ partitionBy: 'pickup_zone', orderBy: 'trip_id' }),
      fv: firstValue('fare').over({ partitionBy: 'payment', orderBy: 'trip_id' }),
      lv: lastValue('fare').over({ partitionBy: 'payment', orderBy: 'trip_id', frame: { rows: [-Infinity, Infinity] } }),
      moving: mean('fare').over({ orderBy: 'trip_id', frame: { rows: [-3, 1] } }),
      running: sum('fare').over({ partitionBy: 'payment', orderBy: 'trip_id', frame: { rows: [-Infinity, 0] } }),
      peers: count().over({ orderBy: 'passengers', frame: { range: [-Infinity, 0] } }),
      share: col('fare').div(sum('fare').over({ partitionBy: 'pickup_zone' })),
      big_so_far: count().filter(col('fare').gt(30)).over({ orderBy: 'trip_id' }),
    })
    .select('trip_id', 'rn', 'rk', 'drk', 'nt', 'prev', 'next', 'fv', 'lv', 'moving', 'running', 'peers', 'share', 'big_so_far')
    .orderBy('trip_id');
  const buckets = from(session, 'trips').groupBy({ b: timeBucket('pickup', { minutes: 90 }) }).agg({ n: count(), avg: mean('fare') }).orderBy('b');
  const origin = from(session, 'trips')
    .groupBy({ b: timeBucket(col('pickup'), { hours: 5 }, { origin: new Date(Date.UTC(2026, 2, 1, 22, 30)) }) })
    .agg({ n: count() })
    .orderBy('b');
  const truncs = from(session, 'trips').groupBy({ m: dateTrunc('hour', 'pickup'), q: datePart('quarter', 'pickup') }).agg({ n: count() }).orderBy('m');
  const quantiles = from(session, 'trips').groupBy('pickup_zone').agg({ disc: quantile('fare', 0.3, { discrete: true }), p25: quantile('tip', 0.25), med: median('tip') }).orderBy('pickup_zone');
  const expected = duck({
    windows: `SELECT trip_id,
        row_number() OVER (PARTITION BY payment ORDER BY fare DESC, trip_id) AS rn,
        rank() OVER (ORDER BY passengers DESC) AS rk,
        dense_rank() OVER (PARTITION BY payment ORDER BY passengers) AS drk,
        ntile(7) OVER (ORDER BY fare, trip_id) AS nt,
        lag(fare, 2, 0) OVER (ORDER BY trip_id) AS prev,
        lead(fare) OVER (PARTITION BY pickup_zone ORDER BY trip_id) AS next,
        first_value(fare) OVER (PARTITION BY payment ORDER BY trip_id) AS fv,
        last_value(fare) OVER (PARTITION BY payment ORDER BY trip_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS lv,
        avg(fare) OVER (ORDER BY trip_id ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING) AS moving,
        sum(fare) OVER (PARTITION BY payment ORDER BY trip_id ROWS UNBOUNDED PRECEDING) AS running,
        count(*) OVER (ORDER BY passengers) AS peers,
        fare / sum(fare) OVER (PARTITION BY pickup_zone) AS share,
        count(*) FILTER (WHERE fare > 30) OVER (ORDER BY trip_id) AS big_so_far
      FROM trips ORDER BY trip_id`,
    buckets: `SELECT time_bucket(INTERVAL '90 minutes', pickup) AS b, count(*) AS n, avg(fare) AS avg FROM trips GROUP BY 1 ORDER BY 1`,
    origin: `SELECT time_bucket(INTERVAL '5 hours', pickup, TIMESTAMP '2026-03-01 22:30:00') AS b, count(*) AS n FROM trips GROUP BY 1 ORDER BY 1`,
    truncs: `SELECT date_trunc('hour', pickup) AS m, extract(quarter FROM pickup) AS q, count(*) AS n FROM trips GROUP BY 1, 2 ORDER BY 1`,
    quantiles: `SELECT pickup_zone, quantile_disc(fare, 0.3) AS disc, quantile_cont(tip, 0.25) AS p25, median(tip) AS med FROM trips GROUP BY 1 ORDER BY 1`,
  });
  const compare = (got, want, what) => {
    assert.equal(got.length, want.length, what);
    got.forEach((g, i) => {
      for (const [k, v] of Object.entries(want[i])) {
        if (typeof v === 'number' && typeof g[k] === 'number') close(g[k], v, `${what} row ${i} ${k}`);
        else assert.equal(g[k], v, `${what} row ${i} ${k}`);
      }
    });
  };
  compare(await rows(windows), expected.windows, 'windows');
  compare(await rows(buckets), expected.buckets, 'buckets');
  compare(await rows(origin), expected.origin, 'bucket origin');
  compare(await rows(truncs), expected.truncs, 'date_trunc/date_part');
  compare(await rows(quantiles), expected.quantiles, 'quantiles');
  // A window after a limit numbers only the limited rows, which keep their order.
  const topFares = await rows(from(session, 'trips').orderBy(desc('fare'), 'trip_id').limit(5).derive({ r: rowNumber().over({ orderBy: 'trip_id' }) }));
  const top = [...trips].sort((a, b) => b.fare - a.fare || a.trip_id - b.trip_id).slice(0, 5);
  const byId = [...top].sort((a, b) => a.trip_id - b.trip_id);
  assert.deepEqual(topFares.map((r) => [r.trip_id, r.r]), top.map((x) => [x.trip_id, byId.indexOf(x) + 1]));
});

// ----------------------------------------------------------------------------------------------
// 3. Values and names that look like SQL stay data

const NASTY = [
  "it's",
  "'); DROP TABLE trips; --",
  '"; DROP TABLE trips; --',
  '$1',
  '$2 OR 1=1',
  '-- comment',
  '/* open',
  ';',
  'line\nbreak\r\nand tab\t',
  '\\',
  "''''",
  '%_%',
  'ünïcödé ✓ 🚕',
  '',
];

test('injection: values and names full of quotes, $, --, ; and newlines come back as data', async () => {
  const name = 't"able\'; --';
  const column = 'we"ird \' col; --';
  const lines = NASTY.map((v, i) => JSON.stringify({ id: i, [column]: v, plain: v }));
  const table = must(await facade.readTableFromArrayBuffer(new TextEncoder().encode(lines.join('\n')), { format: 'ndjson' }), 'read ndjson');
  must(await analytics.register(session, name, table), 'register a table with a nasty name');
  await facade.freeTable(table);
  for (const [i, v] of NASTY.entries()) {
    const q = from(session, name).filter(col(column).eq(v)).select('id', column);
    const { sql, params } = must(q.toSql());
    assert.deepEqual(params, [v]);
    if (v.length >= 3 && !v.startsWith('$')) assert.ok(!sql.includes(v), `the value ${JSON.stringify(v)} stays out of the text: ${sql}`);
    assert.deepEqual(await rows(q), [{ id: i, [column]: v }], `filter on ${JSON.stringify(v)}`);
    const derived = await rows(
      from(session, name)
        .filter(col('id').eq(i))
        .derive({ [`x"${v}`]: lit(v), both: col('plain').concat(v), same: col(column).eq(col('plain')), like: col('plain').like(v.replaceAll('%', '').replaceAll('_', '')) })
        .select('id', `x"${v}`, 'both', 'same', 'like'),
    );
    assert.deepEqual(derived, [{ id: i, [`x"${v}`]: v, both: v + v, same: true, like: !/[%_]/.test(v) }], `derive ${JSON.stringify(v)}`);
  }
  assert.deepEqual((await rows(from(session, name).filter(col(column).isIn(NASTY)).agg({ n: count() })))[0].n, NASTY.length);
  assert.deepEqual((await rows(from(session, name).groupBy(column).agg({ n: count() }).filter(col(column).eq(NASTY[1])))), [{ [column]: NASTY[1], n: 1 }]);
  const tables = must(await analytics.sessionTables(session)).map((t) => t.name).sort();
  assert.deepEqual(tables, [name, 'trips'].sort(), 'no table was dropped');
  must(await analytics.unregister(session, name));
});

// ----------------------------------------------------------------------------------------------
// 4. Misuse is an Err, never a throw

test('bad use returns invalid-argument from toSql, run and rows, and never throws', async () => {
  const t = from(session, 'trips');
  const other = must(await analytics.createSession());
  const bad = {
    'empty agg': t.agg({}),
    'empty grouped agg': t.groupBy('payment').agg({}),
    'NaN limit': t.limit(NaN),
    'negative limit': t.limit(-1),
    'fractional offset': t.offset(1.5),
    'unknown join kind': t.join(from(session, 'trips'), { kind: 'sideways', using: 'trip_id' }),
    'using and on': t.join(from(session, 'trips'), { using: 'trip_id', on: { trip_id: 'trip_id' } }),
    'neither using nor on': t.join(from(session, 'trips'), {}),
    'join across sessions': t.join(from(other, 'trips'), { using: 'trip_id' }),
    'join with a non-query': t.join({}, { using: 'trip_id' }),
    'aggregate in filter': t.filter(count().gt(1)),
    'window in filter': t.filter(rowNumber().over().gt(1)),
    'aggregate in derive': t.derive({ s: sum('fare') }),
    'window over a grouping in derive': t.derive({ r: rank().over({ orderBy: count() }) }),
    'empty orderBy': t.orderBy(),
    'aggregate in orderBy': t.orderBy(count()),
    'empty select': t.select(),
    'duplicate select': t.select('fare', { FARE: 'tip' }),
    'duplicate agg names': t.groupBy('n').agg({ n: count() }),
    'cast to an unknown type': t.derive({ x: col('fare').cast('TEXT; DROP TABLE trips') }),
    'decimal too wide': t.derive({ x: col('fare').cast('DECIMAL(40, 2)') }),
    'date_trunc unit': t.derive({ x: dateTrunc('fortnight', 'pickup') }),
    'date_part part': t.derive({ x: datePart('timezone; --', 'pickup') }),
    'fractional duration': t.derive({ x: timeBucket('pickup', { hours: 1.5 }) }),
    'unknown duration unit': t.derive({ x: timeBucket('pickup', { fortnights: 1 }) }),
    'range frame offset': t.derive({ x: sum('fare').over({ orderBy: 'trip_id', frame: { range: [-2, 0] } }) }),
    'backwards frame': t.derive({ x: sum('fare').over({ orderBy: 'trip_id', frame: { rows: [2, -1] } }) }),
    'quantile p': t.agg({ q: quantile('fare', 2) }),
    'ntile 0': t.derive({ x: ntile(0).over({ orderBy: 'fare' }) }),
    'invalid Date': t.filter(col('pickup').gt(new Date('nope'))),
    'not a value': t.filter(col('fare').gt({ no: 1 })),
    'empty column name': t.select(col('')),
    'nulls option': t.orderBy(asc('fare', { nulls: 'middle' })),
    'count(*) distinct': t.agg({ n: count().distinct() }),
    'nested aggregate': t.agg({ n: sum(count()) }),
    'empty and': t.filter(and()),
    'bad table name': from(session, ''),
    'no session': from(undefined, 'trips'),
  };
  for (const [what, q] of Object.entries(bad)) {
    const c = q.toSql();
    assert.equal(c.ok, false, `${what}: ${c.ok ? c.value.sql : ''}`);
    assert.equal(c.error.code, 'invalid-argument', what);
    const r = await q.run();
    assert.deepEqual(r, c, what);
    assert.deepEqual(await q.rows(), c, what);
    // The first mistake sticks through later verbs.
    assert.deepEqual(q.filter(col('fare').gt(1)).limit(3).toSql(), c, what);
  }
  analytics.closeSession(other);
  // What the plugin refuses comes back as its typed error.
  const unknown = await from(session, 'trips').filter(col('fair').gt(1)).run();
  assert.equal(unknown.ok, false);
  assert.equal(unknown.error.kind, 'unknown-column');
  assert.match(unknown.error.message, /did you mean fare/);
});

// ----------------------------------------------------------------------------------------------
// 5. The model: random tables, random chains, three answers that must agree

/**
 * The property, self-contained so a Chromium page can run it from its source text: random tables
 * of id / i (int) / f (float, halves so sums stay exact) / s (text) with NULLs, read from NDJSON
 * bytes, and random chains of filter / orderBy / groupBy+agg(count, sum, min, max) / limit. Each
 * chain runs (1) through the builder, (2) as nested SQL the test writes itself, one SELECT per
 * step, and (3) over plain JS arrays; all three must agree (row for row when the chain ends
 * ordered, as multisets otherwise). An orderBy always ends with a tiebreak that makes the order
 * total (the id, or every grouping key), and a limit of unordered rows first orders them so.
 */
async function builderModelProperty({ fc, facade, analytics }, { numRuns, seed, path }) {
  const { from, col, count, sum, min, max, asc, desc, and, or, not } = analytics;
  const unwrap = (r, what) => {
    if (!r.ok) throw new Error(`${what}: ${JSON.stringify(r.error)}`);
    return r.value;
  };
  const session = unwrap(await analytics.createSession(), 'createSession');
  const STRS = ['a', 'b', 'B', 'ab', ''];
  const mod = (n, m) => ((n % m) + m) % m;
  const valueFor = (type, v) => (type === 'int' ? v : type === 'float' ? v + 0.5 : STRS[mod(v, STRS.length)]);
  const quote = (n) => `"${n.replaceAll('"', '""')}"`;
  const stats = { runs: 0, filter: 0, order: 0, group: 0, limit: 0, offset: 0, derive: 0, select: 0, rows: 0, emptyAnswers: 0 };

  const smallInt = fc.integer({ min: -3, max: 6 });
  const cellArb = { i: smallInt, f: smallInt.map((n) => n + 0.5), s: fc.constantFrom(...STRS) };
  const fullRow = fc.record(cellArb);
  const rowArb = fc.record(Object.fromEntries(Object.entries(cellArb).map(([k, a]) => [k, fc.option(a, { nil: null, freq: 3 })])));
  const tableArb = fc.tuple(fullRow, fc.array(rowArb, { maxLength: 14 })).map(([r, rest]) => [r, ...rest].map((x, id) => ({ id, ...x })));
  const { pred } = fc.letrec((tie) => ({
    pred: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'pred' },
      fc.record({ t: fc.constant('cmp'), c: fc.nat(), op: fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge'), v: smallInt }),
      fc.record({ t: fc.constant('null'), c: fc.nat(), neg: fc.boolean() }),
      fc.record({ t: fc.constant('in'), c: fc.nat(), vs: fc.array(smallInt, { maxLength: 3 }), neg: fc.boolean() }),
      fc.record({ t: fc.constant('and'), a: tie('pred'), b: tie('pred') }),
      fc.record({ t: fc.constant('or'), a: tie('pred'), b: tie('pred') }),
      fc.record({ t: fc.constant('not'), a: tie('pred') }),
    ),
  }));
  const opArb = fc.oneof(
    fc.record({ t: fc.constant('filter'), p: pred }),
    fc.record({ t: fc.constant('order'), keys: fc.array(fc.record({ c: fc.nat(), desc: fc.boolean(), nulls: fc.constantFrom(undefined, 'first', 'last') }), { minLength: 1, maxLength: 2 }) }),
    fc.record({
      t: fc.constant('group'),
      keys: fc.array(fc.nat(), { maxLength: 2 }),
      aggs: fc.array(fc.record({ fn: fc.constantFrom('count*', 'count', 'sum', 'min', 'max'), c: fc.nat() }), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ t: fc.constant('limit'), n: fc.nat({ max: 8 }) }),
    fc.record({ t: fc.constant('offset'), n: fc.nat({ max: 4 }) }),
    fc.record({ t: fc.constant('derive'), a: fc.nat(), b: fc.nat() }),
    fc.record({ t: fc.constant('select'), keep: fc.array(fc.nat(), { maxLength: 3 }) }),
  );
  const chainArb = fc.array(opArb, { minLength: 1, maxLength: 5 });

  // Kleene logic over true / false / null.
  const k = {
    and: (a, b) => (a === false || b === false ? false : a === null || b === null ? null : true),
    or: (a, b) => (a === true || b === true ? true : a === null || b === null ? null : false),
    not: (a) => (a === null ? null : !a),
  };
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  /** The predicate for the current columns: builder expression, SQL text (with params), JS function. */
  function predicate(p, cols, params) {
    const column = (c) => cols[mod(c, cols.length)];
    if (p.t === 'cmp') {
      const c = column(p.c);
      const v = valueFor(c.type, p.v);
      params.push(v);
      const ops = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
      const js = { eq: (x) => x === 0, ne: (x) => x !== 0, lt: (x) => x < 0, le: (x) => x <= 0, gt: (x) => x > 0, ge: (x) => x >= 0 }[p.op];
      return { expr: col(c.name)[p.op](v), sql: `${quote(c.name)} ${ops[p.op]} $${params.length}`, js: (r) => (r[c.name] === null ? null : js(cmp(r[c.name], v))) };
    }
    if (p.t === 'null') {
      const c = column(p.c);
      return {
        expr: p.neg ? col(c.name).isNotNull() : col(c.name).isNull(),
        sql: `${quote(c.name)} IS ${p.neg ? 'NOT ' : ''}NULL`,
        js: (r) => (r[c.name] === null) !== p.neg,
      };
    }
    if (p.t === 'in') {
      const c = column(p.c);
      const vs = p.vs.map((v) => valueFor(c.type, v));
      const marks = vs.map((v) => {
        params.push(v);
        return `$${params.length}`;
      });
      const sql = vs.length === 0 ? (p.neg ? 'TRUE' : 'FALSE') : `${quote(c.name)} ${p.neg ? 'NOT IN' : 'IN'} (${marks.join(', ')})`;
      const inJs = (r) => (vs.length === 0 ? false : r[c.name] === null ? null : vs.includes(r[c.name]));
      return { expr: p.neg ? col(c.name).notIn(vs) : col(c.name).isIn(vs), sql, js: p.neg ? (r) => (vs.length === 0 ? true : k.not(inJs(r))) : inJs };
    }
    const a = predicate(p.a, cols, params);
    if (p.t === 'not') return { expr: not(a.expr), sql: `NOT (${a.sql})`, js: (r) => k.not(a.js(r)) };
    const b = predicate(p.b, cols, params);
    return p.t === 'and'
      ? { expr: and(a.expr, b.expr), sql: `(${a.sql}) AND (${b.sql})`, js: (r) => k.and(a.js(r), b.js(r)) }
      : { expr: or(a.expr, b.expr), sql: `(${a.sql}) OR (${b.sql})`, js: (r) => k.or(a.js(r), b.js(r)) };
  }

  /** Sorts like SQL: each key ascending or descending, NULLs last unless said, stable. */
  function sortRows(rows, keys) {
    return rows
      .map((r, i) => [r, i])
      .sort(([a, i], [b, j]) => {
        for (const key of keys) {
          const x = a[key.name];
          const y = b[key.name];
          if (x === null || y === null) {
            if (x === y) continue;
            const nullsFirst = key.nulls === 'first';
            return (x === null) === nullsFirst ? -1 : 1;
          }
          const c = cmp(x, y);
          if (c !== 0) return key.desc ? -c : c;
        }
        return i - j;
      })
      .map(([r]) => r);
  }

  async function answer(q, sql, params) {
    const built = unwrap(await q.rows(), `builder ${JSON.stringify(q.toSql())}`);
    const handle = unwrap(await analytics.query(session, sql, params), `hand SQL ${sql}`);
    const n = unwrap(await facade.numRows(handle), 'numRows');
    const hand = unwrap(await facade.tableRows(handle, n), 'tableRows');
    unwrap(await facade.freeTable(handle), 'freeTable');
    return { built, hand };
  }

  let run = 0;
  const property = fc.asyncProperty(tableArb, chainArb, async (table, chain) => {
    run += 1;
    stats.runs += 1;
    const name = `m${run}`;
    const bytes = new TextEncoder().encode(table.map((r) => JSON.stringify(r)).join('\n'));
    const handle = unwrap(await facade.readTableFromArrayBuffer(bytes, { format: 'ndjson' }), 'read ndjson');
    unwrap(await analytics.register(session, name, handle), 'register');
    unwrap(await facade.freeTable(handle), 'free');
    try {
      let cols = [{ name: 'id', type: 'int' }, { name: 'i', type: 'int' }, { name: 'f', type: 'float' }, { name: 's', type: 'str' }];
      let rows = table;
      let q = from(session, name);
      let sql = `SELECT * FROM ${quote(name)}`;
      const params = [];
      let tiebreak = [{ name: 'id' }];
      let ordered = false;
      let level = 0;
      const wrapSql = (inner) => `SELECT * FROM (${inner}) AS ${quote(`t${++level}`)}`;
      const orderBy = (keys) => {
        const all = [...keys, ...tiebreak.map((t) => ({ name: t.name, desc: false, nulls: undefined }))];
        ordered = true;
        // One row (a grouping without keys) is in order already.
        if (all.length === 0) return;
        q = q.orderBy(...all.map((key) => (key.desc ? desc(key.name, key.nulls === undefined ? {} : { nulls: key.nulls }) : asc(key.name, key.nulls === undefined ? {} : { nulls: key.nulls }))));
        const text = all.map((key) => `${quote(key.name)}${key.desc ? ' DESC' : ''}${key.nulls === undefined ? '' : ` NULLS ${key.nulls.toUpperCase()}`}`);
        sql = `${wrapSql(sql)} ORDER BY ${text.join(', ')}`;
        rows = sortRows(rows, all);
        ordered = true;
      };
      for (const op of chain) {
        stats[op.t] += 1;
        if (op.t === 'filter') {
          const p = predicate(op.p, cols, params);
          q = q.filter(p.expr);
          sql = `${wrapSql(sql)} WHERE ${p.sql}`;
          rows = rows.filter((r) => p.js(r) === true);
        } else if (op.t === 'order') {
          orderBy(op.keys.map((key) => ({ name: cols[mod(key.c, cols.length)].name, desc: key.desc, nulls: key.nulls })));
        } else if (op.t === 'limit' || op.t === 'offset') {
          if (!ordered) orderBy([]);
          q = op.t === 'limit' ? q.limit(op.n) : q.offset(op.n);
          params.push(op.n);
          sql = `${wrapSql(sql)} ${op.t.toUpperCase()} $${params.length}`;
          rows = op.t === 'limit' ? rows.slice(0, op.n) : rows.slice(op.n);
        } else if (op.t === 'derive') {
          const numeric = cols.filter((c) => c.type !== 'str');
          const a = numeric[mod(op.a, numeric.length)];
          const b = numeric[mod(op.b, numeric.length)];
          const name = `d${++level}`;
          if (a === undefined || b === undefined) {
            q = q.derive({ [name]: 1 });
            params.push(1);
            sql = `SELECT *, $${params.length} AS ${quote(name)} FROM (${sql}) AS ${quote(`t${level}`)}`;
            rows = rows.map((r) => ({ ...r, [name]: 1 }));
            cols = [...cols, { name, type: 'int' }];
          } else {
            q = q.derive({ [name]: col(a.name).add(col(b.name)) });
            sql = `SELECT *, ${quote(a.name)} + ${quote(b.name)} AS ${quote(name)} FROM (${sql}) AS ${quote(`t${level}`)}`;
            rows = rows.map((r) => ({ ...r, [name]: r[a.name] === null || r[b.name] === null ? null : r[a.name] + r[b.name] }));
            cols = [...cols, { name, type: a.type === 'float' || b.type === 'float' ? 'float' : 'int' }];
          }
        } else if (op.t === 'select') {
          // The tiebreak columns stay, so that a later limit still has a total order.
          const keep = new Set([...op.keep.map((c) => cols[mod(c, cols.length)].name), ...tiebreak.map((t) => t.name)]);
          if (keep.size === 0) keep.add(cols[0].name);
          cols = cols.filter((c) => keep.has(c.name));
          q = q.select(...cols.map((c) => c.name));
          sql = `SELECT ${cols.map((c) => quote(c.name)).join(', ')} FROM (${sql}) AS ${quote(`t${++level}`)}`;
          rows = rows.map((r) => Object.fromEntries(cols.map((c) => [c.name, r[c.name]])));
        } else {
          const keyCols = [...new Map(op.keys.map((c) => cols[mod(c, cols.length)]).map((c) => [c.name, c])).values()];
          const numeric = cols.filter((c) => c.type !== 'str');
          const aggs = op.aggs.map((spec, j) => {
            const aggName = `g${level}_${j}`;
            // Nothing to sum when every column is text: count instead.
            const a = spec.fn === 'sum' && numeric.length === 0 ? { ...spec, fn: 'count*' } : spec;
            if (a.fn === 'count*') return { name: aggName, type: 'int', expr: count(), sql: 'count(*)', js: (g) => g.length };
            const pool = a.fn === 'sum' ? numeric : cols;
            const c = pool[mod(a.c, pool.length)];
            const values = (g) => g.map((r) => r[c.name]).filter((v) => v !== null);
            if (a.fn === 'count') return { name: aggName, type: 'int', expr: count(c.name), sql: `count(${quote(c.name)})`, js: (g) => values(g).length };
            const fold = {
              sum: (vs) => vs.reduce((x, y) => x + y),
              min: (vs) => vs.reduce((x, y) => (cmp(y, x) < 0 ? y : x)),
              max: (vs) => vs.reduce((x, y) => (cmp(y, x) > 0 ? y : x)),
            }[a.fn];
            const make = { sum, min, max }[a.fn];
            return { name: aggName, type: c.type, expr: make(c.name), sql: `${a.fn}(${quote(c.name)})`, js: (g) => (values(g).length === 0 ? null : fold(values(g))) };
          });
          q = q.groupBy(...keyCols.map((c) => c.name)).agg(Object.fromEntries(aggs.map((a) => [a.name, a.expr])));
          const list = [...keyCols.map((c) => quote(c.name)), ...aggs.map((a) => `${a.sql} AS ${quote(a.name)}`)].join(', ');
          const groupSql = keyCols.length === 0 ? '' : ` GROUP BY ${keyCols.map((c) => quote(c.name)).join(', ')}`;
          sql = `SELECT ${list} FROM (${sql}) AS ${quote(`t${++level}`)}${groupSql}`;
          const groups = new Map();
          for (const r of rows) {
            const key = JSON.stringify(keyCols.map((c) => r[c.name]));
            if (!groups.has(key)) groups.set(key, []);
            groups.get(key).push(r);
          }
          if (keyCols.length === 0 && groups.size === 0) groups.set('[]', []);
          rows = [...groups.values()].map((g) => ({
            ...Object.fromEntries(keyCols.map((c) => [c.name, g[0][c.name]])),
            ...Object.fromEntries(aggs.map((a) => [a.name, a.js(g)])),
          }));
          cols = [...keyCols, ...aggs.map((a) => ({ name: a.name, type: a.type }))];
          tiebreak = keyCols.map((c) => ({ name: c.name }));
          ordered = false;
          level += 1;
        }
      }
      const { built, hand } = await answer(q, sql, params);
      stats.rows += rows.length;
      if (rows.length === 0) stats.emptyAnswers += 1;
      const shape = (list) => list.map((r) => JSON.stringify(cols.map((c) => r[c.name])));
      const canon = (list) => (ordered ? shape(list) : shape(list).sort());
      const want = canon(rows);
      const got = canon(built);
      const handGot = canon(hand);
      const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
      if (!same(handGot, want)) throw new Error(`hand-written SQL disagrees with the JS model\nSQL: ${sql}\nparams: ${JSON.stringify(params)}\nSQL rows: ${handGot.join(' ')}\nmodel:    ${want.join(' ')}`);
      if (!same(got, want)) throw new Error(`the builder disagrees with the JS model\nbuilder: ${JSON.stringify(q.toSql())}\nbuilder rows: ${got.join(' ')}\nmodel:        ${want.join(' ')}`);
    } finally {
      unwrap(await analytics.unregister(session, name), 'unregister');
    }
  });
  const details = await fc.check(property, { numRuns, seed, path, endOnFailure: false });
  analytics.closeSession(session);
  return {
    failed: details.failed,
    report: details.failed ? `${fc.defaultReportMessage(details)}\nError: ${details.errorInstance?.stack ?? details.errorInstance}` : '',
    numRuns: details.numRuns,
    seed: details.seed,
    stats,
  };
}

function verdict(out, runs, where) {
  const replay = `FC_SEED=${out.seed} node --test --test-name-pattern='${where}' test/builder.test.mjs`;
  assert.equal(out.failed, false, `${out.report}\n(replay: ${replay})`);
  assert.equal(out.numRuns, runs);
  for (const op of ['filter', 'order', 'group', 'limit', 'offset', 'derive', 'select']) assert.ok(out.stats[op] > 0, `${op} never ran: ${JSON.stringify(out.stats)}`);
  assert.ok(out.stats.rows > 0, JSON.stringify(out.stats));
}

const MODEL_RUNS = Math.round(300 * Number(process.env.FC_RUNS ?? 1));
const BROWSER_RUNS = 100;

test('model in Node: builder chains = hand-written nested SQL = plain-JS model', async () => {
  const out = await builderModelProperty({ fc, facade, analytics }, { numRuns: MODEL_RUNS, seed, path: process.env.FC_PATH });
  verdict(out, MODEL_RUNS, 'model in Node');
});

test('model in Chromium: the same property on the built modules in a page (fixed seed)', async () => {
  const out = await inChromium(
    async ({ source, options }) => {
      const fc = (await import('fast-check')).default;
      const facade = await import('/js-bindings/dist/index.js');
      const analytics = await import('/js-bindings/dist/analytics.js');
      const ready = await facade.initWasm();
      if (!ready.ok) return { failed: true, report: JSON.stringify(ready.error) };
      const loaded = await analytics.loadAnalytics();
      if (!loaded.ok) return { failed: true, report: JSON.stringify(loaded.error) };
      const property = (0, eval)(`(${source})`);
      return property({ fc, facade, analytics }, options);
    },
    { source: builderModelProperty.toString(), options: { numRuns: BROWSER_RUNS, seed: 20260302 } },
  );
  verdict(out, BROWSER_RUNS, 'model in Chromium');
});
