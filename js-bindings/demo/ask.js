// The demo page's "Ask" card: SQL about the file on show, registered as the table `t`, answered
// by the analytics plugin in a worker (ask-worker.js) so that the page stays responsive while a
// large file is read and aggregated. Beside the query box it lists the columns and their types;
// above it, a few one-click questions made from the schema (rows by a text column, the mean of a
// number by one, rows per time bucket). An answer shows as a table and, when its shape allows, a
// chart (chart.js); an error shows its message with its place marked in the SQL text.
import { byId, cellText, formatMs } from './dom.js';
import { chartOf, isNumeric, isText, isTime } from './chart.js';

/** @typedef {import('./ask-worker.js').AskColumn} AskColumn */
/** @typedef {import('./ask-worker.js').AskReply} AskReply */
/** @typedef {import('./ask-worker.js').Opened} Opened */
/** @typedef {import('./ask-worker.js').Answer} Answer */
/** @typedef {import('./ask-worker.js').Span} Span */
/** @typedef {import('../dist/analytics.js').AnalyticsError} AnalyticsError */
/** @typedef {import('../dist/analytics.js').SqlPosition} SqlPosition */
/** @template T @typedef {import('../dist/analytics.js').AnalyticsResult<T>} AnalyticsResult */

/**
 * A one-click question.
 * @typedef {object} Question
 * @property {string} id - what it asks, for tests: `count:payment`, `mean:fare:payment`, `time:pickup`
 * @property {string} label
 * @property {string} sql
 */

/**
 * Where the card stands, in `#ask-card[data-state]` for tests: `idle` (no file), `opening` (the
 * worker reads and registers it), `ready`, `running`, `answered`, `failed` (the query was
 * refused) or `broken` (the file cannot be queried, or the worker cannot start).
 * @typedef {'idle' | 'opening' | 'ready' | 'running' | 'answered' | 'failed' | 'broken'} AskState
 */

const ui = {
  card: byId('ask-card', HTMLElement),
  status: byId('ask-status', HTMLElement),
  questions: byId('ask-questions', HTMLElement),
  form: byId('ask-form', HTMLFormElement),
  sql: byId('ask-sql', HTMLTextAreaElement),
  columns: byId('ask-columns', HTMLUListElement),
  run: byId('ask-run', HTMLButtonElement),
  error: byId('ask-error', HTMLElement),
  result: byId('ask-result', HTMLElement),
  caption: byId('ask-caption', HTMLElement),
  chart: byId('ask-chart', HTMLElement),
  table: byId('ask-table', HTMLTableElement),
};

/** Words that must be quoted to be read as column names. */
const RESERVED = new Set([
  'all', 'and', 'any', 'array', 'as', 'asc', 'between', 'both', 'by', 'case', 'cast', 'check', 'collate', 'column',
  'constraint', 'create', 'cross', 'default', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch',
  'for', 'foreign', 'from', 'full', 'grant', 'group', 'having', 'in', 'inner', 'interval', 'intersect', 'into', 'is',
  'join', 'lateral', 'leading', 'left', 'like', 'limit', 'natural', 'not', 'null', 'offset', 'on', 'only', 'or',
  'order', 'outer', 'primary', 'references', 'right', 'row', 'select', 'some', 'table', 'then', 'to', 'trailing',
  'true', 'union', 'unique', 'using', 'when', 'where', 'window', 'with',
]);

/**
 * A name as SQL reads it: bare when it can be, else quoted (names are case-insensitive bare).
 * @param {string} name
 */
const sqlName = (name) => (/^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`);

/**
 * The SQL type the plugin gives a column of this Arrow type (dictionaries are decoded when
 * registered); the Arrow type itself when there is no simple name.
 * @param {string} arrowType
 * @returns {string}
 */
function sqlType(arrowType) {
  /** @type {Record<string, string>} */
  const simple = {
    Boolean: 'BOOLEAN', Int8: 'TINYINT', Int16: 'SMALLINT', Int32: 'INTEGER', Int64: 'BIGINT', UInt8: 'UTINYINT',
    UInt16: 'USMALLINT', UInt32: 'UINTEGER', UInt64: 'UBIGINT', Float16: 'FLOAT', Float32: 'FLOAT', Float64: 'DOUBLE',
    Utf8: 'VARCHAR', LargeUtf8: 'VARCHAR', Utf8View: 'VARCHAR', Binary: 'BLOB', LargeBinary: 'BLOB', BinaryView: 'BLOB',
    Date32: 'DATE', Date64: 'DATE', Null: 'NULL',
  };
  const dictionary = /^Dictionary\(\w+, (.+)\)$/.exec(arrowType);
  if (dictionary?.[1] !== undefined) return sqlType(dictionary[1]);
  const decimal = /^Decimal\d+\((\d+), (-?\d+)\)$/.exec(arrowType);
  if (decimal !== null) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  if (arrowType.startsWith('Timestamp(')) return arrowType.includes(',') ? 'TIMESTAMPTZ' : 'TIMESTAMP';
  if (arrowType.startsWith('Interval(')) return 'INTERVAL';
  return simple[arrowType] ?? arrowType;
}

/**
 * Widths of time buckets, from fine to coarse: a time question takes the finest that cuts the
 * column's span into at most `MAX_BUCKETS`.
 */
const BUCKETS = [
  { interval: '1 second', per: 'second', slug: 'second', seconds: 1 },
  { interval: '1 minute', per: 'minute', slug: 'minute', seconds: 60 },
  { interval: '5 minutes', per: '5 minutes', slug: '5min', seconds: 300 },
  { interval: '15 minutes', per: '15 minutes', slug: '15min', seconds: 900 },
  { interval: '1 hour', per: 'hour', slug: 'hour', seconds: 3600 },
  { interval: '6 hours', per: '6 hours', slug: '6h', seconds: 21_600 },
  { interval: '1 day', per: 'day', slug: 'day', seconds: 86_400 },
  { interval: '7 days', per: 'week', slug: 'week', seconds: 604_800 },
  { interval: '1 month', per: 'month', slug: 'month', seconds: 2_629_746 },
  { interval: '3 months', per: 'quarter', slug: 'quarter', seconds: 7_889_238 },
  { interval: '1 year', per: 'year', slug: 'year', seconds: 31_556_952 },
  { interval: '10 years', per: 'decade', slug: 'decade', seconds: 315_569_520 },
];
const MAX_BUCKETS = 60;

/**
 * The bucket width for a time column spanning `span` (a date column's is a day at least).
 * @param {AskColumn} column
 * @param {Span} span
 */
function bucketFor(column, span) {
  const least = column.arrowType.startsWith('Date') ? 86_400 : 1;
  const fits = BUCKETS.find((b) => b.seconds >= least && (span.hi - span.lo) / b.seconds <= MAX_BUCKETS);
  return fits ?? BUCKETS[BUCKETS.length - 1] ?? BUCKETS[0];
}

/** @param {string} name */
const idLike = (name) => /^(id|.*_id|id_.*)$/i.test(name);

/**
 * The one-click questions the schema allows: rows by each of the first two text columns, the mean
 * of up to two numeric columns (fractional ones first, identifiers left out) by the first text
 * column, and rows per time bucket of the first time column.
 * @param {readonly AskColumn[]} columns
 * @param {Readonly<Record<string, Span>>} spans
 * @returns {Question[]}
 */
export function questionsFor(columns, spans) {
  const texts = columns.filter((c) => isText(c.arrowType));
  const measures = columns.filter((c) => isNumeric(c.arrowType) && !idLike(c.name));
  const fractional = (/** @type {AskColumn} */ c) => /^(Float|Decimal)/.test(c.arrowType);
  const numbers = [...measures.filter(fractional), ...measures.filter((c) => !fractional(c))];
  /** @type {Question[]} */
  const out = [];
  for (const text of texts.slice(0, 2)) {
    const by = sqlName(text.name);
    out.push({ id: `count:${text.name}`, label: `Rows by ${text.name}`, sql: `SELECT ${by}, count(*) AS n FROM t GROUP BY ${by} ORDER BY n DESC LIMIT 20` });
  }
  const group = texts[0];
  if (group !== undefined) {
    const by = sqlName(group.name);
    for (const number of numbers.slice(0, 2)) {
      const mean = sqlName(`mean_${number.name}`);
      out.push({
        id: `mean:${number.name}:${group.name}`, label: `Mean ${number.name} by ${group.name}`,
        sql: `SELECT ${by}, avg(${sqlName(number.name)}) AS ${mean} FROM t GROUP BY ${by} ORDER BY ${mean} DESC LIMIT 20`,
      });
    }
  }
  const time = columns.find((c) => isTime(c.arrowType) && spans[c.name] !== undefined);
  const span = time === undefined ? undefined : spans[time.name];
  if (time !== undefined && span !== undefined) {
    const bucket = bucketFor(time, span);
    const alias = sqlName(`${time.name}_${bucket?.slug ?? 'bucket'}`);
    out.push({
      id: `time:${time.name}`, label: `Rows per ${bucket?.per ?? 'bucket'} of ${time.name}`,
      sql: `SELECT time_bucket(INTERVAL '${bucket?.interval ?? '1 day'}', ${sqlName(time.name)}) AS ${alias}, count(*) AS n FROM t GROUP BY 1 ORDER BY 1`,
    });
  }
  return out;
}

/**
 * The excerpt of the SQL text an error points at: its line, the word there marked, and a caret
 * line under it (`^~~~`), the caret's indent keeping the line's tabs so that it lines up.
 * @param {string} sql
 * @param {SqlPosition} at
 * @returns {{ excerpt: HTMLPreElement, start: number, end: number }} the excerpt, and the marked
 *   piece's place in the text (UTF-16 offsets, for the query box's selection)
 */
function excerptAt(sql, at) {
  const lines = sql.split('\n');
  const index = Math.min(Math.max(at.line, 1), lines.length) - 1;
  const line = lines[index] ?? '';
  // The plugin counts columns in characters, not UTF-16 units.
  const chars = Array.from(line);
  const before = chars.slice(0, Math.min(Math.max(at.column - 1, 0), chars.length)).join('');
  const rest = line.slice(before.length);
  const word = /^[\p{L}\p{N}_$]+|^"[^"\n]*"?|^'[^'\n]*'?|^./u.exec(rest)?.[0] ?? '';
  const after = rest.slice(word.length);
  const start = lines.slice(0, index).reduce((n, l) => n + l.length + 1, 0) + before.length;

  const number = String(index + 1);
  const gutter = (/** @type {string} */ text) => {
    const span = document.createElement('span');
    span.className = 'gutter';
    span.textContent = `${text} │ `;
    return span;
  };
  const mark = document.createElement('mark');
  mark.className = 'sql-mark';
  mark.dataset['testid'] = 'sql-mark';
  // Past the end of the line, a space to mark.
  mark.textContent = word === '' ? ' ' : word;
  const caret = document.createElement('span');
  caret.className = 'caret';
  caret.dataset['testid'] = 'sql-caret';
  const width = Math.max(1, Array.from(word).length);
  caret.textContent = `${Array.from(before, (c) => (c === '\t' ? '\t' : ' ')).join('')}^${'~'.repeat(width - 1)}`;
  const excerpt = document.createElement('pre');
  excerpt.className = 'sql-excerpt';
  excerpt.dataset['testid'] = 'sql-excerpt';
  excerpt.dataset['line'] = String(at.line);
  excerpt.dataset['column'] = String(at.column);
  excerpt.append(gutter(number), before, mark, after, '\n', gutter(' '.repeat(number.length)), caret);
  return { excerpt, start, end: start + word.length };
}

/**
 * Starts the card's worker and wires up the card; the page calls `open` with each file it reads
 * and `clear` when no table is on show.
 * @returns {{ open(file: File): Promise<void>, clear(): void }}
 */
export function createAsk() {
  const worker = new Worker(new URL('./ask-worker.js', import.meta.url), { type: 'module' });
  /** @type {Map<number, (result: AnalyticsResult<unknown>) => void>} */
  const waiting = new Map();
  /** @type {AnalyticsError | undefined} */
  let dead;
  let nextRequest = 1;
  /** Bumped by every file (and by clear): answers about an older file are dropped. */
  let fileGeneration = 0;
  /** Bumped by every query: only the latest one's answer shows. */
  let runGeneration = 0;
  /** @type {AskState} */
  let state = 'idle';

  worker.addEventListener('message', (event) => {
    /** @type {AskReply} */
    const reply = event.data;
    if (reply.kind === 'started') return;
    waiting.get(reply.id)?.(reply.result);
    waiting.delete(reply.id);
  });
  // A worker whose script cannot load or that throws outside a request: nothing more will come.
  worker.addEventListener('error', (event) => {
    dead = { code: 'not-initialized', message: `the query worker failed: ${event.message || 'its script could not be loaded'}` };
    const failure = { ok: /** @type {const} */ (false), error: dead };
    waiting.forEach((settle) => settle(failure));
    waiting.clear();
  });

  /**
   * Sends a request and waits for its reply.
   * @param {{ kind: 'open', file: Blob } | { kind: 'query', sql: string }} request
   * @returns {Promise<AnalyticsResult<unknown>>}
   */
  const send = (request) => new Promise((resolve) => {
    if (dead !== undefined) {
      resolve({ ok: false, error: dead });
      return;
    }
    const id = nextRequest;
    nextRequest += 1;
    waiting.set(id, resolve);
    worker.postMessage({ ...request, id });
  });
  /** @param {Blob} file */
  const openInWorker = (file) => /** @type {Promise<AnalyticsResult<Opened>>} */ (send({ kind: 'open', file }));
  /** @param {string} sql */
  const askWorker = (sql) => /** @type {Promise<AnalyticsResult<Answer>>} */ (send({ kind: 'query', sql }));

  /** @param {AskState} next */
  const setState = (next) => {
    state = next;
    ui.card.dataset['state'] = next;
    const idle = next === 'ready' || next === 'answered' || next === 'failed';
    ui.run.disabled = !idle;
    ui.questions.querySelectorAll('button').forEach((b) => {
      b.disabled = !idle;
    });
    ui.card.setAttribute('aria-busy', String(next === 'opening' || next === 'running'));
  };

  const clearError = () => {
    ui.error.replaceChildren();
    delete ui.error.dataset['code'];
    delete ui.error.dataset['kind'];
    ui.error.hidden = true;
  };

  /**
   * Shows an error; with the SQL it came from and a position, the place in it marked (and
   * selected in the query box, so that typing replaces it).
   * @param {AnalyticsError} error
   * @param {string} sql
   */
  const showError = (error, sql) => {
    const head = document.createElement('p');
    head.className = 'sql-error-message';
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = error.kind ?? error.code;
    head.append(code, error.message);
    ui.error.replaceChildren(head);
    ui.error.dataset['code'] = error.code;
    if (error.kind !== undefined) ui.error.dataset['kind'] = error.kind;
    ui.error.hidden = false;
    if (error.position !== undefined && sql !== '') {
      const { excerpt, start, end } = excerptAt(sql, error.position);
      ui.error.append(excerpt);
      if (ui.sql.value === sql) {
        ui.sql.focus();
        ui.sql.setSelectionRange(start, end);
      }
    }
  };

  /** @param {Answer} answer */
  const showAnswer = (answer) => {
    const head = ui.table.tHead ?? ui.table.createTHead();
    const headRow = document.createElement('tr');
    headRow.append(...answer.columns.map((c) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = c.name;
      th.title = `${sqlType(c.arrowType)} (Arrow ${c.arrowType})`;
      if (isNumeric(c.arrowType)) th.className = 'number';
      return th;
    }));
    head.replaceChildren(headRow);
    const body = ui.table.tBodies[0] ?? ui.table.createTBody();
    body.replaceChildren(...answer.rows.map((values) => {
      const row = document.createElement('tr');
      row.append(...answer.columns.map((c) => {
        const value = values[c.name];
        const td = document.createElement('td');
        td.textContent = cellText(value);
        td.title = td.textContent;
        if (value === null || value === undefined) td.className = 'null';
        else if (typeof value === 'number') td.className = 'number';
        return td;
      }));
      return row;
    }));
    const shown = answer.rows.length;
    ui.caption.textContent = answer.total === 0
      ? '(no rows)'
      : shown < answer.total
        ? `(first ${shown.toLocaleString('en-US')} of ${answer.total.toLocaleString('en-US')} rows)`
        : `(${shown.toLocaleString('en-US')} ${shown === 1 ? 'row' : 'rows'})`;
    const chart = chartOf(answer.columns, answer.rows);
    ui.chart.dataset['kind'] = chart.kind;
    if (chart.kind === 'none') {
      const why = document.createElement('p');
      why.className = 'chart-none';
      why.textContent = `No chart: ${chart.why}.`;
      ui.chart.replaceChildren(why);
    } else {
      ui.chart.replaceChildren(chart.svg);
    }
    ui.result.hidden = false;
  };

  /** Runs the query in the box. */
  const run = async () => {
    if (state !== 'ready' && state !== 'answered' && state !== 'failed') return;
    const sql = ui.sql.value;
    runGeneration += 1;
    const mine = runGeneration;
    const file = fileGeneration;
    setState('running');
    clearError();
    ui.status.textContent = 'Running the query in the worker…';
    const sent = performance.now();
    const answer = await askWorker(sql);
    const roundTrip = performance.now() - sent;
    if (mine !== runGeneration || file !== fileGeneration) return;
    if (!answer.ok) {
      ui.result.hidden = true;
      ui.status.textContent = 'The query was refused.';
      showError(answer.error, sql);
      setState('failed');
      return;
    }
    showAnswer(answer.value);
    ui.status.textContent = `Answered in ${formatMs(answer.value.ms)} by the worker (${formatMs(roundTrip)} with the round trip).`;
    setState('answered');
  };

  /** @param {readonly AskColumn[]} columns */
  const showColumns = (columns) => {
    ui.columns.replaceChildren(...columns.map((c) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'ask-column';
      button.dataset['name'] = c.name;
      button.title = `Arrow ${c.arrowType}: click to insert the name`;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = c.name;
      const type = document.createElement('span');
      type.className = 'type';
      type.textContent = sqlType(c.arrowType);
      button.append(name, type);
      button.addEventListener('click', () => {
        ui.sql.focus();
        ui.sql.setRangeText(sqlName(c.name), ui.sql.selectionStart, ui.sql.selectionEnd, 'end');
      });
      item.append(button);
      return item;
    }));
  };

  /** @param {readonly Question[]} questions */
  const showQuestions = (questions) => {
    ui.questions.replaceChildren(...questions.map((q) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'question';
      button.dataset['question'] = q.id;
      button.title = q.sql;
      button.textContent = q.label;
      button.addEventListener('click', () => {
        ui.sql.value = q.sql;
        void run();
      });
      return button;
    }));
  };

  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  ui.sql.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  });
  setState('idle');

  return {
    /** Registers the file as `t` in the worker and offers questions about it. */
    async open(file) {
      fileGeneration += 1;
      const mine = fileGeneration;
      setState('opening');
      clearError();
      ui.result.hidden = true;
      ui.columns.replaceChildren();
      ui.questions.replaceChildren();
      ui.status.textContent = `Registering ${file.name} as the table t, in a worker…`;
      const opened = await openInWorker(file);
      if (mine !== fileGeneration) return;
      if (!opened.ok) {
        ui.status.textContent = `${file.name} cannot be queried.`;
        showError(opened.error, '');
        setState('broken');
        return;
      }
      const { columns, rows, ms, spans } = opened.value;
      showColumns(columns);
      const questions = questionsFor(columns, spans);
      showQuestions(questions);
      ui.sql.value = questions[0]?.sql ?? 'SELECT * FROM t LIMIT 20';
      ui.status.textContent = `${file.name} is the table t: ${rows.toLocaleString('en-US')} rows, registered in ${formatMs(ms)} by a worker.`;
      setState('ready');
    },
    /** Forgets the file: no table is on show. */
    clear() {
      fileGeneration += 1;
      clearError();
      ui.result.hidden = true;
      setState('idle');
    },
  };
}
