/**
 * Loads a hand-written WebAssembly kernel (MLP, SVM, XGBoost, tree engine) from its `.wasm` file, which sits next
 * to the TypeScript that drives it and is assembled from the `.wat` beside it by `npm run build:wasm`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Compiles the `.wasm` file at `url`. Callers resolve it from their own module, `new URL('./x.wasm',
 * import.meta.url)`, so it is found whatever the working directory, in worker threads too. Synchronous on purpose:
 * a kernel is a few KB, read and compiled once per thread on its first use.
 */
export function compileWasmFile(url: URL): WebAssembly.Module {
  let bytes: Buffer<ArrayBuffer>;
  try {
    bytes = readFileSync(url);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot read the WebAssembly kernel ${fileURLToPath(url)} (${reason}); it is committed next to its `
      + '.wat source, and `npm run build:wasm` rebuilds it');
  }
  return new WebAssembly.Module(bytes);
}
