import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { deployTrend, type DeployOptions } from '../../src/pipeline/deploy.ts';
import { loadModel } from '../../src/pipeline/artifacts.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { createClassifier } from '../../src/models/registry.ts';
import { inProcessTrainer } from '../../src/pipeline/trainer.ts';
import type { Classifier, ClassifierKind } from '../../src/models/classifier.ts';
import { registeredModelName, type Store } from '../../src/store/ports.ts';
import { bundledCandles, storeWith, tempStore, testConfig } from '../helpers/system.ts';

const here = dirname(fileURLToPath(import.meta.url));
// A permissive gate makes registration deterministic; the real gate is tested in gate.test.ts.
const config = testConfig({ 'gate.positiveAccuracy': 0, 'gate.negativeAccuracy': 0, 'gate.overall': 0, protocol: 'seed' });
const loadCandles = bundledCandles(config);
const cleanups: (() => Promise<void>)[] = [];
after(async () => { for (const c of cleanups) await c(); });

function options(over: Partial<DeployOptions> = {}): DeployOptions {
  return { trend: 'uptrend', symbols: ['BTC'], classifiers: ['Ridge', 'KNeighbors', 'RandomForest'], protocol: 'seed', seed: 7, actor: 'test', ...over };
}

async function registrySnapshot(store: Store) {
  const models = await store.listRegisteredModels();
  const out: Record<string, unknown> = {};
  for (const m of models) {
    out[m.name] = {
      versions: (await store.listVersions(m.name)).map((v) => ({ v: v.version, artifact: v.artifactId, classifier: v.tags.classifier })),
      champion: (await store.getAlias(m.name, 'champion'))?.version ?? null,
      history: (await store.aliasHistory(m.name)).length,
    };
  }
  return out;
}

test('a deployment logs a parent run with one child per classifier and registers a champion with its tags', async () => {
  const t = await tempStore();
  cleanups.push(t.cleanup);
  const summary = await deployTrend({ config, store: t.store, logger: silentLogger, loadCandles }, options());
  const s = summary.symbols[0]!;
  assert.equal(s.ok, true, s.error ?? '');
  assert.equal(s.registered, true);
  assert.equal(s.becameChampion, true);
  const parents = await t.store.listRuns({ parentRunId: null });
  assert.equal(parents.items.length, 1);
  assert.equal(parents.items[0]!.status, 'FINISHED');
  const children = await t.store.listRuns({ parentRunId: parents.items[0]!.id });
  assert.deepEqual(children.items.map((r) => r.name).sort(), ['KNeighbors', 'RandomForest', 'Ridge']);
  for (const c of children.items) {
    assert.equal(c.status, 'FINISHED');
    assert.ok(c.artifactId, 'every run logs its artifact');
    assert.ok(Number.isFinite(c.metrics.test_overall));
  }
  const v = await t.store.getAlias(registeredModelName('BTC', 'uptrend'), 'champion');
  assert.ok(v);
  assert.equal(v.tags.classifier, s.selected);
  assert.equal(v.tags.featureNames.length, 19);
  assert.equal(Object.keys(v.tags.shapImportance).length, 19);
  assert.equal(v.tags.targetPct, 0.05);
  assert.equal(v.tags.window, 10);
  assert.equal(v.tags.protocol, 'seed');
  assert.ok(v.tags.dataRange.from < v.tags.dataRange.to);
  // The selected kind has the best test overall score among the pool (seed protocol).
  const best = Math.max(...children.items.map((c) => c.metrics.test_overall!));
  assert.equal(v.tags.metrics.overall, best);
  const model = await loadModel(t.store, v.artifactId, v.tags.featureNames);
  assert.equal(model.kind, s.selected);
});

test('a classifier that throws is a FAILED run and does not stop the pool', async () => {
  const t = await tempStore();
  cleanups.push(t.cleanup);
  const make = (kind: ClassifierKind): Classifier => {
    const real = createClassifier(kind);
    if (kind !== 'KNeighbors') return real;
    return Object.assign(Object.create(Object.getPrototypeOf(real)), real, { fit: async () => { throw new Error('boom in fit'); } });
  };
  const summary = await deployTrend({ config, store: t.store, logger: silentLogger, loadCandles, makeClassifier: make }, options({ classifiers: ['Ridge', 'KNeighbors'] }));
  assert.equal(summary.symbols[0]!.ok, true);
  assert.equal(summary.symbols[0]!.selected, 'Ridge');
  const failed = await t.store.listRuns({ status: 'FAILED' });
  assert.equal(failed.items.length, 1);
  assert.equal(failed.items[0]!.name, 'KNeighbors');
  assert.match(failed.items[0]!.error ?? '', /boom in fit/);
});

test('the same data and seed give identical metrics', async () => {
  const a = await tempStore();
  const b = await tempStore();
  cleanups.push(a.cleanup, b.cleanup);
  const opts = options({ symbols: ['ETH'], trend: 'downtrend', protocol: 'walk-forward' });
  const wf = testConfig({ 'gate.positiveAccuracy': 0, 'gate.negativeAccuracy': 0, 'gate.overall': 0 });
  const s1 = await deployTrend({ config: wf, store: a.store, logger: silentLogger, loadCandles }, opts);
  const s2 = await deployTrend({ config: wf, store: b.store, logger: silentLogger, loadCandles }, opts);
  assert.deepEqual(s1.symbols[0]!.testMetrics, s2.symbols[0]!.testMetrics);
  assert.equal(s1.symbols[0]!.validationOverall, s2.symbols[0]!.validationOverall);
  const v = await a.store.getAlias(registeredModelName('ETH', 'downtrend'), 'champion');
  assert.equal(v?.tags.protocol, 'walk-forward');
  assert.ok(v?.tags.validationMetrics, 'walk-forward versions carry validation metrics');
});

test('worker threads and in-process training register the same version (metrics, SHAP, model)', async () => {
  const a = await tempStore();
  const b = await tempStore();
  cleanups.push(a.cleanup, b.cleanup);
  // DOGE selects kNN (KernelSHAP) for uptrend and HistGradientBoosting (TreeSHAP) for downtrend.
  const opts = options({ symbols: ['DOGE'], classifiers: ['HistGradientBoosting', 'KNeighbors'] });
  for (const trend of ['uptrend', 'downtrend'] as const) {
    const viaWorkers = await deployTrend({ config, store: a.store, logger: silentLogger, loadCandles }, { ...opts, trend });
    const inProcess = await deployTrend({ config, store: b.store, logger: silentLogger, loadCandles, trainer: inProcessTrainer() }, { ...opts, trend });
    assert.equal(viaWorkers.symbols[0]!.selected, inProcess.symbols[0]!.selected);
    assert.ok(viaWorkers.symbols[0]!.registered && inProcess.symbols[0]!.registered, `${trend}: registered in both`);
    const name = registeredModelName('DOGE', trend);
    const va = (await a.store.getAlias(name, 'champion'))!;
    const vb = (await b.store.getAlias(name, 'champion'))!;
    for (const key of ['metrics', 'shapImportance', 'shapMeanAbs', 'shapMethod', 'params', 'evaluation', 'pool'] as const) {
      if (key === 'pool') assert.deepEqual((va.tags.pool as { metrics: unknown }[]).map((m) => m.metrics), (vb.tags.pool as { metrics: unknown }[]).map((m) => m.metrics));
      else assert.deepEqual(va.tags[key], vb.tags[key], `${trend} ${key}`);
    }
    const [ma, mb] = [await loadModel(a.store, va.artifactId, va.tags.featureNames), await loadModel(b.store, vb.artifactId, vb.tags.featureNames)];
    assert.deepEqual(ma.toJSON(), mb.toJSON());
  }
  const methods = new Set<string>();
  for (const trend of ['uptrend', 'downtrend'] as const) methods.add(String((await a.store.getAlias(registeredModelName('DOGE', trend), 'champion'))!.tags.shapMethod));
  assert.deepEqual([...methods].sort(), ['kernel', 'tree'], 'both SHAP methods were exercised');
});

test('a failure during registration leaves the registry and the champion unchanged', async () => {
  const t = await tempStore();
  cleanups.push(t.cleanup);
  await deployTrend({ config, store: t.store, logger: silentLogger, loadCandles }, options({ classifiers: ['Ridge'] }));
  const before = await registrySnapshot(t.store);
  const failing = storeWith(t.store, { registerVersion: async () => { throw new Error('store went away'); } });
  const summary = await deployTrend({ config, store: failing, logger: silentLogger, loadCandles }, options({ classifiers: ['KNeighbors'] }));
  assert.equal(summary.symbols[0]!.ok, false);
  assert.match(summary.symbols[0]!.error ?? '', /store went away/);
  assert.deepEqual(await registrySnapshot(t.store), before);
  const parents = await t.store.listRuns({ parentRunId: null, status: 'FAILED' });
  assert.equal(parents.items.length, 1);
});

test('kill -9 in the middle of a deployment leaves the registry exactly as it was', async () => {
  const t = await tempStore();
  cleanups.push(t.cleanup);
  await deployTrend({ config, store: t.store, logger: silentLogger, loadCandles }, options({ classifiers: ['Ridge'] }));
  const before = await registrySnapshot(t.store);
  await t.store.close();
  // The child deploys BTC again with a slow pool and reports each finished classifier; we kill it after the first.
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'deploy-child.ts'), t.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('classifier-done')) { child.kill('SIGKILL'); resolve(); } });
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}: ${stderr}`)));
  });
  await new Promise((r) => child.once('exit', r));
  const store = await t.reopen();
  assert.deepEqual(await registrySnapshot(store), before);
  const running = await store.listRuns({ status: 'RUNNING' });
  assert.ok(running.items.length >= 1, 'the interrupted parent run is still visible as RUNNING');
});
