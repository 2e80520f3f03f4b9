// A handlers module for test/pool-query.test.mjs that exports no handler: the pool loads it into
// every worker, where it makes the first worker (of all, across replacements) to take its `after`th
// range read from a Blob exit mid-query, as a crash would. The marker file, created exclusively,
// makes it happen once. Node only. URL parameters: marker (a path that must not exist), after.
import { closeSync, openSync } from 'node:fs';

const params = new URL(import.meta.url).searchParams;
const marker = params.get('marker');
const after = Number(params.get('after') ?? 4);
const arrayBuffer = Blob.prototype.arrayBuffer;
let reads = 0;

Blob.prototype.arrayBuffer = function patched() {
  reads += 1;
  if (reads === after && marker !== null) {
    let first = false;
    try {
      closeSync(openSync(marker, 'wx'));
      first = true;
    } catch {
      // Another worker died already.
    }
    if (first) process.exit(3);
  }
  return arrayBuffer.call(this);
};
