// Reads the benchmark files through the core component in Node, beside apache-arrow JS on the
// uncompressed file (it cannot decode LZ4 bodies without a registered codec). Prints medians.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const dir = process.argv[2];
const t0 = performance.now();
const { table } = await import('../gen/core/arrow-core.js');
console.log(`import + instantiate of the core: ${(performance.now() - t0).toFixed(1)} ms`);

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

for (const name of ['bench_lz4.arrow', 'bench_plain.arrow']) {
  const bytes = readFileSync(join(dir, name));
  const mib = bytes.length / 2 ** 20;
  const component = median(() => {
    const t = table.Table.read(bytes, {});
    t.numRows();
    t[Symbol.dispose]();
  });
  console.log(`${name} (${mib.toFixed(1)} MiB): component in Node ${component.toFixed(1)} ms (${(mib / (component / 1000)).toFixed(0)} MiB/s)`);
  if (name === 'bench_plain.arrow') {
    const js = median(() => tableFromIPC(bytes).numRows);
    console.log(`${name}: apache-arrow JS tableFromIPC ${js.toFixed(1)} ms`);
  }
}
