import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { compileWasmFile } from '../../src/models/wasm-module.ts';
import { KERNEL_KINDS, fitKernelModels } from '../helpers/kernel-fits.ts';

test('a missing kernel file is reported with its path and how to rebuild it', () => {
  const url = new URL('./no-such-kernel.wasm', import.meta.url);
  assert.throws(() => compileWasmFile(url), (err: Error) => {
    assert.match(err.message, /^cannot read the WebAssembly kernel .*no-such-kernel\.wasm \(ENOENT/);
    assert.match(err.message, /`npm run build:wasm` rebuilds it$/);
    return true;
  });
});

test('a kernel compiles from its file, next to the module that loads it', () => {
  const module = compileWasmFile(new URL('../../src/models/mlp-kernel.wasm', import.meta.url));
  assert.deepEqual(WebAssembly.Module.exports(module).map((e) => e.name).sort(), ['exp', 'init', 'memory', 'step']);
});

/** fitKernelModels() in a fresh worker thread, which registers tsx first as the training workers do. */
function fitInWorker(): Promise<unknown> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.tsx)
      .then(({ register }) => { register(); return import(workerData.fits); })
      .then((fits) => fits.fitKernelModels())
      .then((result) => parentPort.postMessage(result));`;
  const workerData = { tsx: import.meta.resolve('tsx/esm/api'), fits: new URL('../helpers/kernel-fits.ts', import.meta.url).href };
  const worker = new Worker(code, { eval: true, workerData });
  return new Promise((resolve, reject) => {
    worker.once('message', (result) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before replying`)));
  });
}

test('in a worker thread the kernels load from their files and train the same models as on the main thread', async () => {
  const [inWorker, here] = await Promise.all([fitInWorker(), fitKernelModels()]);
  assert.deepEqual(Object.keys(here), [...KERNEL_KINDS]);
  for (const kind of KERNEL_KINDS) assert.equal(here[kind].length, 160, kind);
  assert.deepEqual(inWorker, here);
});
