// Real Chromium for the tests: Debian's /usr/bin/chromium driven by playwright-core, with the
// repository served over HTTP by scripts/serve.mjs. `inChromium(fn, arg)` runs `fn(arg)` in a page
// (test/browser/blank.html, whose import map resolves fast-check and apache-arrow) and returns its
// result.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';

/** Launches Debian's Chromium headless with a fresh profile; the caller closes it. */
export function launch() {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'arrow-rs-wasm-chromium-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export { serve };

export async function inChromium(fn, arg) {
  const server = await serve();
  // A fresh profile directory per run: playwright takes it as the persistent context's.
  const browser = await launch();
  const page = browser.pages()[0] ?? (await browser.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`http://127.0.0.1:${server.address().port}/js-bindings/test/browser/blank.html`);
  const result = await page.evaluate(fn, arg).finally(() => browser.close().then(() => server.close()));
  if (errors.length > 0) throw errors[0];
  return result;
}
