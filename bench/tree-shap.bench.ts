/**
 * TreeSHAP time on real data: BTC's and ETH's bundled candles, both trends, the 19 features, the seed's
 * chronological split (first 95% of the labeled rows train, the last 5% are explained: ~152 rows), seed 42. For each
 * set a RandomForest (100 fully grown trees: the slow case) and a HistGradientBoosting model are fitted once and
 * their test rows explained.
 *
 * Before/after in one process: BENCH_BASELINE_REF=<git ref> extracts that commit's src/ into a temporary directory
 * and explains the same ensembles with its treeShap, alternating with the current one (so machine load hits both
 * alike), and reports the speed-up and the largest difference between the two (0 when bit-identical). E.g.
 *   BENCH_BASELINE_REF=HEAD npm run bench -- tree-shap
 * BENCH_REPEATS (default 3) sets the timed runs per model and version. Always reported: local accuracy, the largest
 * |sum(phi) + E[f] - raw score| over the explained rows.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClassifierFactory } from '../src/models/classifier.ts';
import type { Matrix } from '../src/models/matrix.ts';
import { randomForestFactory } from '../src/models/random-forest.ts';
import { histGradientBoostingFactory } from '../src/models/hist-gradient-boosting.ts';
import { predictRaw } from '../src/models/tree/ensemble.ts';
import type { TreeEnsemble } from '../src/models/tree/tree.ts';
import { type TreeShapResult, treeShap } from '../src/explain/tree-shap.ts';
import { extractBaseline, seedSplitSets } from './shared.ts';

const SEED = 42;
const SYMBOLS = ['BTC', 'ETH'];
/** The goal of the grouped TreeSHAP: at least this much faster than the row-by-row walk on the forests. */
const FOREST_SPEEDUP_TARGET = 2;

type Explain = (ensemble: TreeEnsemble, X: Matrix) => TreeShapResult;

function timed(explain: Explain, e: TreeEnsemble, X: Matrix): { seconds: number; result: TreeShapResult } {
  const started = performance.now();
  const result = explain(e, X);
  return { seconds: (performance.now() - started) / 1000, result };
}

function localAccuracyError(e: TreeEnsemble, X: Matrix, r: TreeShapResult): number {
  const raw = predictRaw(e, X);
  let worst = 0;
  for (let i = 0; i < X.nRows; i++) {
    let sum = r.expectedValue;
    for (let j = 0; j < X.nCols; j++) sum += r.values[i * X.nCols + j]!;
    worst = Math.max(worst, Math.abs(sum - raw[i]!));
  }
  return worst;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export default async function treeShapBench(): Promise<Record<string, unknown>> {
  const baselineRef = process.env.BENCH_BASELINE_REF;
  const repeats = Number(process.env.BENCH_REPEATS ?? 3);
  const sets = seedSplitSets(SYMBOLS);
  const baseline = baselineRef ? extractBaseline(baselineRef, 'tree-shap') : undefined;
  const perKind: Record<string, unknown> = {};
  let forestSpeedup: number | null = null;
  try {
    const before = baseline ? ((await import(pathToFileURL(join(baseline.srcDir, 'explain', 'tree-shap.ts')).href)) as { treeShap: Explain }).treeShap : undefined;
    const kinds: [ClassifierFactory, string][] = [[randomForestFactory, 'RandomForest'], [histGradientBoostingFactory, 'HistGradientBoosting']];
    for (const [factory, kind] of kinds) {
      let after = 0, beforeSeconds = 0, maxDiff = 0, bitIdentical = true, accuracy = 0, rows = 0;
      for (const set of sets) {
        const model = factory.create();
        await model.fit(set.X, set.y, { seed: SEED });
        const e = model.treeEnsemble!();
        rows += set.Xtest.nRows;
        // One untimed run of each first: JIT warm-up.
        timed(treeShap, e, set.Xtest);
        if (before) timed(before, e, set.Xtest);
        for (let r = 0; r < repeats; r++) {
          const a = timed(treeShap, e, set.Xtest);
          after += a.seconds;
          accuracy = Math.max(accuracy, localAccuracyError(e, set.Xtest, a.result));
          if (!before) continue;
          const b = timed(before, e, set.Xtest);
          beforeSeconds += b.seconds;
          if (!Object.is(a.result.expectedValue, b.result.expectedValue)) bitIdentical = false;
          for (let k = 0; k < a.result.values.length; k++) {
            const d = Math.abs(a.result.values[k]! - b.result.values[k]!);
            if (d > maxDiff) maxDiff = d;
            if (!Object.is(a.result.values[k], b.result.values[k])) bitIdentical = false;
          }
        }
      }
      const entry: Record<string, unknown> = {
        seconds_per_model: round(after / (sets.length * repeats)),
        rows_per_model: Math.round(rows / sets.length),
        max_local_accuracy_error: accuracy,
      };
      if (before) {
        const speedup = beforeSeconds / after;
        if (kind === 'RandomForest') forestSpeedup = speedup;
        Object.assign(entry, {
          baseline_seconds_per_model: round(beforeSeconds / (sets.length * repeats)), speedup: round(speedup, 2),
          bit_identical: bitIdentical, max_abs_diff: maxDiff,
        });
      }
      perKind[kind] = entry;
      process.stderr.write(`  ${kind}: ${JSON.stringify(entry)}\n`);
    }
  } finally {
    baseline?.cleanup();
  }
  return {
    data: { sets: sets.map((s) => s.name), explained_rows: sets.map((s) => s.Xtest.nRows), features: sets[0]!.X.nCols, seed: SEED },
    baseline_ref: baselineRef ?? null,
    kinds: perKind,
    targets: { forest_speedup: FOREST_SPEEDUP_TARGET },
    met: { forest_speedup: forestSpeedup === null ? null : forestSpeedup >= FOREST_SPEEDUP_TARGET },
  };
}
