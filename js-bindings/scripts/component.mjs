// Build steps on jco's library (no CLI, so no bundler or JS-componentizer in the install):
//   component.mjs new MODULE.wasm OUT.wasm          wrap a core module into a component
//                                                   (what `wasm-tools component new` does)
//   component.mjs transpile COMPONENT.wasm OUTDIR [NAME]
//                                                   ESM + .d.ts for Node and browsers
//   component.mjs transpile-instance COMPONENT.wasm OUTDIR NAME
//                                                   JS that exports `instantiate(getCoreModule,
//                                                   imports)` (the façade's: it instantiates again
//                                                   after a trap, and hands a plugin the core's
//                                                   exports); the core modules (.wasm) are left
//                                                   out, they are those of `transpile`
//   component.mjs transpile-plugin PLUGIN.wasm OUTDIR CORE_ESM
//                                                   a plugin whose `arrow:core/*` imports are the
//                                                   core's ESM (jco's `--map`), relative to OUTDIR
//   component.mjs legacy-core OUTDIR EXNREF.wasm LEGACY.wasm
//                                                   replace the core module jco extracted (the
//                                                   exnref one, found by its bytes) with the
//                                                   legacy-exception build Node 20 runs
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';

const [command, input, output, coreModule] = process.argv.slice(2);

/** A core module's sections but the custom ones (id 0), concatenated: its code and interface. */
function withoutCustomSections(module) {
  const kept = [];
  let at = 8; // the magic and the version
  while (at < module.length) {
    const start = at;
    const id = module[at];
    at += 1;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = module[at];
      at += 1;
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    at += size;
    if (id !== 0) kept.push(module.subarray(start, at));
  }
  return Buffer.concat(kept);
}

async function transpile(bytes, name, outDir, map, instantiation) {
  const { files } = await transpileBytes(bytes, {
    name,
    map,
    instantiation,
    emitTypescriptDeclarations: true,
    validLiftingOptimization: true,
    // Throw `ComponentError`s (real Errors, with stacks) carrying the `arrow-error` in `.payload`.
    noComponentErrorWrapping: false,
    // The core unwinds panics with wasm exceptions in the standard (exnref) encoding; the glue is
    // the same for the legacy module `legacy-core` swaps in.
    bindgenEnableWasmExnref: true,
  });
  for (const [file, contents] of Object.entries(files)) {
    // The main core module is the very file `transpile` writes; the shims (core2, core3) differ.
    if (instantiation !== undefined && file.endsWith('.core.wasm')) continue;
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    writeFileSync(join(outDir, file), contents);
  }
  console.log(`transpiled ${input} -> ${outDir} (${Object.keys(files).length} files)`);
}

if (command === 'new' && input && output) {
  const component = await componentNew(readFileSync(input));
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, component);
} else if (command === 'transpile' && input && output) {
  // The fourth argument, if any, names the module (default `arrow-core`).
  await transpile(readFileSync(input), coreModule ?? 'arrow-core', output, undefined);
} else if (command === 'transpile-instance' && input && output && coreModule) {
  await transpile(readFileSync(input), coreModule, output, undefined, 'async');
} else if (command === 'transpile-plugin' && input && output && coreModule) {
  // Every interface of the core a plugin imports is one of the core module's exports.
  const map = Object.fromEntries(
    ['types', 'table', 'registry'].map((i) => [`arrow:core/${i}@0.1.0`, `${coreModule}#${i}`]),
  );
  await transpile(readFileSync(input), basename(input, '.wasm').replaceAll('_', '-'), output, map);
} else if (command === 'legacy-core' && input && output && coreModule) {
  // jco writes the modules as they sit in the component (less the custom sections componentNew
  // consumed), so the exnref module is found by its other sections; the legacy one has the same
  // imports and exports (one compile, two encodings).
  const exnref = withoutCustomSections(readFileSync(output));
  const matches = readdirSync(input).filter(
    (f) => f.endsWith('.wasm') && withoutCustomSections(readFileSync(join(input, f))).equals(exnref),
  );
  if (matches.length !== 1) {
    console.error(`legacy-core: expected one module in ${input} equal to ${output}, found ${matches.length}`);
    process.exit(1);
  }
  writeFileSync(join(input, matches[0]), readFileSync(coreModule));
  console.log(`legacy-core: ${join(input, matches[0])} <- ${coreModule}`);
} else {
  console.error('usage: component.mjs new MODULE.wasm OUT.wasm | transpile COMPONENT.wasm OUTDIR [NAME] | transpile-instance COMPONENT.wasm OUTDIR NAME | transpile-plugin PLUGIN.wasm OUTDIR CORE_ESM | legacy-core OUTDIR EXNREF.wasm LEGACY.wasm');
  process.exit(2);
}
