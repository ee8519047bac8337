/**
 * One-time set-up of TensorFlow.js for the NeuralNet kind.
 *
 * `@tensorflow/tfjs-node` cannot be installed here (its install script downloads libtensorflow from outside npm),
 * so NeuralNet uses plain `@tensorflow/tfjs` with the WebAssembly backend: measured 1.9 s for Dense 64-64-1 on
 * 2000×19 × 20 epochs at batch 256, against 4.5 s on the pure-JS cpu backend. The .wasm binaries ship inside the
 * npm package; we point the backend at those local files (it would otherwise try to fetch them).
 * If the wasm backend cannot start, we fall back to the cpu backend and say so in the returned value.
 *
 * tfjs prints a banner recommending tfjs-node on the cpu backend's first use; production mode silences it.
 * Like the other emscripten builds, the wasm backend registers process-wide error handlers; wasm-guard removes them.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { loadEmscriptenPort } from './wasm-guard.ts';

export type TfModule = typeof import('@tensorflow/tfjs');

export interface TfjsRuntime {
  tf: TfModule;
  backend: 'wasm' | 'cpu';
  /** Why the wasm backend was not used, when it was not. */
  fallbackReason?: string;
}

let runtime: Promise<TfjsRuntime> | undefined;

/** Initialises tfjs once per process; every call returns the same runtime. */
export function initTfjs(): Promise<TfjsRuntime> {
  // The wasm backend is an emscripten build too: it adds the same process handlers as libsvm-js/ml-xgboost.
  runtime ??= loadEmscriptenPort(start);
  return runtime;
}

async function start(): Promise<TfjsRuntime> {
  const tf = await import('@tensorflow/tfjs');
  tf.enableProdMode(); // silences tfjs's warnings (the tfjs-node banner) and skips debug-only checks
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    // The .wasm files sit next to the package's entry point (dist/); the loader wants a directory prefix.
    wasm.setWasmPaths(`${dirname(entry)}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    await tf.ready();
    return { tf, backend: 'wasm' };
  } catch (err) {
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, backend: 'cpu', fallbackReason: err instanceof Error ? err.message : String(err) };
  }
}
