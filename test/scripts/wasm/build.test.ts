/**
 * The WebAssembly kernels' build (scripts/wasm/build.ts): the committed `.wat` and `.wasm` files are exactly what
 * `npm run build:wasm` writes, and a change to a kernel's text or to a generator shows up as a stale file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KERNELS, REPO_ROOT, type Region, assemble, buildKernels, fillRegions, moduleFields, regions, staleFiles, wasmPath,
} from '../../../scripts/wasm/build.ts';

test('every committed .wasm is a fresh assembly of its .wat, and every .wat holds its generators\' current text', async () => {
  const built = await buildKernels(REPO_ROOT);
  assert.deepEqual(built.map((b) => b.kernel.wat), KERNELS.map((k) => k.wat));
  for (const { kernel, wat, wasm } of built) {
    assert.ok(readFileSync(join(REPO_ROOT, kernel.wat), 'utf8') === wat,
      `${kernel.wat}: a generated region is stale; run \`npm run build:wasm\` and commit the result`);
    assert.ok(readFileSync(join(REPO_ROOT, wasmPath(kernel))).equals(wasm),
      `${wasmPath(kernel)} is not ${kernel.wat} assembled; run \`npm run build:wasm\` and commit the result`);
    // The bytes are a loadable module, not just equal files.
    assert.ok(WebAssembly.validate(wasm), `${wasmPath(kernel)} does not validate`);
  }
  assert.deepEqual(await staleFiles(REPO_ROOT), []);
});

test('every generated region is used by a kernel', () => {
  const texts = KERNELS.map((k) => readFileSync(join(REPO_ROOT, k.wat), 'utf8')).join('\n');
  for (const name of regions(REPO_ROOT).keys()) {
    assert.ok(texts.includes(`;; @generated-begin ${name} `), `no kernel has a region "${name}"`);
  }
});

/** A copy of the files the build reads (kernels and the shared exp snippet), to edit without touching the repository. */
function scratchCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'build-wasm-'));
  for (const file of [...KERNELS.flatMap((k) => [k.wat, wasmPath(k)]), 'src/models/wasm-exp.wat']) {
    cpSync(join(REPO_ROOT, file), join(root, file), { recursive: true });
  }
  return root;
}

test('an edited kernel, or an edited shared snippet, leaves exactly the files built from it stale', async (t) => {
  const root = scratchCopy();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(await staleFiles(root), []);

  // A changed constant changes the bytes; a changed comment does not.
  const xgb = join(root, 'src/models/xgboost-kernel.wat');
  const text = readFileSync(xgb, 'utf8');
  writeFileSync(xgb, text.replace('(module', ';; a comment changes no byte\n(module'));
  assert.deepEqual(await staleFiles(root), []);
  writeFileSync(xgb, text.replace('(i32.const 24)', '(i32.const 25)'));
  assert.deepEqual(await staleFiles(root), ['src/models/xgboost-kernel.wasm']);
  writeFileSync(xgb, text);

  // The exp snippet reaches both kernels that use it: their text and their bytes.
  const snippet = join(root, 'src/models/wasm-exp.wat');
  writeFileSync(snippet, readFileSync(snippet, 'utf8').replace('(f64.const 0x1p1023)', '(f64.const 0x1p1022)'));
  assert.deepEqual(await staleFiles(root), [
    'src/models/mlp-kernel.wat', 'src/models/mlp-kernel.wasm', 'src/models/svm-kernel.wat', 'src/models/svm-kernel.wasm',
  ]);
});

test('the shared snippet\'s fields are spliced into both kernels that call $exp', () => {
  const exp = regions(REPO_ROOT).get('fdlibm-exp')!.text;
  assert.match(exp, /^ {2}\(func \$exp \(export "exp"\)/);
  assert.match(exp, /\(func \$pow2 /);
  for (const file of ['src/models/mlp-kernel.wat', 'src/models/svm-kernel.wat']) {
    assert.ok(readFileSync(join(REPO_ROOT, file), 'utf8').includes(exp), `${file} lacks the exp snippet`);
  }
});

const region: ReadonlyMap<string, Region> = new Map([['loop', { source: 'gen.ts', text: '    (nop)\n    (nop)' }]]);

test('fillRegions rewrites a region\'s lines and its first line, keeping the indentation and the text around it', () => {
  const wat = ['(module', '  (func', '    ;; @generated-begin loop (stale note)', '    (unreachable)', '    ;; @generated-end loop', '  ))'].join('\n');
  assert.equal(fillRegions('k.wat', wat, region), [
    '(module', '  (func', '    ;; @generated-begin loop (edit gen.ts, then npm run build:wasm)', '    (nop)', '    (nop)',
    '    ;; @generated-end loop', '  ))',
  ].join('\n'));
  // Idempotent: a current file is left as it is.
  const once = fillRegions('k.wat', wat, region);
  assert.equal(fillRegions('k.wat', once, region), once);
});

test('fillRegions names the file and line of a malformed region', () => {
  const lines = (...body: string[]): string => ['(module', ...body, ')'].join('\n');
  assert.throws(() => fillRegions('k.wat', lines(';; @generated-begin lop', ';; @generated-end lop'), region),
    /^Error: k\.wat:2: unknown generated region "lop" \(known: loop\)$/);
  assert.throws(() => fillRegions('k.wat', lines(';; @generated-begin loop', '(nop)'), region),
    /^Error: k\.wat:2: region "loop" is not closed by ";; @generated-end loop"$/);
  assert.throws(() => fillRegions('k.wat', lines(';; @generated-begin loop', ';; @generated-begin loop', ';; @generated-end loop'), region),
    /k\.wat:2: region "loop" is not closed/);
  assert.throws(() => fillRegions('k.wat', lines('(nop)', ';; @generated-end loop'), region),
    /^Error: k\.wat:3: "@generated-end" without a "@generated-begin" before it$/);
});

test('a shared snippet must be a module whose fields sit between "(module" and ")" lines', () => {
  assert.equal(moduleFields('s.wat', ';; doc\n(module\n  (func $f)\n)\n'), '  (func $f)');
  assert.throws(() => moduleFields('s.wat', '(module (func $f))\n'), /^Error: s\.wat: a shared snippet must be a module/);
  assert.throws(() => moduleFields('s.wat', '  (func $f)\n'), /^Error: s\.wat: a shared snippet must be a module/);
});

test('assemble rejects text that does not parse or validate, naming the file and line', async () => {
  await assert.rejects(assemble('bad.wat', '(module\n  (func (result i32) (i32.const 1) (i32.bogus)))', { simd: false }), /bad\.wat:2/);
  await assert.rejects(assemble('bad.wat', '(module\n  (func (result i32)\n    (f64.const 1)))', { simd: false }), /type mismatch/);
  const ok = await assemble('ok.wat', '(module (func (export "one") (result i32) (i32.const 1)))', { simd: false });
  const { one } = new WebAssembly.Instance(new WebAssembly.Module(ok)).exports as { one: () => number };
  assert.equal(one(), 1);
});
