// The demo page: open an Arrow IPC, Feather, Parquet, CSV or NDJSON file, see what it holds, ask
// questions about it in SQL (ask.js, answered in a worker) and convert it, all inside WebAssembly
// components through the typed façade. Every façade call returns a Result (never throws), so the
// page branches on `ok` and shows the error code otherwise.
import {
  initWasm, readTableFromArrayBuffer, getTableInfo, getSchemaSummary, tableRows, tableFingerprint,
  writeTableToIpc, writeTableToParquet, writeTableToCsv, freeTable, liveTableCount, ok, err,
} from '../dist/index.js';
import { byId, cellText, formatMs } from './dom.js';
import { createAsk } from './ask.js';

/** @typedef {import('../dist/index.js').TableHandle} TableHandle */
/** @typedef {import('../dist/index.js').ArrowError} ArrowError */
/** @typedef {import('../dist/index.js').DataFormat} DataFormat */
/** @typedef {import('../dist/index.js').ColumnInfo} ColumnInfo */
/** @typedef {import('../dist/index.js').Output} Output */
/** @template T @typedef {import('../dist/index.js').Result<T>} Result */

/**
 * A conversion target: how to write it, the file extension and media type of the output, and the
 * format to read it back with when its bytes alone do not tell (text formats).
 * @typedef {object} Target
 * @property {string} label
 * @property {string} ext
 * @property {string} mime
 * @property {(handle: TableHandle) => Promise<Result<Output>>} write
 * @property {DataFormat} [readAs]
 */

/** @type {ReadonlyMap<string, Target>} */
const TARGETS = new Map([
  ['ipc-lz4', {
    label: 'Arrow IPC file · LZ4', ext: '.arrow', mime: 'application/vnd.apache.arrow.file',
    write: (h) => writeTableToIpc(h, { format: 'file', compression: 'lz4' }),
  }],
  ['ipc-zstd', {
    label: 'Arrow IPC file · ZSTD', ext: '.arrow', mime: 'application/vnd.apache.arrow.file',
    write: (h) => writeTableToIpc(h, { format: 'file', compression: 'zstd' }),
  }],
  ['ipc-stream', {
    label: 'Arrow IPC stream · uncompressed', ext: '.arrows', mime: 'application/vnd.apache.arrow.stream',
    write: (h) => writeTableToIpc(h, { format: 'stream', compression: 'none' }),
  }],
  ['parquet-zstd', {
    label: 'Parquet · ZSTD', ext: '.parquet', mime: 'application/vnd.apache.parquet',
    write: (h) => writeTableToParquet(h, { compression: 'zstd' }),
  }],
  ['parquet-snappy', {
    label: 'Parquet · Snappy', ext: '.parquet', mime: 'application/vnd.apache.parquet',
    write: (h) => writeTableToParquet(h, { compression: 'snappy' }),
  }],
  ['csv', {
    label: 'CSV', ext: '.csv', mime: 'text/csv', readAs: 'csv',
    write: (h) => writeTableToCsv(h),
  }],
]);

/** @type {Readonly<Record<DataFormat, string>>} */
const FORMAT_NAMES = {
  'arrow-file': 'Arrow IPC file (Feather v2)',
  'arrow-stream': 'Arrow IPC stream',
  'feather-v1': 'Feather v1',
  parquet: 'Apache Parquet',
  csv: 'CSV',
  ndjson: 'Newline-delimited JSON',
};

/** Rows shown in the preview. */
const PREVIEW_ROWS = 20;

const ui = {
  status: byId('status', HTMLElement),
  dropZone: byId('drop-zone', HTMLElement),
  fileInput: byId('file-input', HTMLInputElement),
  error: byId('error', HTMLElement),
  empty: byId('empty', HTMLElement),
  fileName: byId('file-name', HTMLElement),
  fileSize: byId('file-size', HTMLElement),
  format: byId('format', HTMLElement),
  compression: byId('compression', HTMLElement),
  numRows: byId('num-rows', HTMLElement),
  numColumns: byId('num-columns', HTMLElement),
  numBatches: byId('num-batches', HTMLElement),
  readTime: byId('read-time', HTMLElement),
  fingerprint: byId('fingerprint', HTMLElement),
  schema: byId('schema', HTMLTableElement),
  rows: byId('rows', HTMLTableElement),
  rowsCaption: byId('rows-caption', HTMLElement),
  convertForm: byId('convert-form', HTMLFormElement),
  target: byId('target', HTMLSelectElement),
  convert: byId('convert', HTMLButtonElement),
  output: byId('output', HTMLElement),
  download: byId('download', HTMLAnchorElement),
  outputSize: byId('output-size', HTMLElement),
  outputTime: byId('output-time', HTMLElement),
  verify: byId('verify', HTMLElement),
  liveTables: byId('live-tables', HTMLElement),
};

/** The "Ask" card; its worker starts with the page, so that the first question finds it ready. */
const ask = createAsk();

/**
 * The table on show: its handle, the file it came from and its content fingerprint.
 * @typedef {object} Loaded
 * @property {TableHandle} handle
 * @property {string} baseName
 * @property {string} fingerprint
 */

/** @type {Loaded | undefined} */
let current;
/** Bumped by every load and conversion: a result that comes back after a newer one started is dropped. */
let generation = 0;
/** @type {string | undefined} */
let downloadUrl;

/**
 * Where the page stands, for people (the status line) and for tests (`body[data-state]`).
 * @param {'starting' | 'ready' | 'loading' | 'loaded' | 'converting' | 'converted' | 'failed'} state
 */
function setState(state) {
  document.body.dataset['state'] = state;
  const busy = state === 'loading' || state === 'converting' || state === 'starting';
  ui.convert.disabled = busy || current === undefined;
  ui.dropZone.setAttribute('aria-busy', String(busy));
  ui.status.classList.toggle('ready', state === 'ready' || state === 'loaded' || state === 'converted');
  ui.status.classList.toggle('failed', state === 'failed');
}

/**
 * Shows a failed result's code and message.
 * @param {string} what - the step that failed, for the reader
 * @param {ArrowError} error
 */
function showError(what, error) {
  const code = document.createElement('span');
  code.className = 'code';
  code.textContent = error.code;
  ui.error.replaceChildren(code, `${what}: ${error.message}`);
  ui.error.dataset['code'] = error.code;
  ui.error.hidden = false;
  setState('failed');
}

function clearError() {
  ui.error.replaceChildren();
  delete ui.error.dataset['code'];
  ui.error.hidden = true;
}

function clearOutput() {
  if (downloadUrl !== undefined) URL.revokeObjectURL(downloadUrl);
  downloadUrl = undefined;
  ui.download.removeAttribute('href');
  ui.output.hidden = true;
}

async function showLiveTables() {
  const live = await liveTableCount();
  ui.liveTables.textContent = live.ok ? String(live.value) : live.error.code;
}

/** @param {number} bytes */
function formatSize(bytes) {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes < 1024) return exact;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]} (${exact})`;
}

/** @param {string} name */
function baseNameOf(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** @param {readonly ColumnInfo[]} columns */
function renderSchema(columns) {
  const body = ui.schema.tBodies[0] ?? ui.schema.createTBody();
  body.replaceChildren(...columns.map((c, i) => {
    const row = document.createElement('tr');
    row.dataset['testid'] = 'schema-row';
    const index = document.createElement('td');
    index.className = 'num';
    index.textContent = String(i + 1);
    const name = document.createElement('td');
    name.dataset['field'] = 'name';
    name.textContent = c.name;
    const type = document.createElement('td');
    type.dataset['field'] = 'type';
    const code = document.createElement('code');
    code.textContent = c.arrowType;
    type.append(code);
    if (c.extensionName !== undefined) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = c.ownerPlugin === undefined ? c.extensionName : `${c.extensionName} · ${c.ownerPlugin}`;
      type.append(badge);
    }
    const nullable = document.createElement('td');
    nullable.dataset['field'] = 'nullable';
    nullable.textContent = c.nullable ? 'yes' : 'no';
    row.append(index, name, type, nullable);
    return row;
  }));
}

/**
 * @param {readonly ColumnInfo[]} columns
 * @param {readonly Record<string, unknown>[]} rows
 * @param {number} total
 */
function renderRows(columns, rows, total) {
  const head = ui.rows.tHead ?? ui.rows.createTHead();
  const headRow = document.createElement('tr');
  const corner = document.createElement('th');
  corner.className = 'num';
  corner.scope = 'col';
  corner.textContent = '#';
  headRow.append(corner, ...columns.map((c) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c.name;
    th.title = c.arrowType;
    return th;
  }));
  head.replaceChildren(headRow);
  const body = ui.rows.tBodies[0] ?? ui.rows.createTBody();
  body.replaceChildren(...rows.map((values, i) => {
    const row = document.createElement('tr');
    const index = document.createElement('th');
    index.scope = 'row';
    index.className = 'num';
    index.textContent = String(i + 1);
    row.append(index, ...columns.map((c) => {
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
  ui.rowsCaption.textContent = total === 0
    ? '(the table has no rows)'
    : `(${rows.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')})`;
}

/**
 * Shows the cards about the loaded table, or the placeholder when there is none.
 * @param {boolean} loaded
 */
function showTable(loaded) {
  document.querySelectorAll('[data-needs-table]').forEach((card) => {
    if (card instanceof HTMLElement) card.hidden = !loaded;
  });
  ui.empty.hidden = loaded;
}

/** Frees the table on show, if any. */
async function dropCurrent() {
  const old = current;
  current = undefined;
  showTable(false);
  if (old !== undefined) {
    const freed = await freeTable(old.handle);
    if (!freed.ok) showError('Freeing the previous table', freed.error);
  }
}

/**
 * Reads a file into the component and shows what it holds.
 * @param {File} file
 */
async function load(file) {
  generation += 1;
  const mine = generation;
  setState('loading');
  clearError();
  clearOutput();
  await dropCurrent();
  // The worker reads the file for questions while this thread reads it for the preview.
  void ask.open(file);
  ui.status.textContent = `Reading ${file.name}…`;

  const bytes = await file.arrayBuffer().then(
    (b) => ok(b),
    (e) => err('invalid-argument', `the browser could not read ${file.name}: ${String(e)}`),
  );
  if (mine !== generation) return;
  if (!bytes.ok) {
    ui.status.textContent = `${file.name} could not be read.`;
    ask.clear();
    return showError(`Reading ${file.name}`, bytes.error);
  }

  const started = performance.now();
  const read = await readTableFromArrayBuffer(bytes.value);
  const readMs = performance.now() - started;
  if (mine !== generation) {
    if (read.ok) await freeTable(read.value);
    return;
  }
  if (!read.ok) {
    ui.status.textContent = `${file.name} could not be read.`;
    ask.clear();
    await showLiveTables();
    return showError(`Reading ${file.name}`, read.error);
  }
  const handle = read.value;
  const info = await getTableInfo(handle);
  const schema = await getSchemaSummary(handle);
  const rows = await tableRows(handle, PREVIEW_ROWS);
  const fingerprint = await tableFingerprint(handle);
  const failed = [info, schema, rows, fingerprint].find((r) => !r.ok);
  if (!info.ok || !schema.ok || !rows.ok || !fingerprint.ok || mine !== generation) {
    await freeTable(handle);
    await showLiveTables();
    if (failed !== undefined && !failed.ok && mine === generation) {
      ask.clear();
      ui.status.textContent = `${file.name} could not be inspected.`;
      showError(`Inspecting ${file.name}`, failed.error);
    }
    return;
  }

  current = { handle, baseName: baseNameOf(file.name), fingerprint: fingerprint.value };
  const format = info.value.sourceFormat;
  ui.fileName.textContent = file.name;
  ui.fileSize.textContent = formatSize(file.size);
  ui.format.textContent = format ?? 'unknown';
  ui.format.title = format === undefined ? '' : FORMAT_NAMES[format];
  ui.compression.textContent = info.value.sourceCompression.length === 0 ? 'none' : info.value.sourceCompression.join(', ');
  ui.numRows.textContent = info.value.numRows.toLocaleString('en-US');
  ui.numColumns.textContent = info.value.numColumns.toLocaleString('en-US');
  ui.numBatches.textContent = info.value.numBatches.toLocaleString('en-US');
  ui.readTime.textContent = formatMs(readMs);
  ui.fingerprint.textContent = fingerprint.value;
  renderSchema(schema.value.columns);
  renderRows(schema.value.columns, rows.value, info.value.numRows);
  showTable(true);
  ui.status.textContent = `Loaded ${file.name}.`;
  setState('loaded');
  await showLiveTables();
}

/**
 * Reads the converted bytes back and compares their content with the source's.
 * @param {Output} bytes
 * @param {Target} target
 * @param {string} expected - the source's fingerprint
 * @returns {Promise<Result<boolean>>} whether the content came back identical
 */
async function sameContent(bytes, target, expected) {
  const back = await readTableFromArrayBuffer(bytes, target.readAs === undefined ? {} : { format: target.readAs });
  if (!back.ok) return back;
  const fingerprint = await tableFingerprint(back.value);
  const freed = await freeTable(back.value);
  if (!fingerprint.ok) return fingerprint;
  if (!freed.ok) return freed;
  return ok(fingerprint.value === expected);
}

/** Converts the table on show to the chosen target and offers the result for download. */
async function convert() {
  const source = current;
  const target = TARGETS.get(ui.target.value);
  if (source === undefined || target === undefined) return;
  generation += 1;
  const mine = generation;
  setState('converting');
  clearError();
  clearOutput();
  ui.status.textContent = `Converting to ${target.label}…`;

  const started = performance.now();
  const written = await target.write(source.handle);
  const ms = performance.now() - started;
  if (mine !== generation) return;
  if (!written.ok) {
    ui.status.textContent = `The conversion to ${target.label} failed.`;
    return showError(`Converting to ${target.label}`, written.error);
  }

  const name = `${source.baseName}${target.ext}`;
  downloadUrl = URL.createObjectURL(new Blob([written.value], { type: target.mime }));
  ui.download.href = downloadUrl;
  ui.download.download = name;
  ui.download.textContent = `Download ${name}`;
  ui.outputSize.textContent = formatSize(written.value.byteLength);
  ui.outputSize.dataset['bytes'] = String(written.value.byteLength);
  ui.outputTime.textContent = `written in ${formatMs(ms)}`;
  ui.verify.textContent = 'Reading it back…';
  ui.verify.className = 'verify';
  delete ui.verify.dataset['same'];
  ui.output.hidden = false;

  const same = await sameContent(written.value, target, source.fingerprint);
  if (mine !== generation) return;
  if (!same.ok) {
    ui.verify.textContent = `Reading it back failed: ${same.error.code}: ${same.error.message}`;
    ui.verify.className = 'verify differs';
  } else {
    ui.verify.dataset['same'] = String(same.value);
    ui.verify.className = same.value ? 'verify same' : 'verify differs';
    ui.verify.textContent = same.value
      ? '✓ Read back: same content as the source (equal fingerprints).'
      : `Read back with different content: ${target.label} cannot hold every Arrow type of the source exactly (types are re-inferred or mapped).`;
  }
  ui.status.textContent = `Converted to ${target.label}.`;
  setState('converted');
  await showLiveTables();
}

function wireUp() {
  for (const [value, target] of TARGETS) ui.target.append(new Option(target.label, value));

  ui.fileInput.addEventListener('change', () => {
    const file = ui.fileInput.files?.[0];
    // Cleared so that choosing the same file again reads it again.
    ui.fileInput.value = '';
    if (file !== undefined) void load(file);
  });

  // Files dropped anywhere else must not make the browser navigate away to them.
  for (const type of ['dragover', 'drop']) document.addEventListener(type, (e) => e.preventDefault());
  ui.dropZone.addEventListener('dragover', (e) => {
    e.preventDefault();
    if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy';
    ui.dropZone.classList.add('dragging');
  });
  ui.dropZone.addEventListener('dragleave', (e) => {
    // Moving onto a child of the zone fires dragleave too: only leaving the zone counts.
    if (!(e.relatedTarget instanceof Node && ui.dropZone.contains(e.relatedTarget))) ui.dropZone.classList.remove('dragging');
  });
  ui.dropZone.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.dropZone.classList.remove('dragging');
    const file = e.dataTransfer?.files[0];
    if (file !== undefined && !ui.fileInput.disabled) void load(file);
  });

  ui.convertForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void convert();
  });
}

async function start() {
  wireUp();
  setState('starting');
  const started = performance.now();
  const ready = await initWasm();
  if (!ready.ok) {
    ui.status.textContent = 'The WebAssembly core could not start.';
    showError('Starting the core', ready.error);
    return;
  }
  ui.fileInput.disabled = false;
  ui.status.textContent = `Ready in ${formatMs(performance.now() - started)}: reads ${ready.value.formats.map((f) => FORMAT_NAMES[f]).join(', ')}.`;
  setState('ready');
}

void start();
