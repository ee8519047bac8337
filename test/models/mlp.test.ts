import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type FitOptions, rowWeights } from '../../src/models/classifier.ts';
import type { Matrix } from '../../src/models/matrix.ts';
import { mlpFactory } from '../../src/models/mlp.ts';
import { kernelModule } from '../../src/models/mlp-kernel.ts';
import { createRng, shuffleInPlace } from '../../src/models/rng.ts';
import { fitStandardizer, standardize } from '../../src/models/standardize.ts';
import { expArgumentGenerators } from '../helpers/wasm.ts';
import { accuracy } from './fixtures.ts';

/** XOR of the signs of x0 and x1 (needs the hidden layer), plus noise features; a margin around the axes. */
function xor(n: number, d: number, seed: number): { X: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = rng() * 2 - 1;
    for (const j of [0, 1]) if (Math.abs(data[i * d + j]!) < 0.15) data[i * d + j] = Math.sign(data[i * d + j]! || 1) * 0.15;
    y[i] = data[i * d]! * data[i * d + 1]! > 0 ? 1 : 0;
  }
  return { X: { nRows: n, nCols: d, data }, y };
}

const train = xor(800, 4, 1);
const holdout = xor(400, 4, 2);

test('MLP learns a separable problem that is not linearly separable (XOR)', async () => {
  const model = mlpFactory.create();
  await model.fit(train.X, train.y, { seed: 1 });
  assert.ok(accuracy(model.predict(holdout.X), holdout.y) > 0.95);
});

test('the same seed gives the same network; another seed a different one', async () => {
  const fit = async (seed: number) => {
    const m = mlpFactory.create({ maxIter: 20 });
    await m.fit(train.X, train.y, { seed });
    return m.predictProba(holdout.X);
  };
  const a = await fit(7);
  assert.deepEqual(await fit(7), a);
  assert.notDeepEqual(await fit(8), a);
});

test('MLP round-trips through JSON with identical probabilities', async () => {
  const model = mlpFactory.create({ maxIter: 30, hiddenUnits: 16 });
  await model.fit(train.X, train.y, { seed: 3 });
  const loaded = mlpFactory.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
  const p = model.predictProba(holdout.X);
  assert.deepEqual(loaded.predictProba(holdout.X), p);
  assert.equal(loaded.params.hiddenUnits, 16);
  // Rows are evaluated in blocks of four: a 3-row matrix (a padded block) gives the same values.
  const three = { nRows: 3, nCols: 4, data: holdout.X.data.subarray(4 * 5, 4 * 8) };
  assert.deepEqual(Array.from(model.predictProba(three)), Array.from(p.subarray(5, 8)));
});

test('training stops after n_iter_no_change epochs without a tol improvement (scikit-learn rule)', async () => {
  // With a huge tol only the first epoch improves on the initial best loss (infinity); every later epoch counts
  // as "no change", and training stops when that count exceeds nIterNoChange: after 1 + (4 + 1) epochs.
  const model = mlpFactory.create({ tol: 1e9, nIterNoChange: 4 });
  await model.fit(train.X, train.y, { seed: 1 });
  assert.equal((model.toJSON().state as { epochs: number }).epochs, 6);
  const capped = mlpFactory.create({ tol: 0, maxIter: 3 });
  await capped.fit(train.X, train.y, { seed: 1 });
  assert.equal((capped.toJSON().state as { epochs: number }).epochs, 3);
});

test('balanced class weights raise the minority class probabilities', async () => {
  // 10% positives, heavily overlapping: weighting the loss shifts the predicted probabilities up.
  const rng = createRng(5);
  const n = 600;
  const data = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.1 ? 1 : 0;
    data[i * 2] = y[i]! * 0.5 + rng() * 2;
    data[i * 2 + 1] = rng();
  }
  const X = { nRows: n, nCols: 2, data };
  const meanP = async (classWeight: 'balanced' | 'none') => {
    const m = mlpFactory.create({ classWeight, maxIter: 100, hiddenUnits: 8, learningRate: 0.01 });
    await m.fit(X, y, { seed: 1 });
    return m.predictProba(X).reduce((a, b) => a + b, 0) / n;
  };
  const balanced = await meanP('balanced');
  const none = await meanP('none');
  assert.ok(balanced > 0.35 && none < 0.2, `mean P(1): balanced ${balanced}, unweighted ${none}`);
});

test('MLP validates params and artifacts', () => {
  assert.throws(() => mlpFactory.create({ hiddenUnits: 0 }), /MLP: invalid parameters/);
  const bad = { kind: 'MLP' as const, params: {}, state: { scaler: { mean: [0], scale: [1] }, w1: [1], b1: [1], w2: [1], b2: 0, epochs: 1, loss: 1 } };
  assert.throws(() => mlpFactory.fromJSON(bad), /do not match 1 features x 100 hidden units/);
});

// ---- The WebAssembly training kernel ---------------------------------------------------------------------------

/**
 * The plain TypeScript loops the kernel replaces (the previous implementation of mlp.ts's train), written for
 * clarity: rows are grouped in blocks of four (zero-padded) and each gradient term sums a block as
 * ((r0 + r1) + r2) + r3. The kernel must give bit-identical weights.
 * (This reference skips, per unit, the blocks whose four deltas are all zero; the kernel adds their zero sums. That
 * can only change the sign of a zero gradient, which adam ignores: see mlp-kernel.wat's backwardBlock.)
 */
function referenceTrain(X: Matrix, y: Uint8Array, fit: FitOptions, p: { hiddenUnits: number; batchSize: number; maxIter: number; alpha: number; learningRate: number; tol: number; nIterNoChange: number }) {
  const Z = standardize(fitStandardizer(X, 'ref'), X, 'ref');
  const { nRows: n, nCols: d } = Z;
  const H = p.hiddenUnits;
  const raw = rowWeights(y, fit, true);
  const total = raw.reduce((a, b) => a + b, 0);
  const w = raw.map((v) => v * (n / total));
  const rng = createRng(fit.seed);
  const uniform = (len: number, bound: number) => Float64Array.from({ length: len }, () => (rng() * 2 - 1) * bound);
  const w1 = uniform(d * H, Math.sqrt(6 / (d + H)));
  const b1 = uniform(H, Math.sqrt(6 / (d + H)));
  const w2 = uniform(H, Math.sqrt(6 / (H + 1)));
  const b2 = uniform(1, Math.sqrt(6 / (H + 1)));
  const params = [w1, b1, w2, b2];
  const moments = params.map((a) => ({ m: new Float64Array(a.length), v: new Float64Array(a.length) }));
  const sum4 = (a: number, b: number, c: number, e: number) => a + b + c + e;
  const batchSize = Math.min(p.batchSize, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let t = 0, best = Infinity, noImprovement = 0, epoch = 0, epochLoss = NaN;
  while (epoch < p.maxIter) {
    epoch++;
    shuffleInPlace(rng, order);
    let accumulated = 0;
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(n, start + batchSize) - start;
      const mp = Math.ceil(m / 4) * 4;
      const rows = Array.from({ length: mp }, (_, b) => (b < m ? Z.data.subarray(order[start + b]! * d, (order[start + b]! + 1) * d) : new Float64Array(d)));
      const h = rows.map((z) => Float64Array.from({ length: H }, (_, j) => {
        let s = b1[j]!;
        for (let k = 0; k < d; k++) s += w1[j * d + k]! * z[k]!;
        return s > 0 ? s : 0;
      }));
      const od = new Float64Array(mp);
      let dataLoss = 0;
      for (let b = 0; b < m; b++) {
        const r = order[start + b]!;
        let o = b2[0]!;
        for (let j = 0; j < H; j++) o += h[b]![j]! * w2[j]!;
        const prob = o >= 0 ? 1 / (1 + Math.exp(-o)) : Math.exp(o) / (1 + Math.exp(o));
        const pc = Math.min(Math.max(prob, Number.EPSILON), 1 - Number.EPSILON);
        dataLoss -= w[r]! * (y[r] ? Math.log(pc) : Math.log(1 - pc));
        od[b] = (w[r]! * (prob - y[r]!)) / m;
      }
      let sq = 0;
      for (const v of w1) sq += v * v;
      for (const v of w2) sq += v * v;
      accumulated += dataLoss + 0.5 * p.alpha * sq;
      const l2 = p.alpha / m;
      const grads = [w1.map((v) => l2 * v), new Float64Array(H), w2.map((v) => l2 * v), new Float64Array(1)];
      const [gw1, gb1, gw2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
      for (let b = 0; b < mp; b += 4) {
        const o = [od[b]!, od[b + 1]!, od[b + 2]!, od[b + 3]!];
        gb2[0] += sum4(o[0]!, o[1]!, o[2]!, o[3]!);
        for (let j = 0; j < H; j++) {
          const a = [0, 1, 2, 3].map((r) => h[b + r]![j]!);
          gw2[j] += sum4(o[0]! * a[0]!, o[1]! * a[1]!, o[2]! * a[2]!, o[3]! * a[3]!);
          const dl = a.map((ar, r) => (ar > 0 ? o[r]! * w2[j]! : 0));
          if (dl.every((v) => v === 0)) continue;
          gb1[j] += sum4(dl[0]!, dl[1]!, dl[2]!, dl[3]!);
          for (let k = 0; k < d; k++) {
            gw1[j * d + k] += sum4(dl[0]! * rows[b]![k]!, dl[1]! * rows[b + 1]![k]!, dl[2]! * rows[b + 2]![k]!, dl[3]! * rows[b + 3]![k]!);
          }
        }
      }
      t++;
      const lrT = (p.learningRate * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      params.forEach((param, q) => {
        const { m: mo, v } = moments[q]!;
        for (let i = 0; i < param.length; i++) {
          const g = grads[q]![i]!;
          mo[i] = 0.9 * mo[i]! + (1 - 0.9) * g;
          v[i] = 0.999 * v[i]! + (1 - 0.999) * g * g;
          param[i] -= (lrT * mo[i]!) / (Math.sqrt(v[i]!) + 1e-8);
        }
      });
    }
    epochLoss = accumulated / n;
    if (epochLoss > best - p.tol) noImprovement++;
    else noImprovement = 0;
    if (epochLoss < best) best = epochLoss;
    if (noImprovement > p.nIterNoChange) break;
  }
  return { w1: Array.from(w1), b1: Array.from(b1), w2: Array.from(w2), b2: b2[0]!, epochs: epoch, loss: epochLoss };
}

test('the WebAssembly kernel trains bit-identical weights to the plain TypeScript loops', async () => {
  // Shapes that exercise every path of the kernel: hidden units padded to a multiple of four (H = 7, 9, 2, 13; pad
  // units must stay out of the outputs and the L2 term), batches that are not multiples of four (a last block with
  // zero rows) nor of a group of four blocks (16 rows), a short last batch, a batch of fewer than four rows, one
  // input. Sample weights with zeros and alpha = 0 make zero output deltas and zero L2 terms: the kernel sums the
  // blocks that the reference skips for having only zero deltas, which must not change any weight.
  const cases = [
    { n: 203, d: 5, H: 7, batchSize: 50, maxIter: 6, seed: 1 },
    { n: 150, d: 11, H: 9, batchSize: 64, maxIter: 5, seed: 2 },
    { n: 97, d: 16, H: 4, batchSize: 200, maxIter: 8, seed: 3 },
    { n: 61, d: 1, H: 2, batchSize: 37, maxIter: 12, seed: 4 },
    { n: 131, d: 19, H: 13, batchSize: 75, maxIter: 4, seed: 5, alpha: 0 },
    { n: 3, d: 2, H: 5, batchSize: 200, maxIter: 15, seed: 6 },
  ];
  for (const c of cases) {
    const data = xor(c.n, c.d, c.seed);
    const sampleWeight = c.seed === 2 ? Float64Array.from({ length: c.n }, (_, i) => 1 + (i % 3))
      : c.seed === 5 ? Float64Array.from({ length: c.n }, (_, i) => (i % 4 === 1 ? 0 : 1 + (i % 5) / 2)) : undefined;
    const params = { hiddenUnits: c.H, batchSize: c.batchSize, maxIter: c.maxIter, alpha: c.alpha ?? 1e-4, learningRate: 1e-3, tol: 1e-4, nIterNoChange: 10 };
    const model = mlpFactory.create(params);
    await model.fit(data.X, data.y, { seed: c.seed, sampleWeight });
    const got = model.toJSON().state as ReturnType<typeof referenceTrain>;
    const want = referenceTrain(data.X, data.y, { seed: c.seed, sampleWeight }, params);
    assert.deepEqual({ w1: got.w1, b1: got.b1, w2: got.w2, b2: got.b2, epochs: got.epochs, loss: got.loss }, want, JSON.stringify(c));
  }
});

test('the kernel\'s exp (the sigmoid of the training loss) is bit for bit Math.exp', () => {
  const { exp } = new WebAssembly.Instance(kernelModule()).exports as { exp: (x: number) => number };
  for (const gen of expArgumentGenerators(11)) {
    for (let i = 0; i < 20000; i++) {
      const x = gen();
      const want = Math.exp(x);
      const got = exp(x);
      if (!Object.is(got, want)) assert.fail(`exp(${x}) = ${got}, Math.exp gives ${want}`);
    }
  }
});
