/**
 * What the store bench writes: one deployment's records (1 parent run + 10 child runs with metrics, a ~200 KB
 * artifact, a registered version that moves the champion) and a year of predictions for 20 coins x 2 trends. Shared
 * by the bench itself and by the store-only writer process of its contention measurement (store-writer.ts).
 */
import type { NewPrediction, Store, VersionTags } from '../src/store/ports.ts';
import { registeredModelName } from '../src/store/ports.ts';
import { encodeArtifact } from '../src/store/artifact-format.ts';
import { TRENDS, type Trend } from '../src/data/candle.ts';

export const SYMBOLS = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'AVAX', 'DOGE', 'DOT', 'LINK', 'MATIC', 'LTC', 'BCH', 'UNI', 'ATOM', 'XLM', 'ETC', 'FIL', 'AAVE', 'GRT'];
const CLASSIFIERS = ['RandomForest', 'SupportVectorMachine', 'XGBoost', 'HistGradientBoosting', 'AdaBoost', 'Ridge', 'KNeighbors', 'MLP', 'LightGBM', 'NeuralNet'];
export const FEATURES = Array.from({ length: 19 }, (_, i) => `feature_${i}`);

const metrics = (seed: number) => ({
  accuracy: 0.6 + seed / 100, precision: 0.55, negative_accuracy: 0.7, positive_accuracy: 0.5, overall: 0.6, auc: 0.62,
  brier: 0.23, base_rate: 0.4, lift: 1.37, tp: 40, fp: 33, tn: 120, fn: 40, n: 233,
});

export function versionTags(): VersionTags {
  return {
    classifier: 'XGBoost', metrics: metrics(0), featureNames: FEATURES,
    shapImportance: Object.fromEntries(FEATURES.map((f, j) => [f, j / 1000])), shapMeanAbs: Object.fromEntries(FEATURES.map((f, j) => [f, j / 100])),
    targetPct: 0.05, window: 10, dataRange: { from: '2020-01-01', to: '2024-12-31' }, protocol: 'seed',
  };
}

/** ~200 KB model: 25,000 float64 weights. */
export const benchArtifact = () =>
  encodeArtifact({ kind: 'XGBoost', params: { depth: 5 }, featureNames: FEATURES, state: { weights: new Float64Array(25_000).map((_, i) => i / 7) } });

export async function recordDeployment(store: Store, symbol: string, artifact: Uint8Array, trend: Trend = 'uptrend'): Promise<void> {
  const parent = await store.createRun({ experiment: `deploy/${trend}`, name: `${symbol} ${trend}`, symbol, trend, params: { protocol: 'seed', window: 10 } });
  for (const [i, kind] of CLASSIFIERS.entries()) {
    const child = await store.createRun({ experiment: `deploy/${trend}`, parentRunId: parent.id, name: kind, symbol, trend, params: { seed: 42 } });
    await store.updateRun(child.id, { metrics: metrics(i) });
    await store.endRun(child.id, 'FINISHED');
  }
  const artifactId = await store.putArtifact(artifact, { kind: 'XGBoost' });
  await store.updateRun(parent.id, { artifactId, metrics: metrics(0) });
  await store.registerVersion({
    modelName: registeredModelName(symbol, trend), symbol, trend, sourceRunId: parent.id, artifactId, tags: versionTags(),
    promote: { alias: 'champion', reason: 'beats the current champion', actor: 'bench' },
  });
  await store.endRun(parent.id, 'FINISHED');
}

export function predictions(days = 250, from = Date.UTC(2024, 0, 1)): NewPrediction[] {
  const out: NewPrediction[] = [];
  for (let d = 0; d < days; d++) {
    const asOf = new Date(from + d * 86_400_000).toISOString().slice(0, 10);
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
