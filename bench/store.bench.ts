/**
 * Storage figures (issue 3), for the embedded store in a temporary directory, and for MongoDB when MONGODB_URI is
 * set (in a throw-away database that is dropped afterwards):
 * - recording one deployment: 1 parent run + 10 child runs with metrics, a ~200 KB artifact, and one
 *   registerVersion that moves the champion alias;
 * - inserting 10,000 predictions (20 coins x 2 trends x 250 days, 19 features each) with savePredictions;
 * - a filtered query over them: symbol + trend + as-of range, one page of 100;
 * - embedded only: reopening the store with all of that in it (journal replay).
 * Targets are this project's own, reported and never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { NewPrediction, Store } from '../src/store/ports.ts';
import { registeredModelName } from '../src/store/ports.ts';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.ts';
import { openMongoStore } from '../src/store/mongo/mongo-store.ts';
import { encodeArtifact } from '../src/store/artifact-format.ts';
import { TRENDS } from '../src/data/candle.ts';

const SYMBOLS = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'AVAX', 'DOGE', 'DOT', 'LINK', 'MATIC', 'LTC', 'BCH', 'UNI', 'ATOM', 'XLM', 'ETC', 'FIL', 'AAVE', 'GRT'];
const CLASSIFIERS = ['RandomForest', 'SupportVectorMachine', 'XGBoost', 'HistGradientBoosting', 'AdaBoost', 'Ridge', 'KNeighbors', 'MLP', 'LightGBM', 'NeuralNet'];
const FEATURES = Array.from({ length: 19 }, (_, i) => `feature_${i}`);
const DAYS = 250;
const TARGETS = { deploymentMs: 250, insert10kPredictionsMs: 3000, filteredQueryMs: 50 };

const metrics = (seed: number) => ({
  accuracy: 0.6 + seed / 100, precision: 0.55, negative_accuracy: 0.7, positive_accuracy: 0.5, overall: 0.6, auc: 0.62,
  brier: 0.23, base_rate: 0.4, lift: 1.37, tp: 40, fp: 33, tn: 120, fn: 40, n: 233,
});

async function recordDeployment(store: Store, symbol: string, artifact: Uint8Array): Promise<void> {
  const parent = await store.createRun({ experiment: 'deploy/uptrend', name: `${symbol} uptrend`, symbol, trend: 'uptrend', params: { protocol: 'seed', window: 10 } });
  for (const [i, kind] of CLASSIFIERS.entries()) {
    const child = await store.createRun({ experiment: 'deploy/uptrend', parentRunId: parent.id, name: kind, symbol, trend: 'uptrend', params: { seed: 42 } });
    await store.updateRun(child.id, { metrics: metrics(i) });
    await store.endRun(child.id, 'FINISHED');
  }
  const artifactId = await store.putArtifact(artifact, { kind: 'XGBoost' });
  await store.updateRun(parent.id, { artifactId, metrics: metrics(0) });
  await store.registerVersion({
    modelName: registeredModelName(symbol, 'uptrend'), symbol, trend: 'uptrend', sourceRunId: parent.id, artifactId,
    tags: {
      classifier: 'XGBoost', metrics: metrics(0), featureNames: FEATURES,
      shapImportance: Object.fromEntries(FEATURES.map((f, j) => [f, j / 1000])), shapMeanAbs: Object.fromEntries(FEATURES.map((f, j) => [f, j / 100])),
      targetPct: 0.05, window: 10, dataRange: { from: '2020-01-01', to: '2024-12-31' }, protocol: 'seed',
    },
    promote: { alias: 'champion', reason: 'beats the current champion', actor: 'bench' },
  });
  await store.endRun(parent.id, 'FINISHED');
}

function predictions(): NewPrediction[] {
  const out: NewPrediction[] = [];
  const start = Date.UTC(2024, 0, 1);
  for (let d = 0; d < DAYS; d++) {
    const asOf = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
    for (const symbol of SYMBOLS) {
      for (const trend of TRENDS) {
        out.push({
          modelName: registeredModelName(symbol, trend), version: 1, symbol, trend, asOf, probability: ((d * 7) % 100) / 100,
          features: Object.fromEntries(FEATURES.map((f, j) => [f, Math.sin(d + j) * 100])), classifier: 'XGBoost',
        });
      }
    }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 100) / 100;

async function measure(store: Store, reopen?: () => Promise<Store>): Promise<Record<string, unknown>> {
  // ~200 KB model: 25,000 float64 weights.
  const artifact = encodeArtifact({ kind: 'XGBoost', params: { depth: 5 }, featureNames: FEATURES, state: { weights: new Float64Array(25_000).map((_, i) => i / 7) } });
  const deployTimes: number[] = [];
  for (const symbol of SYMBOLS.slice(0, 7)) {
    const t = performance.now();
    await recordDeployment(store, symbol, artifact);
    deployTimes.push(performance.now() - t);
  }
  const deploymentMs = median(deployTimes.slice(1)); // the first one pays for warm-up

  const batch = predictions();
  let t = performance.now();
  await store.savePredictions(batch);
  const insert10kPredictionsMs = performance.now() - t;

  const queryTimes: number[] = [];
  let hits = 0;
  for (let i = 0; i < 21; i++) {
    t = performance.now();
    const page = await store.listPredictions({ symbol: 'ETH', trend: 'downtrend', from: '2024-02-01', to: '2024-07-31', limit: 100 });
    queryTimes.push(performance.now() - t);
    hits = page.total;
  }
  const filteredQueryMs = median(queryTimes.slice(1));

  const result: Record<string, unknown> = {
    deploymentMs: round(deploymentMs),
    firstDeploymentMs: round(deployTimes[0]!),
    artifactBytes: artifact.byteLength,
    insert10kPredictionsMs: round(insert10kPredictionsMs),
    predictions: batch.length,
    filteredQueryMs: round(filteredQueryMs),
    filteredQueryMatches: hits,
    targets: TARGETS,
    met: {
      deployment: deploymentMs <= TARGETS.deploymentMs,
      insert10kPredictions: insert10kPredictionsMs <= TARGETS.insert10kPredictionsMs,
      filteredQuery: filteredQueryMs <= TARGETS.filteredQueryMs,
    },
  };
  if (reopen) {
    t = performance.now();
    const reopened = await reopen();
    result.reopenMs = round(performance.now() - t);
    result.reopenedPredictions = (await reopened.listPredictions({ limit: 1 })).total;
  }
  return result;
}

export default async function storeBench(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};

  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-bench-store-'));
  let store = await openEmbeddedStore({ dataDir: dir });
  try {
    out.embedded = await measure(store, async () => {
      await store.close();
      store = await openEmbeddedStore({ dataDir: dir });
      return store;
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const uri = process.env.MONGODB_URI;
  if (!uri) {
    out.mongo = { skipped: 'MONGODB_URI not set' };
    return out;
  }
  const dbName = `signal_pool_bench_${randomUUID().slice(0, 8)}`;
  const mongo = await openMongoStore({ uri, dbName, connectTimeoutMs: 10_000 });
  try {
    out.mongo = await measure(mongo);
  } catch (err) {
    out.mongo = { error: err instanceof Error ? err.message : String(err) };
  } finally {
    await mongo.close();
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    await client.db(dbName).dropDatabase().finally(() => client.close());
  }
  return out;
}
