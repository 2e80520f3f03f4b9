// Real Chromium for the tests: Debian's /usr/bin/chromium driven by playwright-core, with the
// repository served over HTTP (ES modules and `fetch` of `.wasm` need http, and `.wasm` must be
// `application/wasm`). `inChromium(fn, arg)` runs `fn(arg)` in a page and returns its result.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { root } from './helpers.mjs';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const body = await readFile(join(root, path)).then((b) => b, () => undefined);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function inChromium(fn, arg) {
  const server = await serve();
  // A fresh profile directory per run: playwright takes it as the persistent context's.
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'arrow-rs-wasm-chromium-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`http://127.0.0.1:${server.address().port}/js-bindings/test/browser/blank.html`);
  const result = await page.evaluate(fn, arg).finally(() => browser.close().then(() => server.close()));
  if (errors.length > 0) throw errors[0];
  return result;
}
