/**
 * NeuralNet: the seed's Keras network — Dense 64 (relu) → Dense 64 (relu) → Dense 1 (sigmoid), binary
 * cross-entropy, Adam (lr 1e-3) — on standardized inputs with balanced class weights, trained with
 * @tensorflow/tfjs on its WebAssembly backend (see tfjs-backend.ts for why not tfjs-node).
 *
 * Determinism: weights are initialised here from the seeded RNG (Keras's defaults: Glorot-uniform kernels, zero
 * biases) and every epoch's shuffle comes from the same RNG, so tfjs's own Math.random-based shuffling and
 * initialisers are never used. Training steps run in float32 on the wasm backend; on this machine the same seed
 * gives bit-identical weights (tested), but another backend (cpu fallback) or CPU may differ in the last bits.
 *
 * Prediction does not use tfjs: the forward pass of a 64-64-1 network is a few thousand multiply-adds per row,
 * done here in float64 from the stored float32 weights. That keeps predictProba synchronous and independent of
 * which tfjs backend is up, and makes a model loaded from JSON reproduce its probabilities exactly.
 *
 * The loss is weighted per row (class weight × sample weight, rescaled to mean 1), as Keras's class_weight does.
 */
import { z } from 'zod';
import { type Classifier, type ClassifierFactory, type ClassifierState, type FitOptions, type Params, rowWeights, thresholdProba } from './classifier.ts';
import { parseArtifactState, parseParams as parseParamsFor } from './params.ts';
import type { Matrix } from './matrix.ts';
import { createRng, shuffleInPlace, type Rng } from './rng.ts';
import { type Standardizer, assertTrainingSet, fitStandardizer, standardize, standardizerFromJSON, standardizerToJSON } from './standardize.ts';
import { type TfModule, initTfjs } from './tfjs-backend.ts';

const KIND = 'NeuralNet' as const;

const paramsSchema = z.object({
  hidden1: z.number().int().positive(),
  hidden2: z.number().int().positive(),
  epochs: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  learningRate: z.number().positive(),
  /** Used when fit() gets no classWeight. */
  classWeight: z.enum(['balanced', 'none']),
}).strict();
type NeuralNetParams = z.infer<typeof paramsSchema>;

const DEFAULTS: NeuralNetParams = { hidden1: 64, hidden2: 64, epochs: 30, batchSize: 256, learningRate: 1e-3, classWeight: 'balanced' };

/** One dense layer: `kernel` is nIn × nOut row-major (Keras's layout). */
interface Dense {
  kernel: Float64Array;
  bias: Float64Array;
  nIn: number;
  nOut: number;
}

const denseSchema = z.object({ kernel: z.array(z.number()), bias: z.array(z.number()), nIn: z.number().int().positive(), nOut: z.number().int().positive() });
const stateSchema = z.object({
  scaler: z.object({ mean: z.array(z.number()), scale: z.array(z.number()) }),
  layers: z.array(denseSchema).length(3),
  /** Which tfjs backend trained the model ('wasm' or 'cpu'), for the run log. */
  backend: z.string(),
});

interface Fitted {
  scaler: Standardizer;
  layers: Dense[];
  backend: string;
}

class NeuralNetClassifier implements Classifier {
  readonly kind = KIND;
  private fitted: Fitted | undefined;
  /** The layers re-laid out for prediction (derived from `fitted`, built on first use). */
  private unitMajor: UnitMajor[] | undefined;

  constructor(readonly params: Readonly<NeuralNetParams>, fitted?: Fitted) {
    this.fitted = fitted;
  }

  async fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void> {
    assertTrainingSet(X, y, options, KIND);
    const scaler = fitStandardizer(X, KIND);
    const Z = standardize(scaler, X, KIND);
    const w = meanOneWeights(rowWeights(y, options, this.params.classWeight === 'balanced'));
    const { tf, backend } = await initTfjs();
    const layers = trainNetwork(tf, Z, y, w, this.params, createRng(options.seed));
    this.fitted = { scaler, layers, backend };
    this.unitMajor = undefined;
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.requireFitted();
    const Z = standardize(f.scaler, X, KIND);
    const { nRows: n, nCols: d } = Z;
    const [l1, l2, l3] = (this.unitMajor ??= f.layers.map(toUnitMajor)) as [UnitMajor, UnitMajor, UnitMajor];
    const h1 = new Float64Array(4 * l1.nOut);
    const h2 = new Float64Array(4 * l2.nOut);
    const logits = new Float64Array(4);
    const tail = new Float64Array(4 * d); // the last 1-3 rows, zero-padded to a block of four
    const out = new Float64Array(n);
    for (let i = 0; i < n; i += 4) {
      const rows = Math.min(4, n - i);
      if (rows === 4) {
        dense4(l1, Z.data, i * d, h1, true);
      } else {
        tail.fill(0).set(Z.data.subarray(i * d, n * d));
        dense4(l1, tail, 0, h1, true);
      }
      dense4(l2, h1, 0, h2, true);
      dense4(l3, h2, 0, logits, false);
      for (let r = 0; r < rows; r++) {
        const z = logits[r]!;
        out[i + r] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      }
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
        layers: f.layers.map((l) => ({ kernel: Array.from(l.kernel), bias: Array.from(l.bias), nIn: l.nIn, nOut: l.nOut })),
        backend: f.backend,
      },
    };
  }

  private requireFitted(): Fitted {
    if (!this.fitted) throw new Error(`${KIND}: model is not fitted`);
    return this.fitted;
  }
}

/** A dense layer laid out for prediction: the weights into unit j are w[j·nIn .. (j+1)·nIn). */
interface UnitMajor {
  w: Float64Array;
  bias: Float64Array;
  nIn: number;
  nOut: number;
}

function toUnitMajor(l: Dense): UnitMajor {
  const w = new Float64Array(l.nIn * l.nOut);
  for (let k = 0; k < l.nIn; k++) for (let j = 0; j < l.nOut; j++) w[j * l.nIn + k] = l.kernel[k * l.nOut + j]!;
  return { w, bias: l.bias, nIn: l.nIn, nOut: l.nOut };
}

/**
 * One dense layer for four rows at once: x holds the rows at x[xo + r·nIn ..], out receives them at out[r·nOut ..];
 * ReLU when `relu`. Each weight is loaded once for four rows (V8 does not vectorise; this is ~1.6x faster than one
 * row at a time, which matters when KernelSHAP evaluates millions of rows).
 */
function dense4(l: UnitMajor, x: Float64Array, xo: number, out: Float64Array, relu: boolean): void {
  const { w, bias, nIn, nOut } = l;
  const x0 = xo, x1 = x0 + nIn, x2 = x1 + nIn, x3 = x2 + nIn;
  for (let j = 0; j < nOut; j++) {
    const wo = j * nIn;
    let s0 = bias[j]!, s1 = s0, s2 = s0, s3 = s0;
    for (let k = 0; k < nIn; k++) {
      const wk = w[wo + k]!;
      s0 += wk * x[x0 + k]!;
      s1 += wk * x[x1 + k]!;
      s2 += wk * x[x2 + k]!;
      s3 += wk * x[x3 + k]!;
    }
    if (relu) {
      s0 = s0 > 0 ? s0 : 0;
      s1 = s1 > 0 ? s1 : 0;
      s2 = s2 > 0 ? s2 : 0;
      s3 = s3 > 0 ? s3 : 0;
    }
    out[j] = s0;
    out[nOut + j] = s1;
    out[2 * nOut + j] = s2;
    out[3 * nOut + j] = s3;
  }
}

function meanOneWeights(w: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]!;
  if (!(s > 0)) throw new Error(`${KIND}: all row weights are zero`);
  const f = w.length / s;
  return w.map((v) => v * f);
}

/** Keras's Dense defaults: Glorot-uniform kernel (limit sqrt(6 / (fan_in + fan_out))), zero bias. */
function glorotDense(nIn: number, nOut: number, rng: Rng): Dense {
  const limit = Math.sqrt(6 / (nIn + nOut));
  // Math.fround: the values become float32 tensors; storing them rounded keeps the record exact.
  const kernel = Float64Array.from({ length: nIn * nOut }, () => Math.fround((rng() * 2 - 1) * limit));
  return { kernel, bias: new Float64Array(nOut), nIn, nOut };
}

/** Minibatch Adam on the weighted binary cross-entropy; returns the trained layers. */
function trainNetwork(tf: TfModule, Z: Matrix, y: Uint8Array, w: Float64Array, p: NeuralNetParams, rng: Rng): Dense[] {
  const { nRows: n, nCols: d } = Z;
  const init = [glorotDense(d, p.hidden1, rng), glorotDense(p.hidden1, p.hidden2, rng), glorotDense(p.hidden2, 1, rng)];
  // tidy() frees the initial-value tensors; the variables (not tracked by tidy) keep their own reference.
  const vars = tf.tidy(() => init.flatMap((l) => [
    tf.variable(tf.tensor2d(Float32Array.from(l.kernel), [l.nIn, l.nOut])),
    tf.variable(tf.tensor1d(Float32Array.from(l.bias))),
  ]));
  const [k1, b1, k2, b2, k3, b3] = vars as [typeof vars[0], typeof vars[0], typeof vars[0], typeof vars[0], typeof vars[0], typeof vars[0]];
  const optimizer = tf.train.adam(p.learningRate);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const batchSize = Math.min(p.batchSize, n);
  const xb = new Float32Array(batchSize * d);
  const yb = new Float32Array(batchSize);
  const wb = new Float32Array(batchSize);
  try {
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      shuffleInPlace(rng, order);
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(n, start + batchSize) - start;
        for (let b = 0; b < m; b++) {
          const r = order[start + b]!;
          xb.set(Z.data.subarray(r * d, (r + 1) * d), b * d);
          yb[b] = y[r]!;
          wb[b] = w[r]!;
        }
        tf.tidy(() => {
          const xs = tf.tensor2d(xb.subarray(0, m * d), [m, d]);
          const ys = tf.tensor2d(yb.subarray(0, m), [m, 1]);
          const ws = tf.tensor2d(wb.subarray(0, m), [m, 1]);
          optimizer.minimize(() => {
            const h1 = tf.relu(tf.add(tf.matMul(xs, k1), b1));
            const h2 = tf.relu(tf.add(tf.matMul(h1, k2), b2));
            const logits = tf.add(tf.matMul(h2, k3), b3);
            // Binary cross-entropy from logits, the stable form: max(z,0) − z·y + log(1 + e^−|z|).
            const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, ys)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
            return tf.mean(tf.mul(bce, ws)) as ReturnType<typeof tf.scalar>;
          }, false, vars);
        });
      }
    }
    return init.map((l, i) => ({
      kernel: Float64Array.from(vars[2 * i]!.dataSync()),
      bias: Float64Array.from(vars[2 * i + 1]!.dataSync()),
      nIn: l.nIn,
      nOut: l.nOut,
    }));
  } finally {
    optimizer.dispose();
    for (const v of vars) v.dispose();
  }
}

function parseParams(params: Partial<Params> | undefined): NeuralNetParams {
  return parseParamsFor(KIND, paramsSchema, DEFAULTS, params);
}

export const neuralNetFactory: ClassifierFactory = {
  kind: KIND,
  defaultParams: DEFAULTS,
  create: (params) => new NeuralNetClassifier(parseParams(params)),
  fromJSON(state: ClassifierState): Classifier {
    const data = parseArtifactState(KIND, state, stateSchema);
    const params = parseParams(state.params);
    const scaler = standardizerFromJSON(data.scaler, KIND);
    const layers = data.layers.map((l, i) => {
      if (l.kernel.length !== l.nIn * l.nOut || l.bias.length !== l.nOut) throw new Error(`${KIND}: artifact layer ${i} has inconsistent shapes`);
      return { kernel: Float64Array.from(l.kernel), bias: Float64Array.from(l.bias), nIn: l.nIn, nOut: l.nOut };
    });
    const shapesChain = layers[0]!.nIn === scaler.mean.length && layers[1]!.nIn === layers[0]!.nOut && layers[2]!.nIn === layers[1]!.nOut && layers[2]!.nOut === 1;
    if (!shapesChain) throw new Error(`${KIND}: artifact layers do not chain ${scaler.mean.length} features → 1 output`);
    return new NeuralNetClassifier(params, { scaler, layers, backend: data.backend });
  },
};
