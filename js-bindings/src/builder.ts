/**
 * A typed query builder over a session's tables that compiles to the analytics plugin's SQL.
 *
 * Every value a caller gives (a number to compare with, a pattern, an interval, a date part, a
 * limit) goes to the plugin as a `$n` parameter, never into the SQL text; names of tables and
 * columns are always double-quoted (a `"` inside doubled), so no value or name can change the
 * query's shape. What else the text holds comes from fixed lists (cast types, SQL keywords) or is
 * a checked whole number: window frame offsets (the engine takes only constants there) and
 * `GROUP BY` positions.
 *
 * Builders are immutable records of closures: each verb returns a new builder, so a base query can
 * be shared and extended in several ways. A verb goes into the current `SELECT` when SQL's order of
 * clauses gives it the meaning it has in the chain, and otherwise wraps what came before as a
 * subquery (`(...) AS "_q1"`): a filter after a grouping or a limit, a derive after a derive that
 * defines a name it reads, anything after a join. Mistakes (an empty `agg`, a NaN limit, an
 * unknown join kind) travel with the builder and come out of `toSql()`/`run()` as an `Err` with
 * code `invalid-argument`; nothing throws.
 *
 * Row order: an `orderBy` holds through later filters, derives, selects and limits (re-applied
 * where a window function or `DISTINCT` would lose it) while its columns are still there; a
 * grouping or a join gives rows in no particular order, as in SQL. Window frames: `range` frames
 * take no offsets (the engine has none).
 *
 * ```ts
 * const top = await from(session, 'trips')
 *   .filter(col('fare').gt(20).and(col('payment').isIn(['card', 'app'])))
 *   .groupBy('pickup_zone')
 *   .agg({ n: count(), avg_fare: mean('fare') })
 *   .orderBy(desc('n'))
 *   .limit(10)
 *   .rows();
 * ```
 *
 * @module
 */
import { freeTable, numRows, tableRows } from './index.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';
import type { TableHandle } from './runtime.js';
import { explain, query, toParam } from './session.js';
import type { AnalyticsResult, ParamValue, Session } from './session.js';

// ---------------------------------------------------------------------------------------------
// Public types

declare const valueType: unique symbol;

/**
 * An expression over the columns of the current rows: a column, a value, an operator, a function,
 * an aggregate or a window function. `V` is the type of its values as `rows()` returns them
 * (numbers, strings, booleans; timestamps and dates as RFC 3339 text), `unknown` when not known.
 *
 * Arguments typed {@link Value} are values when they are not expressions: `col('payment').eq('card')`
 * compares with the text `card`; use `col(name)` to compare two columns.
 */
export interface Expr<V = unknown> {
  /** Carries the value type for TypeScript; never set at run time. */
  readonly [valueType]?: V;
  /** `self = other` (NULL when either side is). */
  eq(other: Value): Expr<boolean>;
  /** `self <> other`. */
  ne(other: Value): Expr<boolean>;
  /** `self < other`. */
  lt(other: Value): Expr<boolean>;
  /** `self <= other`. */
  le(other: Value): Expr<boolean>;
  /** `self > other`. */
  gt(other: Value): Expr<boolean>;
  /** `self >= other`. */
  ge(other: Value): Expr<boolean>;
  /** `self IS DISTINCT FROM other`: inequality where NULL equals NULL (never NULL itself). */
  isDistinctFrom(other: Value): Expr<boolean>;
  /** `self IS NOT DISTINCT FROM other`: equality where NULL equals NULL (never NULL itself). */
  isNotDistinctFrom(other: Value): Expr<boolean>;
  /** `self AND other` (three-valued logic). */
  and(other: Value): Expr<boolean>;
  /** `self OR other` (three-valued logic). */
  or(other: Value): Expr<boolean>;
  /** `NOT self`. */
  not(): Expr<boolean>;
  /** `self IS NULL`. */
  isNull(): Expr<boolean>;
  /** `self IS NOT NULL`. */
  isNotNull(): Expr<boolean>;
  /** `self IN (v1, v2, ...)`; an empty list is `FALSE`. */
  isIn(values: readonly Value[]): Expr<boolean>;
  /** `self NOT IN (v1, v2, ...)`; an empty list is `TRUE`. */
  notIn(values: readonly Value[]): Expr<boolean>;
  /** `self BETWEEN low AND high` (both ends included). */
  between(low: Value, high: Value): Expr<boolean>;
  /** `self LIKE pattern` (`%` any text, `_` one character; case-sensitive). */
  like(pattern: Value): Expr<boolean>;
  /** `self ILIKE pattern`: {@link Expr.like} ignoring case. */
  ilike(pattern: Value): Expr<boolean>;
  /** `starts_with(self, prefix)`. */
  startsWith(prefix: Value): Expr<boolean>;
  /** `ends_with(self, suffix)`. */
  endsWith(suffix: Value): Expr<boolean>;
  /** `contains(self, part)`: whether the text holds `part`. */
  contains(part: Value): Expr<boolean>;
  /** `regexp_matches(self, pattern)`: whether the regular expression matches somewhere. */
  regexpMatches(pattern: Value): Expr<boolean>;
  /** `self + other` (numbers; a timestamp or date plus an interval). */
  add(other: Value): Expr<Numeric<V>>;
  /** `self - other` (numbers; timestamps and dates minus intervals or each other). */
  sub(other: Value): Expr<Numeric<V>>;
  /** `self * other`. */
  mul(other: Value): Expr<number>;
  /** `self / other`: floating division, also for integers (as DuckDB). */
  div(other: Value): Expr<number>;
  /** `self // other`: integer division of integers (as DuckDB, plain division of floats). */
  intDiv(other: Value): Expr<number>;
  /** `self % other`. */
  mod(other: Value): Expr<number>;
  /** `-self`. */
  neg(): Expr<Numeric<V>>;
  /** `abs(self)`. */
  abs(): Expr<Numeric<V>>;
  /** `round(self, digits)` (0 digits unless given; negative rounds to tens, hundreds, ...). */
  round(digits?: number | Expr): Expr<number>;
  /** `floor(self)`. */
  floor(): Expr<number>;
  /** `ceil(self)`. */
  ceil(): Expr<number>;
  /** `sqrt(self)`. */
  sqrt(): Expr<number>;
  /** `ln(self)`. */
  ln(): Expr<number>;
  /** `exp(self)`. */
  exp(): Expr<number>;
  /** `power(self, exponent)`. */
  power(exponent: Value): Expr<number>;
  /** `CAST(self AS type)`: an error when a value does not convert. */
  cast<T extends SqlType>(type: T): Expr<CastValue<T>>;
  /** `TRY_CAST(self AS type)`: NULL when a value does not convert. */
  tryCast<T extends SqlType>(type: T): Expr<CastValue<T>>;
  /** `coalesce(self, ...fallbacks)`: the first that is not NULL. */
  coalesce(...fallbacks: readonly Value[]): Expr<V>;
  /** `nullif(self, other)`: NULL where `self = other`, else `self`. */
  nullIf(other: Value): Expr<V>;
  /** `lower(self)`. */
  lower(): Expr<string>;
  /** `upper(self)`. */
  upper(): Expr<string>;
  /** `trim(self)`: spaces removed at both ends. */
  trim(): Expr<string>;
  /** `ltrim(self)`: spaces removed at the start. */
  ltrim(): Expr<string>;
  /** `rtrim(self)`: spaces removed at the end. */
  rtrim(): Expr<string>;
  /** `length(self)`: characters of a text. */
  length(): Expr<number>;
  /** `substr(self, start, length)`: characters from `start` (counted from 1), to the end unless `length` is given. */
  substr(start: Value, length?: Value): Expr<string>;
  /** `left(self, n)`: the first `n` characters. */
  left(n: Value): Expr<string>;
  /** `right(self, n)`: the last `n` characters. */
  right(n: Value): Expr<string>;
  /** `strpos(self, needle)`: where `needle` starts (from 1), 0 when absent. */
  strpos(needle: Value): Expr<number>;
  /** `replace(self, search, replacement)`: every occurrence. */
  replace(search: Value, replacement: Value): Expr<string>;
  /** `regexp_replace(self, pattern, replacement)`: the first match. */
  regexpReplace(pattern: Value, replacement: Value): Expr<string>;
  /** `concat(self, ...others)`: text joined, NULLs skipped. */
  concat(...others: readonly Value[]): Expr<string>;
}

/** A value where an expression is expected: an {@link Expr}, or a JS value sent as a parameter. */
export type Value = Expr | ParamValue;

/** A column by name, or an expression: what aggregates, windows and time functions take. */
export type ColumnRef<V = unknown> = string | Expr<V>;

/** The value type of an expression (or of a plain value, itself). */
export type ValueOf<E> = E extends Expr<infer V> ? V : E;

/** The result of arithmetic on `V`: numbers stay numbers, timestamps stay timestamps, unknown becomes number. */
export type Numeric<V> = unknown extends V ? number : V;

/** The SQL types {@link Expr.cast} takes (`DECIMAL(p, s)` with 1 ≤ p ≤ 38, 0 ≤ s ≤ p). */
export type SqlType =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INTEGER'
  | 'BIGINT'
  | 'HUGEINT'
  | 'UTINYINT'
  | 'USMALLINT'
  | 'UINTEGER'
  | 'UBIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'VARCHAR'
  | 'DATE'
  | 'TIMESTAMP'
  | 'TIMESTAMPTZ'
  | 'INTERVAL'
  | 'BLOB'
  | `DECIMAL(${number}, ${number})`;

/** How `rows()` gives values of a cast's type. */
export type CastValue<T extends SqlType> = T extends 'BOOLEAN'
  ? boolean
  : T extends 'VARCHAR' | 'DATE' | 'TIMESTAMP' | 'TIMESTAMPTZ' | 'INTERVAL' | 'BLOB'
    ? string
    : number;

/** An aggregate call: an expression, and the clauses an aggregate takes. */
export interface Agg<V = unknown> extends Expr<V> {
  /** `... FILTER (WHERE condition)`: only the rows where `condition` holds are aggregated. */
  filter(condition: Value): Agg<V>;
  /** `f(DISTINCT x)`: each distinct value once. */
  distinct(): Agg<V>;
  /** `f(x ORDER BY ...)`: the order the values are taken in (for `first`, `last`, `stringAgg`). */
  orderBy(...keys: readonly OrderInput[]): Agg<V>;
  /** As a window function: computed for every row over its window (a running total, a share). */
  over(spec?: WindowSpec): Expr<V>;
}

/** A window function (`rowNumber()`, `lag(x)`, ...): it needs its window, `.over(spec)`. */
export interface WindowFunction<V = unknown> {
  /** The window: which rows (`partitionBy`), in which order (`orderBy`), which frame. */
  over(spec?: WindowSpec): Expr<V>;
}

/** A `CASE WHEN ... THEN ... [ELSE ...] END` being built; NULL where no branch holds. */
export interface Case<V = unknown> extends Expr<V> {
  /** Adds a branch: where `condition` holds (and no earlier one did), `then`. */
  when<W extends Value>(condition: Value, then: W): Case<V | ValueOf<W>>;
  /** Finishes with the value where no branch holds. */
  otherwise<W extends Value>(value: W): Expr<V | ValueOf<W>>;
}

/** A sort key: made by {@link asc} and {@link desc}. */
export interface Order {
  /** Ascending or descending. */
  readonly direction: 'asc' | 'desc';
  /** Where NULLs go; as DuckDB, last in both directions unless said. */
  readonly nulls: 'first' | 'last' | undefined;
}

/** A sort key: a column by name, an expression (ascending), or {@link asc}/{@link desc}. */
export type OrderInput = string | Expr | Order;

/**
 * A window frame: `rows` counts rows, `range` takes peers (rows with equal sort keys). Each end is a
 * number of rows from the current one: negative before it, positive after, `0` the current row,
 * `-Infinity`/`Infinity` unbounded. `range` frames take only `-Infinity`, `0` and `Infinity` (the
 * engine has no offsets for them). `{ rows: [-6, 0] }` is `ROWS BETWEEN 6 PRECEDING AND CURRENT ROW`.
 */
export type Frame = RowsFrame | RangeFrame;

/** A frame counted in rows (see {@link Frame}). */
export interface RowsFrame {
  /** The first and last row of the frame, relative to the current row. */
  readonly rows: readonly [number, number];
}

/** A frame of peers (see {@link Frame}). */
export interface RangeFrame {
  /** The frame's ends: `-Infinity`, `0` (the current row's peers) or `Infinity`. */
  readonly range: readonly [number, number];
}

/** Options of {@link asc} and {@link desc}. */
export interface SortOptions {
  /** Where NULLs go (last unless said, in both directions). */
  readonly nulls?: 'first' | 'last';
}

/** Options of {@link timeBucket}. */
export interface TimeBucketOptions {
  /** Where the windows are counted from (a timestamp or date). */
  readonly origin?: Value;
}

/** Options of {@link quantile}. */
export interface QuantileOptions {
  /** A value of the column (`quantile_disc`) instead of an interpolated one (`quantile_cont`). */
  readonly discrete?: boolean;
}

/** A window: the rows (`partitionBy`), their order, the frame. */
export interface WindowSpec {
  /** Columns or expressions that split the rows into independent windows. */
  readonly partitionBy?: ColumnRef | readonly ColumnRef[];
  /** The order of the rows in each window. */
  readonly orderBy?: OrderInput | readonly OrderInput[];
  /** Which rows around the current one an aggregate sees (SQL's default unless given). */
  readonly frame?: Frame;
}

/** A length of time, for {@link timeBucket} and {@link interval}: whole numbers, summed. */
export interface Duration {
  /** Years (12 months each). */
  readonly years?: number;
  /** Months. */
  readonly months?: number;
  /** Weeks (7 days each). */
  readonly weeks?: number;
  /** Days. */
  readonly days?: number;
  /** Hours. */
  readonly hours?: number;
  /** Minutes. */
  readonly minutes?: number;
  /** Seconds. */
  readonly seconds?: number;
  /** Milliseconds. */
  readonly milliseconds?: number;
  /** Microseconds. */
  readonly microseconds?: number;
}

/** The units {@link dateTrunc} truncates to. */
export type TruncUnit =
  | 'millennium'
  | 'century'
  | 'decade'
  | 'year'
  | 'isoyear'
  | 'quarter'
  | 'month'
  | 'week'
  | 'day'
  | 'hour'
  | 'minute'
  | 'second'
  | 'millisecond'
  | 'microsecond';

/** The parts {@link datePart} reads. */
export type DatePartName =
  | 'millennium'
  | 'century'
  | 'decade'
  | 'year'
  | 'isoyear'
  | 'quarter'
  | 'month'
  | 'week'
  | 'yearweek'
  | 'day'
  | 'dayofweek'
  | 'isodow'
  | 'dayofyear'
  | 'hour'
  | 'minute'
  | 'second'
  | 'millisecond'
  | 'microsecond'
  | 'epoch';

/** The kinds of join: `semi` keeps the left rows with a match, `anti` those without. */
export type JoinKind = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

/** A compiled query: the SQL text and its parameters (`$1` is `params[0]`). */
export interface CompiledQuery {
  /** The SQL text (DuckDB's dialect, as the plugin reads it). */
  readonly sql: string;
  /** The parameters, as `query` takes them. */
  readonly params: readonly ParamValue[];
}

/** Column names of `Row` (any text when the row type is not given). */
export type ColumnName<Row> = keyof Row & string;

/** A grouping key: a column by name, or named expressions (`{ hour: timeBucket(...) }`). */
export type GroupKey<Row> = ColumnName<Row> | Readonly<Record<string, Expr>>;

/**
 * The columns of named expressions or values: `{ n: Agg<number> }` gives `{ n: number }`. (The type
 * helpers here map keys with conditional types and `Record` rather than mapped type literals, whose
 * members could carry no comment in the declarations.)
 */
export type Named<M> = Intersect<keyof M extends infer K ? (K extends keyof M ? Record<K, ValueOf<M[K]>> : never) : never>;

/** {@link Named} of each member of a union, intersected. */
export type NamedEach<M> = Intersect<M extends unknown ? Named<M> : never>;

/** The type of a column a `select` names: renamed columns keep their type, expressions give theirs. */
export type SelectedValue<Row, S> = S extends Expr<infer V> ? V : S extends keyof Row ? Row[S] : unknown;

/** The columns of a `select`'s record. */
export type Selected<Row, M> = Intersect<keyof M extends infer K ? (K extends keyof M ? Record<K, SelectedValue<Row, M[K]>> : never) : never>;

/** A union turned into the intersection of its members. */
export type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The key columns of a `groupBy`. */
export type KeyColumns<Row, K> = Pick<Row, Extract<K, keyof Row>> & NamedEach<Exclude<K, string>>;

/** The columns of `T`, NULL too when `nullable` (the side of an outer join that may have no match). */
export type MaybeNull<T, Nullable extends boolean> = Nullable extends true
  ? Intersect<keyof T extends infer K ? (K extends keyof T ? Record<K, T[K] | null> : never) : never>
  : T;

/** The right side's columns as a join names them: those the left side also has get `_1`. */
export type RightColumns<L, R> = Intersect<
  keyof R extends infer K ? (K extends keyof R ? (K extends keyof L ? Record<`${K & string}_1`, R[K]> : Record<K, R[K]>) : never) : never
>;

/** The columns of a join: the `using` keys once, then the left's, then the right's (renamed). */
export type Joined<L, R, J extends JoinKind, K extends string> = J extends 'semi' | 'anti'
  ? L
  : Pick<L, Extract<K, keyof L>> &
      MaybeNull<Omit<L, K>, J extends 'right' | 'full' ? true : false> &
      MaybeNull<RightColumns<Omit<L, K>, Omit<R, K>>, J extends 'left' | 'full' ? true : false>;

/** Options of a join on columns of the same name. */
export interface JoinUsing<K extends string, J extends JoinKind> {
  /** The kind of join (`inner` unless said). */
  readonly kind?: J;
  /** The key columns, named the same on both sides. */
  readonly using: K | readonly K[];
}

/** Options of a join on pairs of keys. */
export interface JoinOn<Row, R, J extends JoinKind> {
  /** The kind of join (`inner` unless said). */
  readonly kind?: J;
  /** Pairs of keys, `{ leftColumn: rightColumn }`, all of which must be equal. */
  readonly on: Readonly<Partial<Record<ColumnName<Row>, ColumnName<R>>>>;
}

/**
 * A query over a session's tables, built verb by verb. `Row` is the type of its rows, as far as
 * TypeScript can follow it (`from<Trip>(...)` to start from a known row type).
 */
export interface Query<Row = Record<string, unknown>> {
  /** Keeps the rows where `predicate` holds (`WHERE`; no aggregates or windows: derive those first). */
  filter(predicate: Value): Query<Row>;
  /**
   * Adds computed columns (replacing any of the same name, which then move to the end). Window
   * functions are welcome; aggregates belong in `agg` (or `.over()` for a running one).
   */
  derive<D extends Readonly<Record<string, Value>>>(columns: D): Query<Omit<Row, keyof D> & Named<D>>;
  /** Keeps only the named columns, in this order. */
  select<K extends ColumnName<Row>>(...columns: readonly K[]): Query<Pick<Row, K>>;
  /** Keeps only these columns, each a column by name (renamed to its key) or an expression. */
  select<M extends Readonly<Record<string, ColumnName<Row> | Expr>>>(columns: M): Query<Selected<Row, M>>;
  /** Groups the rows by columns and named expressions; `agg` then says what to compute per group. */
  groupBy<const K extends readonly GroupKey<Row>[]>(...keys: K): Grouped<KeyColumns<Row, K[number]>>;
  /** Aggregates all the rows into one (see {@link Grouped.agg}). */
  agg<A extends Readonly<Record<string, Value>>>(aggregates: A): Query<Named<A>>;
  /** Sorts the rows (a later `orderBy` replaces an earlier one; NULLs last unless said). */
  orderBy(...keys: readonly (ColumnName<Row> | Expr | Order)[]): Query<Row>;
  /** Keeps at most `n` rows (after any `offset`). */
  limit(n: number): Query<Row>;
  /** Skips the first `n` rows. */
  offset(n: number): Query<Row>;
  /** Keeps each distinct row once. */
  distinct(): Query<Row>;
  /**
   * Joins another query of the same session on columns of the same name (`USING`): the keys come
   * first, once (for a full join, whichever side has them), then the left's columns, then the
   * right's; right columns whose names the left has get `_1`.
   */
  join<R, K extends ColumnName<Row> & ColumnName<R>, J extends JoinKind = 'inner'>(other: Query<R>, options: JoinUsing<K, J>): Query<Joined<Row, R, J, K>>;
  /**
   * Joins another query of the same session on pairs of keys, `{ leftName: rightName }`: every
   * column of both sides, right columns whose names the left has renamed with `_1`.
   */
  join<R, J extends JoinKind = 'inner'>(other: Query<R>, options: JoinOn<Row, R, J>): Query<Joined<Row, R, J, never>>;
  /** The SQL and parameters this query runs, or why it cannot (`invalid-argument`). */
  toSql(): Result<CompiledQuery>;
  /** Runs the query in its session; the answer is a new table (free it with `freeTable`). */
  run(): Promise<AnalyticsResult<TableHandle>>;
  /** Runs the query (with `limit` when given) and returns its rows as plain objects (see `tableRows`). */
  rows(limit?: number): Promise<AnalyticsResult<Row[]>>;
  /** The plan the query would run, as text. */
  explain(): Promise<AnalyticsResult<string>>;
}

/** Rows grouped by keys, waiting for `agg`. */
export interface Grouped<Keys> {
  /**
   * One row per group: the keys, then each named aggregate (`{ n: count(), avg: mean('fare') }`).
   * At least one is needed.
   */
  agg<A extends Readonly<Record<string, Value>>>(aggregates: A): Query<Keys & Named<A>>;
}

// ---------------------------------------------------------------------------------------------
// Expression nodes

const AGG = 1;
const WIN = 2;

// Binding strengths, from loose to tight; a child weaker than its place needs parentheses.
const OR = 10;
const AND = 20;
const NOT = 30;
const CMP = 50;
const ADD = 70;
const MUL = 80;
const ATOM = 100;

interface Ctx {
  readonly params: ParamValue[];
  aliases: number;
}

interface Node {
  readonly text: (ctx: Ctx) => string;
  readonly prec: number;
  readonly flags: number;
  readonly cols: readonly string[];
  readonly bare?: string;
  readonly problem?: string;
}

interface OrderNode {
  readonly node: Node;
  readonly desc: boolean;
  readonly nulls: 'first' | 'last' | undefined;
}

const exprNodes = new WeakMap<object, Node>();
const orderNodes = new WeakMap<object, OrderNode>();

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function param(ctx: Ctx, value: ParamValue): string {
  ctx.params.push(value);
  return `$${ctx.params.length}`;
}

function mk(text: (ctx: Ctx) => string, prec: number, children: readonly Node[], own: { flags?: number; problem?: string } = {}): Node {
  const cols = [...new Set(children.flatMap((c) => c.cols))];
  const flags = children.reduce((f, c) => f | c.flags, own.flags ?? 0);
  const problem = own.problem ?? children.find((c) => c.problem !== undefined)?.problem;
  return problem === undefined ? { text, prec, flags, cols } : { text, prec, flags, cols, problem };
}

function failed(problem: string): Node {
  return { text: () => 'NULL', prec: ATOM, flags: 0, cols: [], problem };
}

function columnNode(name: string): Node {
  if (typeof name !== 'string' || name.length === 0) return failed(`a column name must be non-empty text, not ${String(name)}`);
  return { text: () => quote(name), prec: ATOM, flags: 0, cols: [name], bare: name };
}

function paramNode(value: ParamValue): Node {
  return { text: (ctx) => param(ctx, value), prec: ATOM, flags: 0, cols: [] };
}

function constant(sql: string): Node {
  return { text: () => sql, prec: ATOM, flags: 0, cols: [] };
}

/** A value as a node: expressions as they are, JS values as parameters. */
function lift(value: unknown): Node {
  if (typeof value === 'object' && value !== null) {
    const known = exprNodes.get(value);
    if (known !== undefined) return known;
    if (value instanceof Date || value instanceof Uint8Array) return paramNode(value);
    if (typeof Reflect.get(value, 'tag') === 'string') return paramNode(value as ParamValue);
    return failed('a value must be an expression (col, lit, ...) or a JS value (null, boolean, number, bigint, text, Date, bytes, tagged parameter)');
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
    return paramNode(value);
  }
  return failed(`${String(value)} is not a value a query can take`);
}

/** A column reference: text names a column, an expression stays itself. */
function ref(value: unknown): Node {
  return typeof value === 'string' ? columnNode(value) : lift(value);
}

function sqlOf(n: Node, ctx: Ctx, min: number): string {
  const s = n.text(ctx);
  return n.prec >= min ? s : `(${s})`;
}

function binary(op: string, prec: number, left: Node, right: Node, leftMin: number, rightMin: number): Node {
  return mk((ctx) => `${sqlOf(left, ctx, leftMin)} ${op} ${sqlOf(right, ctx, rightMin)}`, prec, [left, right]);
}

const compare = (op: string, l: Node, r: Node): Node => binary(op, CMP, l, r, CMP + 1, CMP + 1);

function call(name: string, args: readonly Node[], flags = 0): Node {
  return mk((ctx) => `${name}(${args.map((a) => a.text(ctx)).join(', ')})`, ATOM, args, { flags });
}

function postfix(subject: Node, suffix: string): Node {
  return mk((ctx) => `${sqlOf(subject, ctx, CMP + 1)} ${suffix}`, CMP, [subject]);
}

function inList(subject: Node, values: readonly unknown[], negated: boolean): Node {
  if (!Array.isArray(values)) return failed('isIn takes an array of values');
  if (values.length === 0) return mk(() => (negated ? 'TRUE' : 'FALSE'), ATOM, [subject]);
  const items = values.map(lift);
  return mk(
    (ctx) => `${sqlOf(subject, ctx, CMP + 1)} ${negated ? 'NOT IN' : 'IN'} (${items.map((i) => i.text(ctx)).join(', ')})`,
    CMP,
    [subject, ...items],
  );
}

const CAST_TYPES: ReadonlySet<string> = new Set([
  'BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT',
  'FLOAT', 'DOUBLE', 'VARCHAR', 'DATE', 'TIMESTAMP', 'TIMESTAMPTZ', 'INTERVAL', 'BLOB',
]);

function castNode(subject: Node, type: unknown, fn: 'CAST' | 'TRY_CAST'): Node {
  const name = typeof type === 'string' ? type : '';
  const decimal = /^DECIMAL\((\d{1,2}), ?(\d{1,2})\)$/.exec(name);
  const precision = Number(decimal?.[1]);
  const scale = Number(decimal?.[2]);
  const valid = CAST_TYPES.has(name) || (decimal !== null && precision >= 1 && precision <= 38 && scale <= precision);
  if (!valid) return failed(`cast: ${String(type)} is not one of the SQL types a cast takes (${[...CAST_TYPES].join(', ')}, DECIMAL(p, s))`);
  const sqlType = decimal === null ? name : `DECIMAL(${precision}, ${scale})`;
  return mk((ctx) => `${fn}(${subject.text(ctx)} AS ${sqlType})`, ATOM, [subject]);
}

function methods<V>(self: Node): Expr<V> {
  const b = (op: string, other: unknown): Expr<boolean> => wrap(compare(op, self, lift(other)));
  const f = <W>(name: string, ...args: readonly unknown[]): Expr<W> => wrap(call(name, [self, ...args.map(lift)]));
  const arith = <W>(op: string, prec: number, other: unknown): Expr<W> => wrap(binary(op, prec, self, lift(other), prec, prec + 1));
  return {
    eq: (o) => b('=', o),
    ne: (o) => b('<>', o),
    lt: (o) => b('<', o),
    le: (o) => b('<=', o),
    gt: (o) => b('>', o),
    ge: (o) => b('>=', o),
    isDistinctFrom: (o) => b('IS DISTINCT FROM', o),
    isNotDistinctFrom: (o) => b('IS NOT DISTINCT FROM', o),
    and: (o) => wrap(binary('AND', AND, self, lift(o), AND, AND)),
    or: (o) => wrap(binary('OR', OR, self, lift(o), OR, OR)),
    not: () => wrap(mk((ctx) => `NOT ${sqlOf(self, ctx, ATOM)}`, NOT, [self])),
    isNull: () => wrap(postfix(self, 'IS NULL')),
    isNotNull: () => wrap(postfix(self, 'IS NOT NULL')),
    isIn: (values) => wrap(inList(self, values, false)),
    notIn: (values) => wrap(inList(self, values, true)),
    between: (low, high) => {
      const [l, h] = [lift(low), lift(high)];
      return wrap(mk((ctx) => `${sqlOf(self, ctx, CMP + 1)} BETWEEN ${sqlOf(l, ctx, CMP + 1)} AND ${sqlOf(h, ctx, CMP + 1)}`, CMP, [self, l, h]));
    },
    like: (p) => b('LIKE', p),
    ilike: (p) => b('ILIKE', p),
    startsWith: (p) => f('starts_with', p),
    endsWith: (p) => f('ends_with', p),
    contains: (p) => f('contains', p),
    regexpMatches: (p) => f('regexp_matches', p),
    add: (o) => arith('+', ADD, o),
    sub: (o) => arith('-', ADD, o),
    mul: (o) => arith('*', MUL, o),
    div: (o) => arith('/', MUL, o),
    intDiv: (o) => arith('//', MUL, o),
    mod: (o) => arith('%', MUL, o),
    neg: () => wrap(mk((ctx) => `(-${sqlOf(self, ctx, ATOM)})`, ATOM, [self])),
    abs: () => f('abs'),
    round: (digits) => (digits === undefined ? f('round') : wrap(call('round', [self, int32(digits)]))),
    floor: () => f('floor'),
    ceil: () => f('ceil'),
    sqrt: () => f('sqrt'),
    ln: () => f('ln'),
    exp: () => f('exp'),
    power: (e) => f('power', e),
    cast: (type) => wrap(castNode(self, type, 'CAST')),
    tryCast: (type) => wrap(castNode(self, type, 'TRY_CAST')),
    coalesce: (...others) => f('coalesce', ...others),
    nullIf: (o) => f('nullif', o),
    lower: () => f('lower'),
    upper: () => f('upper'),
    trim: () => f('trim'),
    ltrim: () => f('ltrim'),
    rtrim: () => f('rtrim'),
    length: () => f('length'),
    substr: (start, length) => (length === undefined ? f('substr', start) : f('substr', start, length)),
    left: (n) => f('left', n),
    right: (n) => f('right', n),
    strpos: (n) => f('strpos', n),
    replace: (s, r) => f('replace', s, r),
    regexpReplace: (p, r) => f('regexp_replace', p, r),
    concat: (...others) => f('concat', ...others),
  };
}

function wrap<V>(node: Node): Expr<V> {
  const e = methods<V>(node);
  exprNodes.set(e, node);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Expressions: columns, values, functions

/** A column of the current rows, by name (`V` is its value type, if you want to say it). */
export function col<V = unknown>(name: string): Expr<V> {
  return wrap(columnNode(name));
}

/** A value as an expression (a parameter): `lit(1)`, `lit('text')`, `lit(new Date(...))`. */
export function lit<V extends ParamValue>(value: V): Expr<V> {
  return wrap(lift(value));
}

/** All of the conditions (`a AND b AND ...`); at least one. */
export function and(...conditions: readonly Value[]): Expr<boolean> {
  return chain('AND', AND, conditions);
}

/** Any of the conditions (`a OR b OR ...`); at least one. */
export function or(...conditions: readonly Value[]): Expr<boolean> {
  return chain('OR', OR, conditions);
}

function chain(op: string, prec: number, conditions: readonly Value[]): Expr<boolean> {
  const nodes = conditions.map(lift);
  if (nodes.length === 0) return wrap(failed(`${op.toLowerCase()} needs at least one condition`));
  return wrap(mk((ctx) => nodes.map((n) => sqlOf(n, ctx, prec)).join(` ${op} `), nodes.length === 1 ? ATOM : prec, nodes));
}

/** `NOT condition`. */
export function not(condition: Value): Expr<boolean> {
  return wrap<boolean>(lift(condition)).not();
}

/** `coalesce(a, b, ...)`: the first value that is not NULL. */
export function coalesce<V = unknown>(...values: readonly (Value | Expr<V>)[]): Expr<V> {
  return wrap(call('coalesce', values.map(lift)));
}

/** `greatest(a, b, ...)`: the largest, NULLs skipped. */
export function greatest<V = unknown>(...values: readonly (Value | Expr<V>)[]): Expr<V> {
  return wrap(call('greatest', values.map(lift)));
}

/** `least(a, b, ...)`: the smallest, NULLs skipped. */
export function least<V = unknown>(...values: readonly (Value | Expr<V>)[]): Expr<V> {
  return wrap(call('least', values.map(lift)));
}

/** `concat(a, b, ...)`: text joined, NULLs skipped. */
export function concat(...values: readonly Value[]): Expr<string> {
  return wrap(call('concat', values.map(lift)));
}

/** Starts a `CASE`: `when(c1, v1).when(c2, v2).otherwise(v3)`. */
export function when<W extends Value>(condition: Value, then: W): Case<ValueOf<W>> {
  return caseOf([[lift(condition), lift(then)]]);
}

function caseNode(branches: readonly (readonly [Node, Node])[], otherwise?: Node): Node {
  const children = [...branches.flat(), ...(otherwise === undefined ? [] : [otherwise])];
  return mk(
    (ctx) => {
      const parts = branches.map(([c, v]) => `WHEN ${c.text(ctx)} THEN ${v.text(ctx)}`);
      const tail = otherwise === undefined ? '' : ` ELSE ${otherwise.text(ctx)}`;
      return `CASE ${parts.join(' ')}${tail} END`;
    },
    ATOM,
    children,
  );
}

function caseOf<V>(branches: readonly (readonly [Node, Node])[]): Case<V> {
  const node = caseNode(branches);
  const c: Case<V> = {
    ...methods<V>(node),
    when: (condition, then) => caseOf([...branches, [lift(condition), lift(then)]]),
    otherwise: (value) => wrap(caseNode(branches, lift(value))),
  };
  exprNodes.set(c, node);
  return c;
}

const NANOS: readonly (readonly [keyof Duration, bigint])[] = [
  ['hours', 3_600_000_000_000n],
  ['minutes', 60_000_000_000n],
  ['seconds', 1_000_000_000n],
  ['milliseconds', 1_000_000n],
  ['microseconds', 1_000n],
];

/** A {@link Duration} as an `INTERVAL` parameter, or why not. */
function intervalParam(every: unknown): Result<ParamValue> {
  if (typeof every !== 'object' || every === null) return err('invalid-argument', 'a duration is an object such as { hours: 1 }');
  const known = new Set(['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds', 'microseconds']);
  const part = (name: string): number | undefined => {
    const v: unknown = Reflect.get(every, name);
    return v === undefined ? 0 : typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
  };
  for (const key of Object.keys(every)) {
    if (!known.has(key)) return err('invalid-argument', `a duration has no unit ${key}`);
    if (part(key) === undefined) return err('invalid-argument', `the duration's ${key} must be a whole number`);
  }
  const months = (part('years') ?? 0) * 12 + (part('months') ?? 0);
  const days = (part('weeks') ?? 0) * 7 + (part('days') ?? 0);
  const nanoseconds = NANOS.reduce((sum, [name, unit]) => sum + BigInt(part(name) ?? 0) * unit, 0n);
  const i32 = (n: number): boolean => n >= -(2 ** 31) && n < 2 ** 31;
  if (!i32(months) || !i32(days)) return err('invalid-argument', 'the duration is too long');
  return ok({ tag: 'interval', val: { months, days, nanoseconds } });
}

/** A length of time as an `INTERVAL` value, for timestamp arithmetic: `col('pickup').add(interval({ minutes: 30 }))`. */
export function interval(duration: Duration): Expr<string> {
  const p = intervalParam(duration);
  return wrap(p.ok ? paramNode(p.value) : failed(`interval: ${p.error.message}`));
}

/**
 * `time_bucket(every, column[, origin])`: the start of the window of length `every` the timestamp
 * or date falls in (windows counted from `origin`, by default 2000-01-03 as DuckDB; months and
 * years from 2000-01-01).
 */
export function timeBucket(column: ColumnRef, every: Duration, options: TimeBucketOptions = {}): Expr<string> {
  const p = intervalParam(every);
  if (!p.ok) return wrap(failed(`timeBucket: ${p.error.message}`));
  const args = [paramNode(p.value), ref(column)];
  return wrap(call('time_bucket', options.origin === undefined ? args : [...args, lift(options.origin)]));
}

const TRUNC_UNITS: ReadonlySet<string> = new Set<TruncUnit>([
  'millennium', 'century', 'decade', 'year', 'isoyear', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond',
]);

const PARTS: ReadonlySet<string> = new Set<DatePartName>([
  'millennium', 'century', 'decade', 'year', 'isoyear', 'quarter', 'month', 'week', 'yearweek', 'day', 'dayofweek', 'isodow', 'dayofyear',
  'hour', 'minute', 'second', 'millisecond', 'microsecond', 'epoch',
]);

/** `date_trunc(unit, column)`: the timestamp or date truncated to the unit (a timestamp). */
export function dateTrunc(unit: TruncUnit, column: ColumnRef): Expr<string> {
  if (!TRUNC_UNITS.has(unit)) return wrap(failed(`dateTrunc: ${String(unit)} is not one of ${[...TRUNC_UNITS].join(', ')}`));
  return wrap(call('date_trunc', [paramNode(unit), ref(column)]));
}

/** `date_part(part, column)` (SQL's `EXTRACT`): a part of a timestamp, date or interval, as a number. */
export function datePart(part: DatePartName, column: ColumnRef): Expr<number> {
  if (!PARTS.has(part)) return wrap(failed(`datePart: ${String(part)} is not one of ${[...PARTS].join(', ')}`));
  return wrap(call('date_part', [paramNode(part), ref(column)]));
}

// ---------------------------------------------------------------------------------------------
// Sort keys

function orderOf(input: unknown, desc: boolean, nulls: 'first' | 'last' | undefined): OrderNode {
  if (typeof input === 'object' && input !== null) {
    const known = orderNodes.get(input);
    if (known !== undefined) return known;
  }
  return { node: ref(input), desc, nulls };
}

function sortKey(column: ColumnRef, direction: 'asc' | 'desc', options: SortOptions): Order {
  const nulls = options.nulls;
  const bad = nulls !== undefined && nulls !== 'first' && nulls !== 'last';
  const base = orderOf(column, direction === 'desc', bad ? undefined : nulls);
  const o: Order = { direction, nulls: bad ? undefined : nulls };
  orderNodes.set(o, bad ? { ...base, node: failed(`nulls must be 'first' or 'last', not ${String(nulls)}`) } : base);
  return o;
}

/** An ascending sort key (NULLs last unless `nulls: 'first'`). */
export function asc(column: ColumnRef, options: SortOptions = {}): Order {
  return sortKey(column, 'asc', options);
}

/** A descending sort key (NULLs last unless `nulls: 'first'`). */
export function desc(column: ColumnRef, options: SortOptions = {}): Order {
  return sortKey(column, 'desc', options);
}

function orderText(o: OrderNode, ctx: Ctx): string {
  const dir = o.desc ? ' DESC' : '';
  const nulls = o.nulls === undefined ? '' : o.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST';
  return `${o.node.text(ctx)}${dir}${nulls}`;
}

function orderProblem(keys: readonly OrderNode[]): string | undefined {
  return keys.find((k) => k.node.problem !== undefined)?.node.problem;
}

// ---------------------------------------------------------------------------------------------
// Aggregates and windows

interface AggSpec {
  readonly name: string;
  readonly star: boolean;
  readonly args: readonly Node[];
  readonly distinct: boolean;
  readonly order: readonly OrderNode[];
  readonly filter?: Node;
}

function windowText(ctx: Ctx, parts: { partition: readonly Node[]; order: readonly OrderNode[]; frame: string }): string {
  const out: string[] = [];
  if (parts.partition.length > 0) out.push(`PARTITION BY ${parts.partition.map((p) => p.text(ctx)).join(', ')}`);
  if (parts.order.length > 0) out.push(`ORDER BY ${parts.order.map((o) => orderText(o, ctx)).join(', ')}`);
  if (parts.frame !== '') out.push(parts.frame);
  return out.join(' ');
}

function asList<T>(v: T | readonly T[] | undefined): readonly T[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

function frameText(frame: Frame | undefined): Result<string> {
  if (frame === undefined) return ok('');
  const rows = Reflect.get(frame, 'rows');
  const range = Reflect.get(frame, 'range');
  const ends: unknown = rows ?? range;
  if (!Array.isArray(ends) || ends.length !== 2 || (rows !== undefined && range !== undefined)) {
    return err('invalid-argument', 'a frame is { rows: [start, end] } or { range: [start, end] }');
  }
  const [start, end] = ends as unknown[];
  const bound = (n: unknown): string | undefined => {
    if (n === -Infinity) return 'UNBOUNDED PRECEDING';
    if (n === Infinity) return 'UNBOUNDED FOLLOWING';
    if (n === 0) return 'CURRENT ROW';
    if (rows === undefined || typeof n !== 'number' || !Number.isSafeInteger(n)) return undefined;
    return n < 0 ? `${-n} PRECEDING` : `${n} FOLLOWING`;
  };
  const s = bound(start);
  const e = bound(end);
  if (s === undefined || e === undefined) {
    return err('invalid-argument', rows === undefined
      ? 'a range frame ends at -Infinity, 0 or Infinity (the engine has no range offsets; use rows)'
      : 'a rows frame ends at a whole number of rows, -Infinity or Infinity');
  }
  if (start === Infinity || end === -Infinity || (start as number) > (end as number)) {
    return err('invalid-argument', `a frame from ${String(start)} to ${String(end)} holds no rows`);
  }
  return ok(`${rows === undefined ? 'RANGE' : 'ROWS'} BETWEEN ${s} AND ${e}`);
}

/**
 * `inner OVER (spec)`. An aggregate computed over a window is no longer an aggregate of the query:
 * only its arguments' flags (`argFlags`) count, so aggregates in them, or in the spec, still make
 * it a window over a grouping (`rank() OVER (ORDER BY count(*))`).
 */
function overNode(inner: Node, spec: WindowSpec | undefined, argFlags: number): Node {
  const s: WindowSpec = spec ?? {};
  if (typeof s !== 'object' || s === null) return failed('over takes { partitionBy, orderBy, frame }');
  const partition = asList(s.partitionBy).map(ref);
  const order = asList(s.orderBy).map((o) => orderOf(o, false, undefined));
  const frame = frameText(s.frame);
  const problem = frame.ok ? orderProblem(order) : frame.error.message;
  const children = [inner, ...partition, ...order.map((o) => o.node)];
  const nested = children.slice(1).some((c) => (c.flags & WIN) !== 0) ? 'a window function inside a window spec' : undefined;
  const frameSql = frame.ok ? frame.value : '';
  const own = problem ?? nested;
  const node = mk(
    (ctx) => `${inner.text(ctx)} OVER (${windowText(ctx, { partition, order, frame: frameSql })})`,
    ATOM,
    children,
    own === undefined ? { flags: WIN } : { flags: WIN, problem: own },
  );
  const flags = children.slice(1).reduce((f, c) => f | c.flags, WIN | argFlags);
  return { ...node, flags };
}

const aggChildren = (spec: AggSpec): Node[] => [...spec.args, ...spec.order.map((o) => o.node), ...(spec.filter === undefined ? [] : [spec.filter])];

/** The call; an aggregate inside it is refused unless the call is `windowed` (over a grouping). */
function aggNode(spec: AggSpec, windowed = false): Node {
  const children = aggChildren(spec);
  const inside = children.reduce((f, c) => f | c.flags, 0);
  const nested = (inside & WIN) !== 0 || ((inside & AGG) !== 0 && !windowed) ? `${spec.name}: an aggregate or window function inside an aggregate` : undefined;
  const starDistinct = spec.star && spec.distinct ? 'count() counts rows: use countDistinct(column) for distinct values' : undefined;
  const problem = orderProblem(spec.order) ?? nested ?? starDistinct;
  return mk(
    (ctx) => {
      const args = spec.star ? '*' : spec.args.map((a) => a.text(ctx)).join(', ');
      const order = spec.order.length === 0 ? '' : ` ORDER BY ${spec.order.map((o) => orderText(o, ctx)).join(', ')}`;
      const filter = spec.filter === undefined ? '' : ` FILTER (WHERE ${spec.filter.text(ctx)})`;
      return `${spec.name}(${spec.distinct ? 'DISTINCT ' : ''}${args}${order})${filter}`;
    },
    ATOM,
    children,
    problem === undefined ? { flags: AGG } : { flags: AGG, problem },
  );
}

function aggregate<V>(spec: AggSpec): Agg<V> {
  const node = aggNode(spec);
  const a: Agg<V> = {
    ...methods<V>(node),
    filter: (condition) => {
      const c = lift(condition);
      return aggregate({ ...spec, filter: spec.filter === undefined ? c : binary('AND', AND, spec.filter, c, AND, AND) });
    },
    distinct: () => aggregate({ ...spec, distinct: true }),
    orderBy: (...keys) => aggregate({ ...spec, order: keys.map((k) => orderOf(k, false, undefined)) }),
    over: (s) => wrap(overNode(aggNode(spec, true), s, aggChildren(spec).reduce((f, c) => f | c.flags, 0))),
  };
  exprNodes.set(a, node);
  return a;
}

const agg = <V>(name: string, ...args: readonly Node[]): Agg<V> => aggregate({ name, star: false, args, distinct: false, order: [] });

/** `count(*)` (rows) or `count(column)` (values that are not NULL). */
export function count(column?: ColumnRef): Agg<number> {
  return column === undefined ? aggregate({ name: 'count', star: true, args: [], distinct: false, order: [] }) : agg('count', ref(column));
}

/** `count(DISTINCT column)`. */
export function countDistinct(column: ColumnRef): Agg<number> {
  return agg<number>('count', ref(column)).distinct();
}

/** `count_if(condition)`: rows where it holds. */
export function countIf(condition: Value): Agg<number> {
  return agg('count_if', lift(condition));
}

/** `approx_count_distinct(column)`: distinct values, estimated (HyperLogLog). */
export function approxCountDistinct(column: ColumnRef): Agg<number> {
  return agg('approx_count_distinct', ref(column));
}

/** `sum(column)` (integer sums are `BIGINT` and report overflow). */
export function sum(column: ColumnRef): Agg<number> {
  return agg('sum', ref(column));
}

/** `product(column)`. */
export function product(column: ColumnRef): Agg<number> {
  return agg('product', ref(column));
}

/** `avg(column)`: the arithmetic mean. */
export function mean(column: ColumnRef): Agg<number> {
  return agg('avg', ref(column));
}

/** `avg(column)`, the same as {@link mean}. */
export function avg(column: ColumnRef): Agg<number> {
  return agg('avg', ref(column));
}

/** `min(column)`. */
export function min<V = unknown>(column: ColumnRef<V>): Agg<V> {
  return agg('min', ref(column));
}

/** `max(column)`. */
export function max<V = unknown>(column: ColumnRef<V>): Agg<V> {
  return agg('max', ref(column));
}

/** `median(column)` (interpolated for numbers). */
export function median<V = unknown>(column: ColumnRef<V>): Agg<V> {
  return agg('median', ref(column));
}

/**
 * The `p` quantile (0 ≤ p ≤ 1): `quantile_cont` (interpolated, the default) or, with
 * `{ discrete: true }`, `quantile_disc` (a value of the column).
 */
export function quantile<V = unknown>(column: ColumnRef<V>, p: number, options: QuantileOptions = {}): Agg<V> {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) return aggregate({ name: 'quantile_cont', star: false, args: [failed(`quantile: p must be between 0 and 1, not ${String(p)}`)], distinct: false, order: [] });
  return agg(options.discrete === true ? 'quantile_disc' : 'quantile_cont', ref(column), paramNode(p));
}

/** `mode(column)`: the most frequent value. */
export function mode<V = unknown>(column: ColumnRef<V>): Agg<V> {
  return agg('mode', ref(column));
}

/** `stddev_samp(column)`: the sample standard deviation. */
export function stddev(column: ColumnRef): Agg<number> {
  return agg('stddev_samp', ref(column));
}

/** `stddev_pop(column)`: the population standard deviation. */
export function stddevPop(column: ColumnRef): Agg<number> {
  return agg('stddev_pop', ref(column));
}

/** `var_samp(column)`: the sample variance. */
export function variance(column: ColumnRef): Agg<number> {
  return agg('var_samp', ref(column));
}

/** `var_pop(column)`: the population variance. */
export function varPop(column: ColumnRef): Agg<number> {
  return agg('var_pop', ref(column));
}

/** `first(column)`: the first value (in the order `.orderBy(...)` gives, else any). */
export function first<V = unknown>(column: ColumnRef<V>): Agg<V> {
  return agg('first', ref(column));
}

/** `last(column)`: the last value (in the order `.orderBy(...)` gives, else any). */
export function last<V = unknown>(column: ColumnRef<V>): Agg<V> {
  return agg('last', ref(column));
}

/** `any_value(column)`: some value that is not NULL. */
export function anyValue<V = unknown>(column: ColumnRef<V>): Agg<V> {
  return agg('any_value', ref(column));
}

/** `arg_min(column, by)`: `column` of the row with the smallest `by`. */
export function argMin<V = unknown>(column: ColumnRef<V>, by: ColumnRef): Agg<V> {
  return agg('arg_min', ref(column), ref(by));
}

/** `arg_max(column, by)`: `column` of the row with the largest `by`. */
export function argMax<V = unknown>(column: ColumnRef<V>, by: ColumnRef): Agg<V> {
  return agg('arg_max', ref(column), ref(by));
}

/** `bool_and(condition)`: whether it holds on every row. */
export function boolAnd(condition: ColumnRef): Agg<boolean> {
  return agg('bool_and', ref(condition));
}

/** `bool_or(condition)`: whether it holds on some row. */
export function boolOr(condition: ColumnRef): Agg<boolean> {
  return agg('bool_or', ref(condition));
}

/** `string_agg(column, separator)`: the texts joined (`,` unless said; `.orderBy(...)` for their order). */
export function stringAgg(column: ColumnRef, separator = ','): Agg<string> {
  return agg('string_agg', ref(column), lift(separator));
}

function windowFn<V>(name: string, args: readonly Node[]): WindowFunction<V> {
  const inner = call(name, args);
  return { over: (spec) => wrap(overNode(inner, spec, inner.flags)) };
}

/** `row_number()`: 1, 2, 3, ... in the window's order. */
export function rowNumber(): WindowFunction<number> {
  return windowFn('row_number', []);
}

/** `rank()`: the rank with gaps after ties. */
export function rank(): WindowFunction<number> {
  return windowFn('rank', []);
}

/** `dense_rank()`: the rank without gaps. */
export function denseRank(): WindowFunction<number> {
  return windowFn('dense_rank', []);
}

/** `percent_rank()`: (rank - 1) / (rows - 1). */
export function percentRank(): WindowFunction<number> {
  return windowFn('percent_rank', []);
}

/** `cume_dist()`: the share of rows up to and including the current one's peers. */
export function cumeDist(): WindowFunction<number> {
  return windowFn('cume_dist', []);
}

/** `ntile(n)`: the bucket, 1 to `n`, of rows split as evenly as they go. */
export function ntile(n: number): WindowFunction<number> {
  return windowFn('ntile', [wholeParam('ntile', n, 1)]);
}

/** A whole number as an `INTEGER` parameter (where a function takes no `BIGINT`), an expression as it is. */
function int32(n: unknown): Node {
  if (typeof n !== 'number') return lift(n);
  return Number.isSafeInteger(n) && Math.abs(n) < 2 ** 31 ? paramNode({ tag: 'int32', val: n }) : failed(`${n} is not a whole number of 32 bits`);
}

function wholeParam(what: string, n: unknown, least: number): Node {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= least ? paramNode(n) : failed(`${what}: ${String(n)} is not a whole number ≥ ${least}`);
}

function shift<V>(name: string, column: ColumnRef<V>, offset: number, fallback: Value | undefined): WindowFunction<V> {
  if (offset === 1 && fallback === undefined) return windowFn(name, [ref(column)]);
  const args = [ref(column), wholeParam(name, offset, 0)];
  return windowFn(name, fallback === undefined ? args : [...args, lift(fallback)]);
}

/** `lag(column, offset, default)`: the value `offset` rows before (1 unless said), `default` (NULL) past the start. */
export function lag<V = unknown>(column: ColumnRef<V>, offset = 1, fallback?: Value): WindowFunction<V> {
  return shift('lag', column, offset, fallback);
}

/** `lead(column, offset, default)`: the value `offset` rows after (1 unless said), `default` (NULL) past the end. */
export function lead<V = unknown>(column: ColumnRef<V>, offset = 1, fallback?: Value): WindowFunction<V> {
  return shift('lead', column, offset, fallback);
}

/** `first_value(column)`: the value at the frame's first row. */
export function firstValue<V = unknown>(column: ColumnRef<V>): WindowFunction<V> {
  return windowFn('first_value', [ref(column)]);
}

/** `last_value(column)`: the value at the frame's last row (by default the current row's last peer). */
export function lastValue<V = unknown>(column: ColumnRef<V>): WindowFunction<V> {
  return windowFn('last_value', [ref(column)]);
}

/** `nth_value(column, n)`: the value at the frame's `n`th row (from 1). */
export function nthValue<V = unknown>(column: ColumnRef<V>, n: number): WindowFunction<V> {
  return windowFn('nth_value', [ref(column), wholeParam('nthValue', n, 1)]);
}

// ---------------------------------------------------------------------------------------------
// Query levels: one SELECT each

interface Item {
  readonly name: string;
  readonly node: Node;
}

interface JoinSpec {
  readonly left: Level;
  readonly right: Level;
  readonly kind: JoinKind;
  readonly using: readonly string[];
  readonly on: readonly (readonly [string, string])[];
}

type Source =
  | { readonly kind: 'table'; readonly name: string }
  | { readonly kind: 'sub'; readonly level: Level }
  | { readonly kind: 'join'; readonly join: JoinSpec };

interface Level {
  readonly source: Source;
  /** `star`: `*` and derived columns; `list`: a projection; `agg`: keys and aggregates. */
  readonly mode: 'star' | 'list' | 'agg';
  readonly items: readonly Item[];
  readonly keys: readonly Item[];
  readonly where: readonly Node[];
  readonly distinct: boolean;
  readonly order: readonly OrderNode[];
  /** The order of the source's rows, re-applied when this level would lose it (windows, DISTINCT). */
  readonly carried: readonly OrderNode[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
}

interface State {
  readonly session: Session;
  readonly level: Level;
  readonly problem: string | undefined;
}

const base = (source: Source, carried: readonly OrderNode[] = []): Level => ({
  source,
  mode: 'star',
  items: [],
  keys: [],
  where: [],
  distinct: false,
  order: [],
  carried,
  limit: undefined,
  offset: undefined,
});

const lower = (s: string): string => s.toLowerCase();
const touches = (cols: readonly string[], names: readonly string[]): boolean => {
  const set = new Set(names.map(lower));
  return cols.some((c) => set.has(lower(c)));
};
const hasWindow = (items: readonly Item[]): boolean => items.some((i) => (i.node.flags & WIN) !== 0);
const names = (items: readonly Item[]): string[] => items.map((i) => i.name);

/** The names a level outputs, when known (not for `*` over a table or a join). */
function outputs(l: Level): readonly string[] | undefined {
  if (l.mode === 'list') return names(l.items);
  if (l.mode === 'agg') return [...names(l.keys), ...names(l.items)];
  const src = l.source.kind === 'sub' ? outputs(l.source.level) : undefined;
  if (src === undefined) return undefined;
  const replaced = new Set(names(l.items).map(lower));
  return [...src.filter((n) => !replaced.has(lower(n))), ...names(l.items)];
}

/** Whether the level still takes WHERE, derived columns, a projection or a grouping. */
const open = (l: Level): boolean =>
  l.mode === 'star' && l.source.kind !== 'join' && !l.distinct && l.limit === undefined && l.offset === undefined;

/** Whether the level's rows may come out in another order than its source's. */
const reorders = (l: Level): boolean => l.distinct || hasWindow(l.items) || hasWindow(l.keys);

/** Whether a projection outputs its input column `c` under the same name. */
const passesThrough = (l: Level, c: string): boolean =>
  l.items.some((i) => lower(i.name) === lower(c) && i.node.bare !== undefined && lower(i.node.bare) === lower(c));

/** The longest prefix of `keys` that means the same in this level's ORDER BY as in the source's rows. */
function usableHere(l: Level, keys: readonly OrderNode[]): readonly OrderNode[] {
  const fits = (k: OrderNode): boolean => {
    if (l.distinct && k.node.bare === undefined) return false;
    if (l.mode === 'star') return !touches(k.node.cols, names(l.items));
    // Names in ORDER BY of a projection are its output names: each must pass its column through.
    return k.node.cols.every((c) => passesThrough(l, c));
  };
  const bad = keys.findIndex((k) => !fits(k));
  return bad < 0 ? keys : keys.slice(0, bad);
}

/** The order a wrapping level can name (by this level's output names) for this level's rows. */
function portableOrder(l: Level): readonly OrderNode[] {
  if (l.mode === 'agg' || l.source.kind === 'join') return l.order;
  const keys = l.order.length > 0 ? l.order : usableHere(l, l.carried);
  const out = outputs(l);
  const visible = (k: OrderNode): boolean =>
    (out === undefined || k.node.cols.every((c) => out.some((o) => lower(o) === lower(c)))) &&
    (l.mode !== 'star' || k.node.bare !== undefined || !touches(k.node.cols, names(l.items)));
  const bad = keys.findIndex((k) => !visible(k));
  return bad < 0 ? keys : keys.slice(0, bad);
}

/** A new level reading `l` as a subquery. */
const wrapLevel = (l: Level): Level => base({ kind: 'sub', level: l }, portableOrder(l));

function isBare(l: Level): boolean {
  return (
    l.source.kind === 'table' &&
    l.mode === 'star' &&
    l.items.length === 0 &&
    l.where.length === 0 &&
    !l.distinct &&
    l.order.length === 0 &&
    l.limit === undefined &&
    l.offset === undefined
  );
}

function alias(ctx: Ctx): string {
  ctx.aliases += 1;
  return quote(`_q${ctx.aliases}`);
}

function sideText(l: Level, ctx: Ctx, a: string): string {
  return l.source.kind === 'table' && isBare(l) ? `${quote(l.source.name)} AS ${a}` : `(${render(l, ctx)}) AS ${a}`;
}

const JOIN_WORDS: Readonly<Record<JoinKind, string>> = {
  inner: 'JOIN',
  left: 'LEFT JOIN',
  right: 'RIGHT JOIN',
  full: 'FULL JOIN',
  semi: 'SEMI JOIN',
  anti: 'ANTI JOIN',
};

function joinText(j: JoinSpec, ctx: Ctx): { list: string; from: string } {
  const l = alias(ctx);
  const r = alias(ctx);
  let list = '*';
  if (j.using.length > 0 && j.kind !== 'semi' && j.kind !== 'anti') {
    const keys = j.using.map((k) => {
      const q = quote(k);
      if (j.kind === 'full') return `coalesce(${l}.${q}, ${r}.${q}) AS ${q}`;
      return `${j.kind === 'right' ? r : l}.${q}`;
    });
    const excluded = `EXCLUDE (${j.using.map(quote).join(', ')})`;
    list = [...keys, `${l}.* ${excluded}`, `${r}.* ${excluded}`].join(', ');
  }
  const left = sideText(j.left, ctx, l);
  const right = sideText(j.right, ctx, r);
  const cond = j.using.length > 0
    ? `USING (${j.using.map(quote).join(', ')})`
    : `ON ${j.on.map(([a, b]) => `${l}.${quote(a)} = ${r}.${quote(b)}`).join(' AND ')}`;
  return { list, from: `${left} ${JOIN_WORDS[j.kind]} ${right} ${cond}` };
}

function itemText(i: Item, ctx: Ctx): string {
  const sql = i.node.text(ctx);
  return i.node.bare === i.name ? sql : `${sql} AS ${quote(i.name)}`;
}

/** The level as SQL; values become parameters in the order they appear in the text. */
function render(l: Level, ctx: Ctx): string {
  let list: string;
  let from: string;
  if (l.source.kind === 'join') {
    const j = joinText(l.source.join, ctx);
    list = j.list;
    from = j.from;
  } else {
    if (l.mode === 'star') {
      const excluded = l.items.length === 0 ? '' : ` EXCLUDE (${l.items.map((i) => quote(i.name)).join(', ')})`;
      list = [`*${excluded}`, ...l.items.map((i) => itemText(i, ctx))].join(', ');
    } else {
      list = [...l.keys, ...l.items].map((i) => itemText(i, ctx)).join(', ');
    }
    // Subqueries are numbered from the outside in.
    const a = l.source.kind === 'table' ? '' : alias(ctx);
    from = l.source.kind === 'table' ? quote(l.source.name) : `(${render(l.source.level, ctx)}) AS ${a}`;
  }
  const parts = [`SELECT ${l.distinct ? 'DISTINCT ' : ''}${list}`, `FROM ${from}`];
  if (l.where.length > 0) parts.push(`WHERE ${l.where.map((w) => sqlOf(w, ctx, l.where.length === 1 ? 0 : AND)).join(' AND ')}`);
  if (l.mode === 'agg' && l.keys.length > 0) parts.push(`GROUP BY ${l.keys.map((_, i) => i + 1).join(', ')}`);
  const order = l.order.length > 0 ? l.order : l.mode !== 'agg' && reorders(l) ? usableHere(l, l.carried) : [];
  if (order.length > 0) parts.push(`ORDER BY ${order.map((o) => orderText(o, ctx)).join(', ')}`);
  if (l.limit !== undefined) parts.push(`LIMIT ${param(ctx, l.limit)}`);
  if (l.offset !== undefined) parts.push(`OFFSET ${param(ctx, l.offset)}`);
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Verbs

const queryStates = new WeakMap<object, State>();

function withProblem(s: State, problem: string | undefined): State {
  return s.problem !== undefined || problem === undefined ? s : { ...s, problem };
}

function itemsOf(record: unknown, what: string, column: (v: unknown) => Node): Result<Item[]> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return err('invalid-argument', `${what} takes an object of named columns`);
  const items = Object.entries(record).map(([name, v]) => ({ name, node: column(v) }));
  const problem = items.find((i) => i.node.problem !== undefined)?.node.problem;
  return problem === undefined ? ok(items) : err('invalid-argument', `${what}: ${problem}`);
}

function duplicate(items: readonly Item[]): string | undefined {
  const seen = new Set<string>();
  for (const i of items) {
    if (seen.has(lower(i.name))) return i.name;
    seen.add(lower(i.name));
  }
  return undefined;
}

function filterVerb(s: State, predicate: unknown): State {
  const n = lift(predicate);
  if (n.problem !== undefined) return withProblem(s, `filter: ${n.problem}`);
  if ((n.flags & (AGG | WIN)) !== 0) return withProblem(s, 'filter takes no aggregate or window function: derive it as a column first, then filter on the column');
  const l = s.level;
  // A projection takes WHERE too when the filter reads only columns it passes through unchanged.
  const here =
    l.source.kind !== 'join' &&
    !l.distinct &&
    l.limit === undefined &&
    l.offset === undefined &&
    !hasWindow(l.items) &&
    (l.mode === 'star' ? !touches(n.cols, names(l.items)) : l.mode === 'list' && n.cols.every((c) => passesThrough(l, c)));
  const target = here ? l : wrapLevel(l);
  return { ...s, level: { ...target, where: [...target.where, n] } };
}

function deriveVerb(s: State, columns: unknown): State {
  const made = itemsOf(columns, 'derive', lift);
  if (!made.ok) return withProblem(s, made.error.message);
  const items = made.value;
  if (items.length === 0) return s;
  if (items.some((i) => (i.node.flags & AGG) !== 0)) {
    return withProblem(s, 'derive takes no aggregate: use agg, or .over() for a running aggregate');
  }
  const l = s.level;
  const cols = items.flatMap((i) => i.node.cols);
  const defined = names(l.items);
  const here =
    open(l) && !touches(cols, defined) && !touches(names(items), defined) && !touches(l.order.flatMap((o) => o.node.cols), names(items));
  const target = here ? l : wrapLevel(l);
  // A derived column replacing one the source order is by makes that order unnameable here.
  const carried = touches(target.carried.flatMap((o) => o.node.cols), names(items)) ? [] : target.carried;
  return { ...s, level: { ...target, carried, items: [...target.items, ...items] } };
}

function selectVerb(s: State, args: readonly unknown[]): State {
  const items: Item[] = [];
  for (const a of args) {
    if (typeof a === 'string') {
      items.push({ name: a, node: columnNode(a) });
      continue;
    }
    const made = itemsOf(a, 'select', ref);
    if (!made.ok) return withProblem(s, made.error.message);
    items.push(...made.value);
  }
  const problem = items.find((i) => i.node.problem !== undefined)?.node.problem;
  if (problem !== undefined) return withProblem(s, `select: ${problem}`);
  if (items.length === 0) return withProblem(s, 'select needs at least one column');
  if (items.some((i) => (i.node.flags & AGG) !== 0)) return withProblem(s, 'select takes no aggregate: use agg');
  const dup = duplicate(items);
  if (dup !== undefined) return withProblem(s, `select names ${dup} twice`);
  const l = s.level;
  const target = open(l) && l.items.length === 0 && l.order.length === 0 ? l : wrapLevel(l);
  return { ...s, level: { ...target, mode: 'list', items } };
}

function groupItems(keys: readonly unknown[]): Result<Item[]> {
  const items: Item[] = [];
  for (const k of keys) {
    if (typeof k === 'string') {
      items.push({ name: k, node: columnNode(k) });
      continue;
    }
    const made = itemsOf(k, 'groupBy', lift);
    if (!made.ok) return made;
    items.push(...made.value);
  }
  const problem = items.find((i) => i.node.problem !== undefined)?.node.problem;
  if (problem !== undefined) return err('invalid-argument', `groupBy: ${problem}`);
  if (items.some((i) => (i.node.flags & (AGG | WIN)) !== 0)) return err('invalid-argument', 'groupBy takes no aggregate or window function');
  return ok(items);
}

function aggVerb(s: State, keys: readonly unknown[], aggregates: unknown): State {
  const k = groupItems(keys);
  if (!k.ok) return withProblem(s, k.error.message);
  const made = itemsOf(aggregates, 'agg', lift);
  if (!made.ok) return withProblem(s, made.error.message);
  if (made.value.length === 0) return withProblem(s, 'agg needs at least one aggregate, such as { n: count() }');
  const dup = duplicate([...k.value, ...made.value]);
  if (dup !== undefined) return withProblem(s, `agg: the column ${dup} is named twice`);
  const l = s.level;
  const target = open(l) && l.items.length === 0 ? l : wrapLevel(l);
  return { ...s, level: { ...target, mode: 'agg', keys: k.value, items: made.value, order: [], carried: [] } };
}

function orderVerb(s: State, keys: readonly unknown[]): State {
  if (keys.length === 0) return withProblem(s, 'orderBy needs at least one key');
  const nodes = keys.map((k) => orderOf(k, false, undefined));
  const problem = orderProblem(nodes);
  if (problem !== undefined) return withProblem(s, `orderBy: ${problem}`);
  if (nodes.some((k) => (k.node.flags & (AGG | WIN)) !== 0)) {
    return withProblem(s, 'orderBy takes no aggregate or window function: derive or agg it as a column first, then order by the column');
  }
  const l = s.level;
  const out = outputs(l) ?? [];
  const fits = (k: OrderNode): boolean => {
    if (l.distinct && k.node.bare === undefined) return false;
    if (l.mode === 'star') return k.node.bare !== undefined || !touches(k.node.cols, names(l.items));
    return k.node.bare !== undefined && touches([k.node.bare], out);
  };
  const here = l.source.kind !== 'join' && l.limit === undefined && l.offset === undefined && nodes.every(fits);
  const target = here ? l : wrapLevel(l);
  return { ...s, level: { ...target, order: nodes } };
}

function count64(what: string, n: unknown): string | undefined {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? undefined : `${what} takes a whole number ≥ 0, not ${String(n)}`;
}

function limitVerb(s: State, n: number): State {
  const problem = count64('limit', n);
  if (problem !== undefined) return withProblem(s, problem);
  const l = s.level;
  return { ...s, level: { ...l, limit: l.limit === undefined ? n : Math.min(l.limit, n) } };
}

function offsetVerb(s: State, n: number): State {
  const problem = count64('offset', n);
  if (problem !== undefined) return withProblem(s, problem);
  const l = s.level;
  const limit = l.limit === undefined ? undefined : Math.max(l.limit - n, 0);
  return { ...s, level: { ...l, offset: (l.offset ?? 0) + n, limit } };
}

function distinctVerb(s: State): State {
  const l = s.level;
  if (l.distinct) return s;
  const bare = (o: OrderNode): boolean => o.node.bare !== undefined;
  if (l.limit === undefined && l.offset === undefined && l.source.kind !== 'join') {
    if (l.order.every(bare)) return { ...s, level: { ...l, distinct: true } };
    // With DISTINCT, ORDER BY may only name columns of the select list: sort outside instead.
    return { ...s, level: { ...wrapLevel({ ...l, order: [], distinct: true }), order: l.order } };
  }
  // The distinct rows of a limited query, in its order (sorted again outside when DISTINCT cannot).
  const d: Level = { ...wrapLevel(l), distinct: true };
  if (usableHere(d, d.carried).length === d.carried.length) return { ...s, level: d };
  return { ...s, level: { ...wrapLevel({ ...d, carried: [] }), order: d.carried } };
}

function joinVerb(s: State, other: unknown, options: unknown): State {
  const o = typeof other === 'object' && other !== null ? queryStates.get(other) : undefined;
  if (o === undefined) return withProblem(s, 'join takes another query made with from()');
  if (o.problem !== undefined) return withProblem(s, `join: the other query: ${o.problem}`);
  if (o.session !== s.session) return withProblem(s, 'join: both queries must be of the same session');
  if (typeof options !== 'object' || options === null) return withProblem(s, 'join takes options { kind, using } or { kind, on }');
  const kind: unknown = Reflect.get(options, 'kind') ?? 'inner';
  if (typeof kind !== 'string' || !Object.hasOwn(JOIN_WORDS, kind)) {
    return withProblem(s, `join: unknown kind ${String(kind)} (inner, left, right, full, semi, anti)`);
  }
  const usingOpt: unknown = Reflect.get(options, 'using');
  const onOpt: unknown = Reflect.get(options, 'on');
  if ((usingOpt === undefined) === (onOpt === undefined)) return withProblem(s, 'join takes either using (same-named keys) or on ({ left: right } pairs)');
  const using = usingOpt === undefined ? [] : asList<unknown>(usingOpt as unknown);
  const pairs = onOpt === undefined ? [] : typeof onOpt === 'object' && onOpt !== null ? Object.entries(onOpt) : [];
  const text = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
  if (usingOpt !== undefined && (using.length === 0 || !using.every(text))) return withProblem(s, 'join: using takes column names');
  if (onOpt !== undefined && (pairs.length === 0 || !pairs.every(([a, b]) => text(a) && text(b)))) {
    return withProblem(s, 'join: on takes { leftColumn: rightColumn } pairs of names');
  }
  const join: JoinSpec = {
    left: s.level,
    right: o.level,
    kind: kind as JoinKind,
    using: using as string[],
    on: pairs as [string, string][],
  };
  return { ...s, level: wrapLevel(base({ kind: 'join', join })) };
}

function compile(s: State): Result<CompiledQuery> {
  if (s.problem !== undefined) return err('invalid-argument', s.problem);
  const ctx: Ctx = { params: [], aliases: 0 };
  const sql = render(s.level, ctx);
  for (const [i, v] of ctx.params.entries()) {
    const p = toParam(v);
    if (!p.ok) return err('invalid-argument', `parameter $${i + 1}: ${p.error.message}`);
  }
  return ok({ sql, params: ctx.params });
}

function grouped<Keys>(s: State, keys: readonly unknown[]): Grouped<Keys> {
  return {
    agg: <A extends Readonly<Record<string, Value>>>(aggregates: A) => make<Keys & Named<A>>(aggVerb(s, keys, aggregates)),
  };
}

function make<Row>(s: State): Query<Row> {
  const next = <R>(state: State): Query<R> => make<R>(state);
  const run = (): Promise<AnalyticsResult<TableHandle>> => {
    const c = compile(s);
    return c.ok ? query(s.session, c.value.sql, c.value.params) : Promise.resolve(c);
  };
  const q = {
    filter: (predicate: Value) => next<Row>(filterVerb(s, predicate)),
    derive: (columns: Readonly<Record<string, Value>>) => next(deriveVerb(s, columns)),
    select: (...columns: readonly unknown[]) => next(selectVerb(s, columns)),
    groupBy: (...keys: readonly unknown[]) => grouped(s, keys),
    agg: (aggregates: Readonly<Record<string, Value>>) => next(aggVerb(s, [], aggregates)),
    orderBy: (...keys: readonly unknown[]) => next<Row>(orderVerb(s, keys)),
    limit: (n: number) => next<Row>(limitVerb(s, n)),
    offset: (n: number) => next<Row>(offsetVerb(s, n)),
    distinct: () => next<Row>(distinctVerb(s)),
    join: (other: unknown, options: unknown) => next(joinVerb(s, other, options)),
    toSql: () => compile(s),
    run,
    rows: async (limit?: number): Promise<AnalyticsResult<Row[]>> => {
      const limited = limit === undefined ? s : limitVerb(s, limit);
      const c = compile(limited);
      if (!c.ok) return c;
      const table = await query(s.session, c.value.sql, c.value.params);
      if (!table.ok) return table;
      const n = await numRows(table.value);
      const rows = n.ok ? await tableRows(table.value, n.value) : n;
      await freeTable(table.value);
      return rows.ok ? ok(rows.value as unknown as Row[]) : rows;
    },
    explain: (): Promise<AnalyticsResult<string>> => {
      const c = compile(s);
      return c.ok ? explain(s.session, c.value.sql, c.value.params) : Promise.resolve(c);
    },
  };
  queryStates.set(q, s);
  return q as unknown as Query<Row>;
}

/**
 * Starts a query over the table registered in `session` as `table` (its name is quoted, so any
 * text works). Give `Row` to have column names and result rows typed: `from<Trip>(session, 'trips')`.
 */
export function from<Row = Record<string, unknown>>(session: Session, table: string): Query<Row> {
  const problem =
    typeof session !== 'object' || session === null
      ? 'from takes a session made by createSession'
      : typeof table === 'string' && table.length > 0
        ? undefined
        : 'from takes the name of a registered table';
  return make<Row>({ session, level: base({ kind: 'table', name: String(table) }), problem });
}
