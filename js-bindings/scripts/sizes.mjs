// Prints the raw, gzip and brotli size of each .wasm given: the download a page pays for.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const path of process.argv.slice(2)) {
  const bytes = readFileSync(path);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length;
  console.log(`${basename(path)}: raw ${kib(bytes.length)}, gzip ${kib(gzip)}, brotli ${kib(brotli)}`);
}
