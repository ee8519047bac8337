/**
 * Fit time per kind on real data: BTC's and ETH's bundled candles, both trends, the 19 features, the seed's
 * chronological split (first 95% of the labeled rows train: ~2,870 rows), seed 42 — the training sets of the
 * pipeline benchmark's pools. Each kind is fitted on the four sets; the projection multiplies the mean fit by the
 * pipeline's 40 pools and divides by its 2 worker threads.
 *
 * Before/after in one process: BENCH_BASELINE_REF=<git ref> extracts that commit's src/ into a temporary directory
 * and fits its classifiers on the same data, alternating with the current ones (so machine load hits both alike),
 * and reports the speed-up and the largest probability difference on the test rows. E.g.
 *   BENCH_BASELINE_REF=cefb976 BENCH_KINDS=MLP,SupportVectorMachine,XGBoost npm run bench -- classifiers
 * BENCH_KINDS restricts the kinds (default: the eight scikit-learn kinds).
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ClassifierFactory, type ClassifierKind, SKLEARN_KINDS } from '../src/models/classifier.ts';
import { extractBaseline, type SeedSplitSet, seedSplitSets } from './shared.ts';

const SEED = 42;
const SYMBOLS = ['BTC', 'ETH'];
const POOLS = 40;
const WORKERS = 2;
/** The pipeline benchmark's budget for all 40 pools (features, fits, selection; SHAP excluded). */
const PIPELINE_TARGET_SECONDS = 40;
/** Goal of the MLP rewrite: at least this much faster than the plain TypeScript version (needs a baseline). */
const MLP_SPEEDUP_TARGET = 3;

/** Where each kind lives (the same map is used for the baseline's files). */
const MODULES: Record<string, { file: string; factory: string }> = {
  RandomForest: { file: 'random-forest.ts', factory: 'randomForestFactory' },
  SupportVectorMachine: { file: 'svm.ts', factory: 'supportVectorMachineFactory' },
  XGBoost: { file: 'xgboost.ts', factory: 'xgboostFactory' },
  HistGradientBoosting: { file: 'hist-gradient-boosting.ts', factory: 'histGradientBoostingFactory' },
  AdaBoost: { file: 'adaboost.ts', factory: 'adaBoostFactory' },
  Ridge: { file: 'ridge.ts', factory: 'ridgeFactory' },
  KNeighbors: { file: 'knn.ts', factory: 'kNeighborsFactory' },
  MLP: { file: 'mlp.ts', factory: 'mlpFactory' },
};

async function loadFactory(modelsDir: string, kind: string): Promise<ClassifierFactory> {
  const m = MODULES[kind];
  if (!m) throw new Error(`classifiers bench: unknown kind ${kind} (known: ${Object.keys(MODULES).join(', ')})`);
  const mod = (await import(pathToFileURL(join(modelsDir, m.file)).href)) as Record<string, ClassifierFactory>;
  const factory = mod[m.factory];
  if (!factory) throw new Error(`classifiers bench: ${join(modelsDir, m.file)} has no export ${m.factory}`);
  return factory;
}

async function timedFit(factory: ClassifierFactory, set: SeedSplitSet): Promise<{ seconds: number; proba: Float64Array }> {
  const model = factory.create();
  const started = performance.now();
  await model.fit(set.X, set.y, { seed: SEED });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, proba: model.predictProba(set.Xtest) };
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export default async function classifiersBench(): Promise<Record<string, unknown>> {
  const kinds = (process.env.BENCH_KINDS?.split(',').map((k) => k.trim()).filter(Boolean) ?? [...SKLEARN_KINDS]) as ClassifierKind[];
  const baselineRef = process.env.BENCH_BASELINE_REF;
  const sets = seedSplitSets(SYMBOLS);
  const currentDir = fileURLToPath(new URL('../src/models/', import.meta.url));
  const baseline = baselineRef ? extractBaseline(baselineRef, 'classifiers') : undefined;
  const perKind: Record<string, unknown> = {};
  let projectedPipelineFit = 0;
  let mlpSpeedup: number | null = null;
  try {
    for (const kind of kinds) {
      const current = await loadFactory(currentDir, kind);
      const before = baseline ? await loadFactory(join(baseline.srcDir, 'models'), kind) : undefined;
      // One untimed fit first: wasm compilation and JIT warm-up are paid once per worker, not per pool.
      await timedFit(current, sets[0]!);
      if (before) await timedFit(before, sets[0]!);
      let after = 0, beforeSeconds = 0, maxProbaDiff = 0;
      for (const set of sets) {
        const a = await timedFit(current, set);
        after += a.seconds;
        if (before) {
          const b = await timedFit(before, set);
          beforeSeconds += b.seconds;
          for (let i = 0; i < a.proba.length; i++) maxProbaDiff = Math.max(maxProbaDiff, Math.abs(a.proba[i]! - b.proba[i]!));
        }
      }
      const mean = after / sets.length;
      projectedPipelineFit += (mean * POOLS) / WORKERS;
      const entry: Record<string, unknown> = { fit_seconds_mean: round(mean), fit_seconds_total: round(after), projected_40_pools_cpu_seconds: round(mean * POOLS, 1) };
      if (before) {
        const speedup = beforeSeconds / after;
        if (kind === 'MLP') mlpSpeedup = speedup;
        Object.assign(entry, { baseline_fit_seconds_mean: round(beforeSeconds / sets.length), speedup: round(speedup, 2), max_test_proba_diff: maxProbaDiff });
      }
      perKind[kind] = entry;
      process.stderr.write(`  ${kind}: ${JSON.stringify(entry)}\n`);
    }
  } finally {
    baseline?.cleanup();
  }
  return {
    data: { sets: sets.map((s) => s.name), train_rows: sets.map((s) => s.X.nRows), features: sets[0]!.X.nCols, seed: SEED },
    baseline_ref: baselineRef ?? null,
    kinds: perKind,
    projected_pipeline_fit_seconds_2_workers: round(projectedPipelineFit, 1),
    targets: { pipeline_fit_seconds: PIPELINE_TARGET_SECONDS, mlp_speedup: MLP_SPEEDUP_TARGET },
    met: {
      pipeline_fit: kinds.length === SKLEARN_KINDS.length ? projectedPipelineFit <= PIPELINE_TARGET_SECONDS : null,
      mlp_speedup: mlpSpeedup === null ? null : mlpSpeedup >= MLP_SPEEDUP_TARGET,
    },
  };
}
