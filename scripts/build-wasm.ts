/**
 * `npm run build:wasm`: rewrites the generated regions of the kernels' `.wat` files and assembles each into the
 * `.wasm` file beside it (see scripts/wasm/build.ts). Writes only the files whose content changes.
 * `npm run build:wasm -- --check` writes nothing and exits 1 when a committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, buildKernels, staleFiles, wasmPath } from './wasm/build.ts';

/** Writes `content` to `file` (relative to the repository) unless it already holds it; says which. */
function update(file: string, content: string | Uint8Array): string {
  const path = join(REPO_ROOT, file);
  const next = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  let current: Buffer | undefined;
  try {
    current = readFileSync(path);
  } catch {
    current = undefined;
  }
  if (current?.equals(next)) return 'unchanged';
  writeFileSync(path, next);
  return 'written';
}

async function main(check: boolean): Promise<void> {
  if (check) {
    const stale = await staleFiles(REPO_ROOT);
    for (const file of stale) console.error(`stale: ${file}`);
    if (stale.length > 0) throw new Error('run `npm run build:wasm` and commit the .wat and .wasm files it writes');
    console.log('every WebAssembly kernel is up to date');
    return;
  }
  for (const { kernel, wat, wasm } of await buildKernels(REPO_ROOT)) {
    console.log(`${kernel.wat}: ${update(kernel.wat, wat)}`);
    console.log(`${wasmPath(kernel)}: ${wasm.byteLength.toLocaleString('en-US')} bytes, ${update(wasmPath(kernel), wasm)}`);
  }
}

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--check');
if (unknown.length > 0) {
  console.error(`build:wasm: unknown argument ${unknown.join(' ')} (the only option is --check)`);
  process.exitCode = 2;
} else {
  try {
    await main(args.includes('--check'));
  } catch (err) {
    // A syntax or validation error in a .wat file: wabt's message names the file and line; a stack adds nothing.
    console.error(`build:wasm failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
