import { initWasm, readTableFromArrayBuffer, getSchemaSummary, writeTableToIpc, freeTable } from 'arrow-rs-wasm';

const ready = await initWasm();
if (!ready.ok) {
  document.body.textContent = `cannot start: ${ready.error.message}`;
} else {
  const response = await fetch('/testdata/sample/trips.csv');
  const read = await readTableFromArrayBuffer(await response.arrayBuffer());
  if (!read.ok) {
    document.body.textContent = `${read.error.code}: ${read.error.message}`;
  } else {
    const schema = await getSchemaSummary(read.value);
    const list = document.createElement('ul');
    for (const column of schema.ok ? schema.value.columns : []) {
      const item = document.createElement('li');
      item.textContent = `${column.name}: ${column.arrowType}`;
      list.append(item);
    }
    document.body.append(list);
    const feather = await writeTableToIpc(read.value, { compression: 'lz4' });
    if (feather.ok) {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([feather.value]));
      link.download = 'trips.feather';
      link.textContent = `download trips.feather (${feather.value.length} bytes)`;
      document.body.append(link);
    }
    await freeTable(read.value);
  }
}
