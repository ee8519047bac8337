/**
 * Our histogram RandomForest against the reference `ml-random-forest` on real data: BTC's bundled candles, the 19
 * features and the SMA10 trend labels (uptrend and downtrend), the seed's chronological split (first 95% of the
 * labeled rows train, last 5% test).
 *
 * ml-random-forest needs ~3 minutes for one 100-tree forest at this size, so the default reference is a smaller
 * forest (20 trees, 50% of the features per tree, no out-of-bag pass); BENCH_FULL=1 runs its 100-tree default
 * (all features) instead. The speed-up is reported per tree as well, since the forests differ in size.
 *
 * Also reported: the other tree-engine kinds on the same data, and TreeSHAP time for each on the test rows.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RandomForestClassifier as MlRandomForest } from 'ml-random-forest';
import { parseCandleCsv } from '../src/data/csv.ts';
import { buildDataset } from '../src/data/dataset.ts';
import type { Trend } from '../src/data/candle.ts';
import type { ClassifierFactory } from '../src/models/classifier.ts';
import { type Matrix, sliceRows, toRows } from '../src/models/matrix.ts';
import { randomForestFactory } from '../src/models/random-forest.ts';
import { histGradientBoostingFactory } from '../src/models/hist-gradient-boosting.ts';
import { lightGbmFactory } from '../src/models/lightgbm.ts';
import { adaBoostFactory } from '../src/models/adaboost.ts';
import { treeShap } from '../src/explain/tree-shap.ts';

const SEED = 42;
const FULL = process.env.BENCH_FULL === '1';
const REFERENCE_CONFIG = FULL
  ? { nEstimators: 100, maxFeatures: 1.0, noOOB: true, seed: SEED }
  : { nEstimators: 20, maxFeatures: 0.5, noOOB: true, seed: SEED };
const TARGET_FIT_SECONDS = 2;

interface Split {
  trend: Trend;
  Xtrain: Matrix;
  ytrain: Uint8Array;
  Xtest: Matrix;
  ytest: Uint8Array;
}

function loadSplits(): Split[] {
  const path = fileURLToPath(new URL('../data/ohlcv/BTC.csv', import.meta.url));
  const { candles } = parseCandleCsv(readFileSync(path, 'utf8'), path);
  return (['uptrend', 'downtrend'] as const).map((trend) => {
    const ds = buildDataset('BTC', candles, { trend, window: 10, targetPct: trend === 'uptrend' ? 0.05 : -0.05, period: 7 });
    const n = ds.X.nRows;
    const cut = Math.floor(n * 0.95);
    return { trend, Xtrain: sliceRows(ds.X, 0, cut), ytrain: ds.y.subarray(0, cut), Xtest: sliceRows(ds.X, cut, n), ytest: ds.y.subarray(cut) };
  });
}

function accuracy(pred: ArrayLike<number>, y: Uint8Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) ok += pred[i] === y[i] ? 1 : 0;
  return round(ok / y.length);
}

/** Mean of the true-positive and true-negative rates: 0.5 for a constant prediction, whatever the base rate. */
function balancedAccuracy(pred: ArrayLike<number>, y: Uint8Array): number {
  let tp = 0, pos = 0, tn = 0, neg = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i]) {
      pos++;
      tp += pred[i] === 1 ? 1 : 0;
    } else {
      neg++;
      tn += pred[i] === 0 ? 1 : 0;
    }
  }
  return round(((pos ? tp / pos : 0) + (neg ? tn / neg : 0)) / 2);
}

function round(v: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function seconds(since: number): number {
  return round((performance.now() - since) / 1000, 3);
}

/** Fits one kind three times (the first includes JIT warm-up) and reports the median, plus accuracy and SHAP time. */
async function ours(factory: ClassifierFactory, s: Split, params: Record<string, number> = {}) {
  const times: number[] = [];
  let model = factory.create(params);
  for (let rep = 0; rep < 3; rep++) {
    model = factory.create(params);
    const t0 = performance.now();
    await model.fit(s.Xtrain, s.ytrain, { seed: SEED });
    times.push(seconds(t0));
  }
  const t0 = performance.now();
  treeShap(model.treeEnsemble!(), s.Xtest);
  const shapSeconds = seconds(t0);
  const pred = model.predict(s.Xtest);
  return {
    fitSeconds: [...times].sort((a, b) => a - b)[1]!,
    firstFitSeconds: times[0]!,
    testAccuracy: accuracy(pred, s.ytest),
    testBalancedAccuracy: balancedAccuracy(pred, s.ytest),
    treeShapSecondsOnTestRows: shapSeconds,
  };
}

function reference(s: Split) {
  const rf = new MlRandomForest(REFERENCE_CONFIG);
  const t0 = performance.now();
  rf.train(toRows(s.Xtrain), Array.from(s.ytrain));
  const fitSeconds = seconds(t0);
  const pred = rf.predict(toRows(s.Xtest));
  return { fitSeconds, testAccuracy: accuracy(pred, s.ytest), testBalancedAccuracy: balancedAccuracy(pred, s.ytest) };
}

export default async function randomForestBench(): Promise<Record<string, unknown>> {
  const perTrend: Record<string, unknown> = {};
  let allFast = true;
  let allAccurate = true;
  for (const s of loadSplits()) {
    process.stderr.write(`  random-forest: ${s.trend}, ml-random-forest ${REFERENCE_CONFIG.nEstimators} trees ...\n`);
    const ref = reference(s);
    const rf100 = await ours(randomForestFactory, s);
    const rfSameSize = await ours(randomForestFactory, s, { nEstimators: REFERENCE_CONFIG.nEstimators });
    const secondsPerTreeOurs = rf100.fitSeconds / 100;
    const secondsPerTreeRef = ref.fitSeconds / REFERENCE_CONFIG.nEstimators;
    allFast &&= rf100.fitSeconds < TARGET_FIT_SECONDS;
    allAccurate &&= rf100.testAccuracy >= ref.testAccuracy;
    let positives = 0;
    for (const v of s.ytest) positives += v;
    perTrend[s.trend] = {
      trainRows: s.Xtrain.nRows,
      testRows: s.Xtest.nRows,
      features: s.Xtrain.nCols,
      testBaseRate: round(positives / s.ytest.length),
      ours: { randomForest100Trees: rf100, [`randomForest${REFERENCE_CONFIG.nEstimators}Trees`]: rfSameSize },
      reference: ref,
      speedUpPerTree: round(secondsPerTreeRef / secondsPerTreeOurs, 1),
      speedUpSameForestSize: round(ref.fitSeconds / rfSameSize.fitSeconds, 1),
      oursAtLeastAsAccurate: rf100.testAccuracy >= ref.testAccuracy,
      otherTreeEngineKinds: {
        HistGradientBoosting: await ours(histGradientBoostingFactory, s),
        LightGBM: await ours(lightGbmFactory, s),
        AdaBoost: await ours(adaBoostFactory, s),
      },
    };
  }
  return {
    data: 'BTC (data/ohlcv/BTC.csv), 19 features, SMA10 trend labels (window 10, +-5%), chronological 95/5 split',
    referenceConfig: { library: 'ml-random-forest 2.1.0', ...REFERENCE_CONFIG, full: FULL },
    oursConfig: 'RandomForest defaults: 100 trees, sqrt features per split, bootstrap, balanced class weight, unlimited depth, 255 bins',
    perTrend,
    targets: {
      randomForestFitUnderSeconds: TARGET_FIT_SECONDS,
      fitTargetMet: allFast,
      atLeastAsAccurateAsReference: allAccurate,
    },
  };
}
