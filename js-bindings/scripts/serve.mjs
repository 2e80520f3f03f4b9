// A static HTTP server of the repository for the demo page (`make serve`) and the Chromium tests:
// ES modules and `fetch` of `.wasm` need http, and `.wasm` must be `application/wasm`. It binds to
// 127.0.0.1 only. `node serve.mjs [PORT]` serves until stopped; `serve(port, mounts)` returns the
// server, `mounts` mapping URL prefixes to other directories (the benchmarks' generated data),
// and `cache: true` letting the browser cache what it fetches, as a deployment would (the
// benchmarks; the tests and the demo want every reload fresh).
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES = {
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html',
  '.json': 'application/json', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** One range of a file, read alone (the benchmarks ask for row groups of 100+ MB files). */
async function readRange(path, start, end) {
  const file = await open(path);
  const part = Buffer.alloc(end - start + 1);
  await file.read(part, 0, part.length, start);
  await file.close();
  return part;
}

export function serve(port = 0, mounts = {}, { cache = false } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/js-bindings/demo/' }).end();
      return;
    }
    const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    const mount = Object.keys(mounts).find((prefix) => path.startsWith(prefix));
    const base = mount === undefined ? root : mounts[mount];
    const rest = mount === undefined ? path : path.slice(mount.length);
    const file = join(base, rest.endsWith('/') || rest === '' ? join(rest, 'index.html') : rest);
    const size = await stat(file).then((st) => (st.isFile() ? st.size : undefined), () => undefined);
    if (size === undefined) {
      res.writeHead(404).end();
      return;
    }
    const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cache ? 'max-age=3600' : 'no-store', 'accept-ranges': 'bytes' };
    // Range requests (one range), for the Parquet range reader over HTTP.
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] === '' ? size - 1 : Number(range[2]), size - 1);
      if (start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      const part = await readRange(file, start, end);
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': part.length }).end(part);
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': size }).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.argv[2] ?? 8080));
  console.log(`arrow-rs-wasm demo: http://127.0.0.1:${server.address().port}/js-bindings/demo/ (Ctrl-C stops)`);
}
