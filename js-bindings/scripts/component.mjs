// Build steps on jco's library (no CLI, so no bundler or JS-componentizer in the install):
//   component.mjs new MODULE.wasm OUT.wasm          wrap a core module into a component
//                                                   (what `wasm-tools component new` does)
//   component.mjs transpile COMPONENT.wasm OUTDIR   ESM + .d.ts for Node and browsers
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';

const [command, input, output] = process.argv.slice(2);
if (command === 'new' && input && output) {
  const component = await componentNew(readFileSync(input));
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, component);
} else if (command === 'transpile' && input && output) {
  const { files } = await transpileBytes(readFileSync(input), {
    name: 'arrow-core',
    emitTypescriptDeclarations: true,
    validLiftingOptimization: true,
    // Throw `ComponentError`s (real Errors, with stacks) carrying the `arrow-error` in `.payload`.
    noComponentErrorWrapping: false,
  });
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(output, name)), { recursive: true });
    writeFileSync(join(output, name), bytes);
  }
  console.log(`transpiled ${input} -> ${output} (${Object.keys(files).length} files)`);
} else {
  console.error('usage: component.mjs new MODULE.wasm OUT.wasm | transpile COMPONENT.wasm OUTDIR');
  process.exit(2);
}
