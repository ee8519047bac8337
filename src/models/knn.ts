/**
 * KNeighbors: scikit-learn's KNeighborsClassifier defaults (k = 5, uniform weights, Euclidean distance), on
 * standardized inputs (the seed used raw features, where volume would dominate every distance).
 * P(1) = the share of class-1 rows among the k nearest training rows.
 *
 * scikit-learn's kNN has no class_weight, so none is applied by default. If fit() is given class or sample
 * weights explicitly, each neighbour votes with its row weight: P(1) = Σ w(neighbours of class 1) / Σ w(neighbours).
 *
 * Own brute-force search on typed arrays instead of `ml-knn`: the artifact is the (scaled) training set either
 * way, and a flat Float64Array scan with early exit beats ml-knn's KD-tree in 19 dimensions (see the README).
 * Ties in distance go to the earlier training row, so results are deterministic.
 */
import { z } from 'zod';
import { type Classifier, type ClassifierFactory, type ClassifierState, type FitOptions, type Params, rowWeights, thresholdProba } from './classifier.ts';
import { parseArtifactState, parseParams as parseParamsFor } from './params.ts';
import type { Matrix } from './matrix.ts';
import { type Standardizer, assertTrainingSet, fitStandardizer, standardize, standardizerFromJSON, standardizerToJSON } from './standardize.ts';

const KIND = 'KNeighbors' as const;

const paramsSchema = z.object({
  nNeighbors: z.number().int().positive(),
}).strict();
type KnnParams = z.infer<typeof paramsSchema>;

const DEFAULTS: KnnParams = { nNeighbors: 5 };

const stateSchema = z.object({
  scaler: z.object({ mean: z.array(z.number()), scale: z.array(z.number()) }),
  /** Standardized training rows, row-major. */
  X: z.array(z.number()),
  y: z.array(z.union([z.literal(0), z.literal(1)])),
  /** Row weights, or null when every row votes 1. */
  weights: z.array(z.number()).nullable(),
});

interface Fitted {
  scaler: Standardizer;
  train: Matrix;
  y: Uint8Array;
  weights: Float64Array | null;
}

class KNeighborsClassifier implements Classifier {
  readonly kind = KIND;
  private fitted: Fitted | undefined;

  constructor(readonly params: Readonly<KnnParams>, fitted?: Fitted) {
    this.fitted = fitted;
  }

  async fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void> {
    assertTrainingSet(X, y, options, KIND);
    const scaler = fitStandardizer(X, KIND);
    const weighted = options.classWeight !== undefined || options.sampleWeight !== undefined;
    this.fitted = {
      scaler,
      train: standardize(scaler, X, KIND),
      y: Uint8Array.from(y),
      weights: weighted ? rowWeights(y, options, false) : null,
    };
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.requireFitted();
    const Q = standardize(f.scaler, X, KIND);
    const k = Math.min(this.params.nNeighbors, f.train.nRows);
    const out = new Float64Array(Q.nRows);
    const nearest = new Int32Array(k);
    const nearestDist = new Float64Array(k);
    for (let i = 0; i < Q.nRows; i++) {
      findNearest(f.train, Q.data, i * Q.nCols, k, nearest, nearestDist);
      let pos = 0;
      let total = 0;
      for (let m = 0; m < k; m++) {
        const r = nearest[m]!;
        const w = f.weights ? f.weights[r]! : 1;
        total += w;
        if (f.y[r]) pos += w;
      }
      out[i] = total > 0 ? pos / total : 0;
    }
    return out;
  }

  predict(X: Matrix): Uint8Array {
    return thresholdProba(this.predictProba(X));
  }

  toJSON(): ClassifierState {
    const f = this.requireFitted();
    return {
      kind: KIND,
      params: { ...this.params },
      state: {
        scaler: standardizerToJSON(f.scaler),
        X: Array.from(f.train.data),
        y: Array.from(f.y),
        weights: f.weights ? Array.from(f.weights) : null,
      },
    };
  }

  private requireFitted(): Fitted {
    if (!this.fitted) throw new Error(`${KIND}: model is not fitted`);
    return this.fitted;
  }
}

/**
 * Fills `idx`/`dist` with the k nearest training rows to the query at q[qOffset..], nearest first (squared
 * Euclidean distance; ties keep the earlier row). A row is abandoned as soon as its partial distance exceeds the
 * current k-th best, which skips most of the arithmetic once good neighbours are known.
 */
function findNearest(train: Matrix, q: Float64Array, qOffset: number, k: number, idx: Int32Array, dist: Float64Array): void {
  const { nRows: n, nCols: d, data } = train;
  let filled = 0;
  let worst = Infinity;
  for (let r = 0; r < n; r++) {
    const o = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const diff = data[o + j]! - q[qOffset + j]!;
      s += diff * diff;
      if (s >= worst) break;
    }
    if (filled === k && s >= worst) continue;
    // Insertion into the sorted top-k list; strict "<" keeps earlier rows ahead on ties.
    let pos = filled < k ? filled : k - 1;
    while (pos > 0 && dist[pos - 1]! > s) {
      dist[pos] = dist[pos - 1]!;
      idx[pos] = idx[pos - 1]!;
      pos--;
    }
    dist[pos] = s;
    idx[pos] = r;
    if (filled < k) filled++;
    if (filled === k) worst = dist[k - 1]!;
  }
}

function parseParams(params: Partial<Params> | undefined): KnnParams {
  return parseParamsFor(KIND, paramsSchema, DEFAULTS, params);
}

export const kNeighborsFactory: ClassifierFactory = {
  kind: KIND,
  defaultParams: DEFAULTS,
  create: (params) => new KNeighborsClassifier(parseParams(params)),
  fromJSON(state: ClassifierState): Classifier {
    const data = parseArtifactState(KIND, state, stateSchema);
    const params = parseParams(state.params);
    const scaler = standardizerFromJSON(data.scaler, KIND);
    const d = scaler.mean.length;
    const n = data.y.length;
    if (data.X.length !== n * d) throw new Error(`${KIND}: artifact has ${data.X.length} values for ${n} rows x ${d} features`);
    if (data.weights && data.weights.length !== n) throw new Error(`${KIND}: artifact has ${data.weights.length} weights for ${n} rows`);
    return new KNeighborsClassifier(params, {
      scaler,
      train: { nRows: n, nCols: d, data: Float64Array.from(data.X) },
      y: Uint8Array.from(data.y),
      weights: data.weights ? Float64Array.from(data.weights) : null,
    });
  },
};
