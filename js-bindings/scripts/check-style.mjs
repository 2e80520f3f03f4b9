// The JS/TS rules of the project, checked mechanically (`make test` runs this):
//
// 1. The public façade (src/*.ts, the .d.ts files tsc writes to dist/), every example
//    (examples/, the demo page's script) and every JS/TS code block of the docs use none of the
//    words `any`, `this`, `is`, `try`, `catch` (comments and strings aside): errors are Result
//    values, not exceptions.
// 2. Every declaration of the public .d.ts (exports and their members) carries a TSDoc comment.
// 3. The examples type-check against the package's own types (tsc --checkJs).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root } from './serve.mjs';

const pkg = join(root, 'js-bindings');
const FORBIDDEN = /\b(any|this|is|try|catch)\b/g;
const problems = [];

/** The code with comments and string/template contents blanked, line structure kept. */
export function codeOnly(text) {
  let out = '';
  let i = 0;
  const blank = (s) => s.replace(/[^\n]/g, ' ');
  while (i < text.length) {
    const rest = text.slice(i);
    const m = /^(\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)/.exec(rest);
    if (m) {
      const token = m[0];
      const quote = token[0] === '/' ? '' : token[0];
      out += quote === '' ? blank(token) : quote + blank(token.slice(1, -1)) + quote;
      i += token.length;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

function checkWords(label, text, firstLine = 1) {
  codeOnly(text).split('\n').forEach((line, n) => {
    for (const m of line.matchAll(FORBIDDEN)) problems.push(`${label}:${n + firstLine}: \`${m[1]}\` in: ${text.split('\n')[n].trim()}`);
  });
}

const files = (dir, pattern) => (existsSync(dir) ? readdirSync(dir).filter((f) => pattern.test(f)).map((f) => join(dir, f)) : []);

const dts = files(join(pkg, 'dist'), /\.d\.ts$/);
if (dts.length === 0) problems.push('js-bindings/dist has no .d.ts: run `make transpile` first');
const sources = [
  ...files(join(pkg, 'src'), /\.ts$/),
  ...dts,
  ...files(join(pkg, 'examples'), /\.(mjs|js|ts)$/),
  ...files(join(pkg, 'demo'), /\.(mjs|js|ts)$/),
];
for (const f of sources) checkWords(relative(root, f), readFileSync(f, 'utf8'));

// Code blocks of the docs.
const docs = [join(root, 'README.md'), join(pkg, 'README.md'), ...files(join(root, 'docs'), /\.md$/)];
for (const f of docs.filter(existsSync)) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/^```(js|mjs|javascript|ts|typescript)\n([\s\S]*?)^```/gm)) {
    const line = text.slice(0, m.index).split('\n').length + 1;
    checkWords(relative(root, f), m[2], line);
  }
}

// TSDoc on every declaration of the public .d.ts: each export and each member of an exported
// interface. (Lines inside a multi-line signature follow a line ending in `,`, `(`, `|` or `&`.)
const DECLARATION = /^(export (declare )?(function|interface|type|const|class)\b|\s+(readonly )?(\[[^\]]+\]|[A-Za-z_$][\w$]*)\??(\(|:|<))/;
for (const f of dts) {
  const lines = readFileSync(f, 'utf8').split('\n');
  lines.forEach((line, n) => {
    if (!DECLARATION.test(line)) return;
    const previous = lines.slice(0, n).reverse().find((l) => l.trim() !== '') ?? '';
    if (/[,(|&]\s*$/.test(previous)) return;
    if (!previous.trim().endsWith('*/')) problems.push(`${relative(root, f)}:${n + 1}: no TSDoc comment: ${line.trim()}`);
  });
}

// The examples type-check against the package (resolved by its own name through `exports`).
if (dts.length > 0) {
  const tsc = join(pkg, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.examples.json'], { cwd: pkg, encoding: 'utf8' });
  if (r.status !== 0) problems.push(`the examples do not type-check:\n${r.stdout}${r.stderr}`);
}

if (problems.length > 0) {
  console.error(`check-style: ${problems.length} problem(s)\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`check-style: ${sources.length} files and the docs' code blocks use no any/this/is/try/catch; ${dts.length} .d.ts files fully documented; examples type-check`);
