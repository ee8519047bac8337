import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadEmscriptenPort, loadLibsvm, loadXgboost } from '../../src/models/wasm-guard.ts';

const EVENTS = ['unhandledRejection', 'uncaughtException'] as const;
const snapshot = () => EVENTS.map((e) => process.listeners(e).slice());

test('handlers added while a port loads are removed; handlers that were there before stay', async () => {
  const mine = () => undefined;
  process.on('uncaughtException', mine);
  try {
    const before = snapshot();
    const result = await loadEmscriptenPort(async () => {
      process.on('unhandledRejection', () => process.exit(1));
      process.on('uncaughtException', (e) => { throw e; });
      return 42;
    });
    assert.equal(result, 42);
    assert.deepEqual(snapshot(), before);
    assert.ok(process.listeners('uncaughtException').includes(mine));
  } finally {
    process.removeListener('uncaughtException', mine);
  }
});

test('the handlers are removed even when loading fails', async () => {
  const before = snapshot();
  await assert.rejects(loadEmscriptenPort(async () => {
    process.on('unhandledRejection', () => undefined);
    throw new Error('load failed');
  }), /load failed/);
  assert.deepEqual(snapshot(), before);
});

test('loading libsvm-js and ml-xgboost leaves the process handlers as they were', async () => {
  const before = snapshot();
  const [svm, xgb] = await Promise.all([loadLibsvm(), loadXgboost()]);
  assert.equal(typeof svm, 'function');
  assert.equal(typeof xgb, 'function');
  assert.deepEqual(snapshot(), before);
  assert.equal(await loadLibsvm(), svm, 'loaded once per process');
});

test('after loading the ports, an unrelated unhandled rejection is still reported by Node, not swallowed', () => {
  // Without the guard, libsvm-js's handler calls process.exit(1) and the error message never appears.
  const guard = fileURLToPath(new URL('../../src/models/wasm-guard.ts', import.meta.url));
  const script = `
    const { loadLibsvm, loadXgboost } = await import(${JSON.stringify(guard)});
    await loadLibsvm();
    await loadXgboost();
    Promise.reject(new Error('unrelated-failure-marker'));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(child.status, 0);
  assert.match(child.stderr, /unrelated-failure-marker/);
  assert.doesNotMatch(child.stderr + child.stdout, /wasm streaming compile failed|falling back to ArrayBuffer/);
});
