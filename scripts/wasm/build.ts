/**
 * Builds the hand-written WebAssembly kernels (MLP, SVM, XGBoost, tree engine) from their text.
 *
 * Each kernel's source is a `.wat` file next to the TypeScript that drives it, and its assembled bytes are the
 * `.wasm` file beside it, which the TypeScript loads at run time. Both are committed: a production install
 * (`npm ci --omit=dev`) has no wabt, and committed bytes cannot change under a model because a newer wabt was
 * installed. test/scripts/wasm/build.test.ts fails when a committed file differs from what this builds.
 *
 * Text that WebAssembly cannot share without macros is generated into `@generated` regions of the `.wat` files:
 *
 *     ;; @generated-begin <name> (edit <source>, then npm run build:wasm)
 *     ...
 *     ;; @generated-end <name>
 *
 * The build replaces each region's lines with the text of its source (the shared fdlibm exp in
 * src/models/wasm-exp.wat; the tree kernel's templated loops in scripts/wasm/tree-kernel-templates.ts), so every
 * `.wat` file stays a complete module that any wat2wasm assembles on its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import loadWabt from 'wabt';
import { TREE_KERNEL_REGIONS } from './tree-kernel-templates.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Kernel {
  /** The kernel's text, relative to the repository root; its bytes are the `.wasm` file of the same name. */
  readonly wat: string;
  /** Post-MVP features the text uses (wabt rejects SIMD instructions unless asked). */
  readonly simd: boolean;
}

export const KERNELS: readonly Kernel[] = [
  { wat: 'src/models/mlp-kernel.wat', simd: true },
  { wat: 'src/models/svm-kernel.wat', simd: true },
  { wat: 'src/models/xgboost-kernel.wat', simd: false },
  { wat: 'src/models/tree/kernel.wat', simd: false },
];

export function wasmPath(kernel: Kernel): string {
  return kernel.wat.replace(/\.wat$/, '.wasm');
}

/** A generated region's text and the file to edit to change it (named in the region's first line). */
export interface Region {
  readonly source: string;
  readonly text: string;
}

const EXP_SNIPPET = 'src/models/wasm-exp.wat';
const TREE_TEMPLATES = 'scripts/wasm/tree-kernel-templates.ts';

/** Every generated region, by name, as the sources in the repository at `root` give it now. */
export function regions(root: string): Map<string, Region> {
  const all = new Map<string, Region>();
  all.set('fdlibm-exp', { source: EXP_SNIPPET, text: moduleFields(EXP_SNIPPET, readFileSync(join(root, EXP_SNIPPET), 'utf8')) });
  for (const [name, text] of Object.entries(TREE_KERNEL_REGIONS)) all.set(name, { source: TREE_TEMPLATES, text });
  return all;
}

/**
 * The fields of a snippet that is itself a module (so that editors and wat2wasm check it alone): the lines between
 * its `(module` line and its closing `)` line.
 */
export function moduleFields(file: string, wat: string): string {
  const lines = wat.replace(/\n+$/, '').split('\n');
  const open = lines.findIndex((line) => line.trim() === '(module');
  if (open < 0 || lines.at(-1)!.trim() !== ')') {
    throw new Error(`${file}: a shared snippet must be a module whose "(module" and closing ")" stand on lines of their own`);
  }
  return lines.slice(open + 1, -1).join('\n');
}

const BEGIN = /^(\s*);; @generated-begin (\S+)/;
const END = /^\s*;; @generated-end (\S+)\s*$/;

/** `wat` (the text of `file`) with every generated region rewritten from `regions`. */
export function fillRegions(file: string, wat: string, regions: ReadonlyMap<string, Region>): string {
  const lines = wat.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const begin = BEGIN.exec(line);
    if (!begin) {
      if (END.test(line)) throw new Error(`${file}:${i + 1}: "@generated-end" without a "@generated-begin" before it`);
      out.push(line);
      continue;
    }
    const [, pad, name] = begin as unknown as [string, string, string];
    const region = regions.get(name);
    if (!region) throw new Error(`${file}:${i + 1}: unknown generated region "${name}" (known: ${[...regions.keys()].join(', ')})`);
    let end = i + 1;
    while (end < lines.length && !BEGIN.test(lines[end]!) && !END.test(lines[end]!)) end++;
    const endName = END.exec(lines[end] ?? '')?.[1];
    if (endName !== name) throw new Error(`${file}:${i + 1}: region "${name}" is not closed by ";; @generated-end ${name}"`);
    out.push(`${pad};; @generated-begin ${name} (edit ${region.source}, then npm run build:wasm)`);
    out.push(region.text);
    out.push(`${pad};; @generated-end ${name}`);
    i = end;
  }
  return out.join('\n');
}

let wabt: ReturnType<typeof loadWabt> | undefined;

/** `wat` assembled by wabt's wat2wasm, after validation; errors name `file` and the line. */
export async function assemble(file: string, wat: string, opts: { simd: boolean }): Promise<Uint8Array<ArrayBuffer>> {
  wabt ??= loadWabt();
  const module = (await wabt).parseWat(file, wat, opts.simd ? { simd: true } : {});
  try {
    module.validate();
    // wat2wasm's defaults, spelled out: no name section, so comments, names and layout never reach the bytes.
    return module.toBinary({ log: false, canonicalize_lebs: true, relocatable: false, write_debug_names: false }).buffer.slice();
  } finally {
    module.destroy();
  }
}

export interface BuiltKernel {
  readonly kernel: Kernel;
  /** The kernel's text with its generated regions rewritten. */
  readonly wat: string;
  /** That text assembled. */
  readonly wasm: Uint8Array<ArrayBuffer>;
}

/** Every kernel of the repository at `root`, rebuilt in memory (nothing is written). */
export async function buildKernels(root: string): Promise<BuiltKernel[]> {
  const sources = regions(root);
  const built: BuiltKernel[] = [];
  for (const kernel of KERNELS) {
    const wat = fillRegions(kernel.wat, readFileSync(join(root, kernel.wat), 'utf8'), sources);
    built.push({ kernel, wat, wasm: await assemble(kernel.wat, wat, kernel) });
  }
  return built;
}

/** The committed kernel files under `root` that differ from what the build writes (empty when all are current). */
export async function staleFiles(root: string): Promise<string[]> {
  const stale: string[] = [];
  for (const { kernel, wat, wasm } of await buildKernels(root)) {
    if (readFileSync(join(root, kernel.wat), 'utf8') !== wat) stale.push(kernel.wat);
    const committed = existsSync(join(root, wasmPath(kernel))) ? readFileSync(join(root, wasmPath(kernel))) : undefined;
    if (!committed?.equals(wasm)) stale.push(wasmPath(kernel));
  }
  return stale;
}
