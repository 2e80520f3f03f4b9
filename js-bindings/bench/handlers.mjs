// The worker-start benchmark's task (bench/pool.mjs): decode the sample's first batch and nothing
// else, so that "spawn to first batch decoded" measures exactly that.
import * as api from '../dist/index.js';

/** Reads the bytes given and returns the row count of what was decoded. */
export async function decode(bytes) {
  const read = await api.readTableFromArrayBuffer(bytes);
  if (!read.ok) return read;
  const rows = await api.numRows(read.value);
  await api.freeTable(read.value);
  return rows;
}
