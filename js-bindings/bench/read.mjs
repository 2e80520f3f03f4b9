// Reads the benchmark files through the core component in Node, beside the peers in the same run:
// apache-arrow JS on the uncompressed IPC file (it cannot decode LZ4 bodies without a registered
// codec) and parquet-wasm 0.8 on the Parquet files. Prints medians.
//
// usage: node bench/read.mjs DATA_DIR [TRANSPILED_CORE_DIR ...]
// Each extra directory is another transpiled build of the core (e.g. one built with other size
// settings), measured on the same files in the same process, so builds compare side by side.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';

const dir = process.argv[2];
const builds = process.argv.length > 3 ? process.argv.slice(3).map((d) => resolve(d)) : [resolve(import.meta.dirname, '../gen/core')];

function median(run, times = 10) {
  run(); // warm-up
  const samples = [];
  for (let i = 0; i < times; i += 1) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const cores = [];
for (const build of builds) {
  const t0 = performance.now();
  const { table } = await import(pathToFileURL(join(build, 'arrow-core.js')).href);
  console.log(`${build}: import + instantiate ${(performance.now() - t0).toFixed(1)} ms`);
  cores.push({ build, table });
}

const files = ['bench_lz4.arrow', 'bench_plain.arrow', 'bench_zstd.parquet', 'bench_snappy.parquet'];
for (const name of files) {
  const bytes = readFileSync(join(dir, name));
  const mib = bytes.length / 2 ** 20;
  const results = [];
  for (const { build, table } of cores) {
    const ms = median(() => {
      const t = table.Table.read(bytes, {});
      t.numRows();
      t[Symbol.dispose]();
    });
    results.push([`core ${build.split('/').slice(-2).join('/')}`, ms]);
  }
  if (name.endsWith('.arrow') && name.includes('plain')) {
    results.push(['apache-arrow JS tableFromIPC', median(() => tableFromIPC(bytes).numRows)]);
  }
  if (name.endsWith('.parquet')) {
    results.push(['parquet-wasm 0.8 readParquet', median(() => readParquet(bytes).free())]);
  }
  const base = results[0][1];
  console.log(`\n${name} (${mib.toFixed(1)} MiB, 1M rows)`);
  for (const [what, ms] of results) {
    console.log(`  ${what.padEnd(40)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / base).toFixed(2)}× the first`);
  }
}
