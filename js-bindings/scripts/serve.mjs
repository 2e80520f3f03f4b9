// A static HTTP server of the repository for the demo page (`make serve`) and the Chromium tests:
// ES modules and `fetch` of `.wasm` need http, and `.wasm` must be `application/wasm`. It binds to
// 127.0.0.1 only. `node serve.mjs [PORT]` serves until stopped; `serve(port)` returns the server.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES = {
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html',
  '.json': 'application/json', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml',
};

export function serve(port = 0) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/js-bindings/demo/' }).end();
      return;
    }
    const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    const body = await readFile(join(root, file)).then((b) => b, () => undefined);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.argv[2] ?? 8080));
  console.log(`arrow-rs-wasm demo: http://127.0.0.1:${server.address().port}/js-bindings/demo/ (Ctrl-C stops)`);
}
