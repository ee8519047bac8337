import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TreeShapResult, treeExpectation, treeShap } from '../../src/explain/tree-shap.ts';
import type { ClassifierFactory } from '../../src/models/classifier.ts';
import type { Matrix } from '../../src/models/matrix.ts';
import { createRng, type Rng } from '../../src/models/rng.ts';
import { adaBoostFactory } from '../../src/models/adaboost.ts';
import { histGradientBoostingFactory } from '../../src/models/hist-gradient-boosting.ts';
import { lightGbmFactory } from '../../src/models/lightgbm.ts';
import { randomForestFactory } from '../../src/models/random-forest.ts';
import { predictRaw } from '../../src/models/tree/ensemble.ts';
import { type Tree, type TreeEnsemble, applyLink, predictTreeRaw } from '../../src/models/tree/tree.ts';
import { noisy, withMissing } from '../models/tree/synthetic-data.ts';

/**
 * A random tree over nFeatures features, deliberately reusing features along paths (which exercises UNWIND),
 * with covers that split each parent's cover at a random ratio (sometimes 0 for a leaf) and random missing-value
 * directions.
 */
function randomTree(rng: Rng, nFeatures: number, maxDepth: number): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const missingLeft: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const add = (c: number): number => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    missingLeft.push(0);
    value.push(rng() * 4 - 2);
    cover.push(c);
    return feature.length - 1;
  };
  const grow = (node: number, depth: number): void => {
    if (depth >= maxDepth || (depth >= 2 && rng() < 0.25)) return;
    feature[node] = Math.floor(rng() * nFeatures);
    threshold[node] = rng();
    missingLeft[node] = rng() < 0.5 ? 1 : 0;
    // Now and then a leaf no training row reached (cover 0), as boosting rows with zero weight can produce.
    const emptyLeft = depth >= 1 && rng() < 0.1;
    const share = emptyLeft ? 0 : 0.1 + 0.8 * rng();
    const l = add(cover[node]! * share);
    const r = add(cover[node]! * (1 - share));
    left[node] = l;
    right[node] = r;
    if (!emptyLeft) grow(l, depth + 1);
    grow(r, depth + 1);
  };
  grow(add(10 + rng() * 100), 0);
  return {
    feature: Int32Array.from(feature), threshold: Float64Array.from(threshold), left: Int32Array.from(left),
    right: Int32Array.from(right), missingLeft: Uint8Array.from(missingLeft), value: Float64Array.from(value),
    cover: Float64Array.from(cover),
  };
}

/** E[tree(x) | x_S] with the path-dependent rule: follow x on features in S, else average children by cover. */
function conditionalExpectation(tree: Tree, x: ArrayLike<number>, inS: boolean[], node = 0): number {
  const l = tree.left[node]!;
  if (l === -1) return tree.value[node]!;
  const r = tree.right[node]!;
  const f = tree.feature[node]!;
  if (inS[f]) {
    const v = x[f]!;
    const goLeft = Number.isNaN(v) ? tree.missingLeft[node] === 1 : v <= tree.threshold[node]!;
    return conditionalExpectation(tree, x, inS, goLeft ? l : r);
  }
  const c = tree.cover[node]!;
  return (tree.cover[l]! / c) * conditionalExpectation(tree, x, inS, l) + (tree.cover[r]! / c) * conditionalExpectation(tree, x, inS, r);
}

/** Exact Shapley values by enumerating all 2^M coalitions. */
function bruteForceShap(tree: Tree, x: ArrayLike<number>, M: number): number[] {
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const v = new Float64Array(1 << M);
  for (let mask = 0; mask < 1 << M; mask++) {
    v[mask] = conditionalExpectation(tree, x, Array.from({ length: M }, (_, j) => (mask & (1 << j)) !== 0));
  }
  const phi = new Array<number>(M).fill(0);
  for (let j = 0; j < M; j++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << j)) continue;
      let size = 0;
      for (let k = 0; k < M; k++) if (mask & (1 << k)) size++;
      const weight = (factorial(size) * factorial(M - size - 1)) / factorial(M);
      phi[j] += weight * (v[mask | (1 << j)]! - v[mask]!);
    }
  }
  return phi;
}

function randomRows(rng: Rng, nRows: number, nFeatures: number, missingRate: number): Matrix {
  const data = new Float64Array(nRows * nFeatures);
  for (let k = 0; k < data.length; k++) data[k] = rng() < missingRate ? NaN : rng();
  return { nRows, nCols: nFeatures, data };
}

test('TreeSHAP equals brute-force exact Shapley values on random trees (M <= 6, repeated features, NaN, empty leaves)', () => {
  const rng = createRng(2024);
  let checked = 0;
  for (let trial = 0; trial < 120; trial++) {
    const M = 1 + (trial % 6);
    const tree = randomTree(rng, M, 2 + (trial % 5));
    const X = randomRows(rng, 5, M, 0.15);
    const ensemble: TreeEnsemble = { trees: [tree], treeWeights: Float64Array.of(1), base: 0, link: 'identity', nFeatures: M };
    const { values, expectedValue } = treeShap(ensemble, X);
    assert.ok(Math.abs(expectedValue - conditionalExpectation(tree, [], new Array(M).fill(false))) < 1e-12);
    for (let i = 0; i < X.nRows; i++) {
      const x = X.data.subarray(i * M, (i + 1) * M);
      const want = bruteForceShap(tree, x, M);
      for (let j = 0; j < M; j++) {
        assert.ok(Math.abs(values[i * M + j]! - want[j]!) < 1e-10, `trial ${trial}, row ${i}, feature ${j}: ${values[i * M + j]} vs ${want[j]}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 500);
});

test('TreeSHAP of an ensemble is the weighted sum of its trees\' values, the expected value adds the base', () => {
  const rng = createRng(7);
  const M = 5;
  const trees = [randomTree(rng, M, 5), randomTree(rng, M, 4), randomTree(rng, M, 6)];
  const ensemble: TreeEnsemble = { trees, treeWeights: Float64Array.of(0.5, 2, -1), base: 0.3, link: 'logistic', nFeatures: M };
  const X = randomRows(rng, 20, M, 0.1);
  const { values, expectedValue } = treeShap(ensemble, X);
  let wantExpected = 0.3;
  trees.forEach((t, k) => (wantExpected += ensemble.treeWeights[k]! * treeExpectation(t, 0)));
  assert.ok(Math.abs(expectedValue - wantExpected) < 1e-12);
  const raw = predictRaw(ensemble, X);
  for (let i = 0; i < X.nRows; i++) {
    const x = X.data.subarray(i * M, (i + 1) * M);
    for (let j = 0; j < M; j++) {
      let want = 0;
      trees.forEach((t, k) => (want += ensemble.treeWeights[k]! * bruteForceShap(t, x, M)[j]!));
      assert.ok(Math.abs(values[i * M + j]! - want) < 1e-10);
    }
    let sum = expectedValue;
    for (let j = 0; j < M; j++) sum += values[i * M + j]!;
    assert.ok(Math.abs(sum - raw[i]!) < 1e-10, `local accuracy, row ${i}`);
  }
});

test('TreeSHAP gives zero to features a tree never splits on, and handles single-leaf trees', () => {
  const leaf: Tree = {
    feature: Int32Array.of(-1), threshold: Float64Array.of(0), left: Int32Array.of(-1), right: Int32Array.of(-1),
    missingLeft: Uint8Array.of(0), value: Float64Array.of(0.7), cover: Float64Array.of(3),
  };
  const stump: Tree = {
    feature: Int32Array.of(2, -1, -1), threshold: Float64Array.of(0.5, 0, 0), left: Int32Array.of(1, -1, -1),
    right: Int32Array.of(2, -1, -1), missingLeft: Uint8Array.of(1, 0, 0), value: Float64Array.of(0, 1, 3),
    cover: Float64Array.of(4, 3, 1),
  };
  const ensemble: TreeEnsemble = { trees: [leaf, stump], treeWeights: Float64Array.of(1, 1), base: 0, link: 'identity', nFeatures: 3 };
  const X = { nRows: 2, nCols: 3, data: Float64Array.of(9, 9, 0.9, 9, 9, NaN) };
  const { values, expectedValue } = treeShap(ensemble, X);
  // E = 0.7 + (3/4*1 + 1/4*3) = 2.2; x0 goes right (value 3): phi_2 = 3 - 1.5 = 1.5; x1 is missing, goes left: -0.5.
  assert.ok(Math.abs(expectedValue - 2.2) < 1e-12);
  assert.deepEqual(Array.from(values), [0, 0, 1.5, 0, 0, -0.5]);
});

test('TreeSHAP rejects a non-positive cover and a column mismatch', () => {
  const bad: Tree = {
    feature: Int32Array.of(0, -1, -1), threshold: Float64Array.of(0.5, 0, 0), left: Int32Array.of(1, -1, -1),
    right: Int32Array.of(2, -1, -1), missingLeft: Uint8Array.of(0, 0, 0), value: Float64Array.of(0, 1, 2),
    cover: Float64Array.of(0, 0, 0),
  };
  const ensemble: TreeEnsemble = { trees: [bad], treeWeights: Float64Array.of(1), base: 0, link: 'identity', nFeatures: 1 };
  assert.throws(() => treeShap(ensemble, { nRows: 1, nCols: 1, data: Float64Array.of(1) }), /tree 0, node 0 has cover 0/);
  assert.throws(() => treeShap(ensemble, { nRows: 1, nCols: 2, data: Float64Array.of(1, 2) }), /1 features, the matrix 2 columns/);
});

const kinds: [ClassifierFactory, Record<string, number>][] = [
  [randomForestFactory, { nEstimators: 30 }],
  [histGradientBoostingFactory, { maxIter: 40 }],
  [lightGbmFactory, { nEstimators: 40 }],
  [adaBoostFactory, {}],
];

for (const [factory, params] of kinds) {
  test(`TreeSHAP local accuracy on a fitted ${factory.kind}: sum(phi) + E[f] = raw output (1e-6), P(1) = link(raw)`, async () => {
    const train = noisy(800, 7, 31);
    const X = withMissing(train.X, 0.03, 1);
    const c = factory.create(params);
    await c.fit(X, train.y, { seed: 5 });
    const e = c.treeEnsemble!();
    const probe = withMissing(noisy(60, 7, 32).X, 0.05, 2);
    const { values, expectedValue } = treeShap(e, probe);
    const raw = predictRaw(e, probe);
    const p = c.predictProba(probe);
    let maxErr = 0;
    for (let i = 0; i < probe.nRows; i++) {
      let sum = expectedValue;
      for (let j = 0; j < 7; j++) sum += values[i * 7 + j]!;
      maxErr = Math.max(maxErr, Math.abs(sum - raw[i]!));
      assert.equal(p[i], applyLink(e.link, raw[i]!));
    }
    assert.ok(maxErr < 1e-6, `max local-accuracy error ${maxErr}`);
    // The signal lives in features 0-2: they must carry most of the attribution.
    let signal = 0;
    let total = 0;
    for (let k = 0; k < values.length; k++) {
      total += Math.abs(values[k]!);
      if (k % 7 < 3) signal += Math.abs(values[k]!);
    }
    assert.ok(signal / total > 0.6, `share of |SHAP| on the informative features: ${signal / total}`);
  });
}

test('TreeSHAP expected value of a fitted forest is the cover-weighted mean of its leaves', async () => {
  const { X, y } = noisy(300, 4, 40);
  const c = randomForestFactory.create({ nEstimators: 5 });
  await c.fit(X, y, { seed: 1 });
  const e = c.treeEnsemble!();
  let want = 0;
  for (const t of e.trees) {
    let num = 0;
    for (let k = 0; k < t.left.length; k++) if (t.left[k] === -1) num += t.cover[k]! * t.value[k]!;
    want += num / t.cover[0]! / e.trees.length;
  }
  assert.ok(Math.abs(treeShap(e, X).expectedValue - want) < 1e-12);
  // And a single tree's prediction is reproduced leaf by leaf.
  assert.equal(predictTreeRaw(e.trees[0]!, X.data.subarray(0, 4)), predictTreeRaw(e.trees[0]!, Array.from(X.data.subarray(0, 4))));
});

/**
 * Algorithm 2 walked row by row, as shap's tree_shap_recursive does (and as this module did before rows were
 * explained in groups): the reference the grouped walk must reproduce bit for bit.
 */
function rowByRowTreeShap(ensemble: TreeEnsemble, X: Matrix): TreeShapResult {
  const nF = ensemble.nFeatures;
  const values = new Float64Array(X.nRows * nF);
  let expectedValue = ensemble.base;
  ensemble.trees.forEach((tree, t) => {
    const scale = ensemble.treeWeights[t]!;
    expectedValue += scale * treeExpectation(tree, 0);
    const fraction = new Float64Array(tree.left.length).fill(1);
    for (let k = 0; k < tree.left.length; k++) {
      if (tree.left[k] === -1) continue;
      fraction[tree.left[k]!] = tree.cover[tree.left[k]!]! / tree.cover[k]!;
      fraction[tree.right[k]!] = tree.cover[tree.right[k]!]! / tree.cover[k]!;
    }
    const inv = Float64Array.from({ length: 64 }, (_, k) => (k === 0 ? Infinity : 1 / k));
    for (let row = 0; row < X.nRows; row++) {
      const x = X.data.subarray(row * nF, (row + 1) * nF);
      const phi = values.subarray(row * nF, (row + 1) * nF);
      type Path = { f: number[]; z: number[]; o: number[]; w: number[] };
      const extend = (p: Path, d: number, pz: number, po: number, pi: number): void => {
        p.f[d] = pi; p.z[d] = pz; p.o[d] = po; p.w[d] = d === 0 ? 1 : 0;
        for (let i = d - 1; i >= 0; i--) {
          p.w[i + 1] = p.w[i + 1]! + po * p.w[i]! * (i + 1) * inv[d + 1]!;
          p.w[i] = pz * p.w[i]! * (d - i) * inv[d + 1]!;
        }
      };
      const unwind = (p: Path, d: number, k: number): void => {
        const po = p.o[k]!, pz = p.z[k]!;
        let next = p.w[d]!;
        for (let i = d - 1; i >= 0; i--) {
          if (po !== 0) {
            const tmp = p.w[i]!;
            p.w[i] = (next * (d + 1)) / ((i + 1) * po);
            next = tmp - (p.w[i]! * pz * (d - i)) / (d + 1);
          } else {
            p.w[i] = (p.w[i]! * (d + 1)) / (pz * (d - i));
          }
        }
        for (let i = k; i < d; i++) { p.f[i] = p.f[i + 1]!; p.z[i] = p.z[i + 1]!; p.o[i] = p.o[i + 1]!; }
      };
      const recurse = (node: number, parent: Path, d: number, pz: number, po: number, pi: number): void => {
        const p: Path = { f: parent.f.slice(0, d), z: parent.z.slice(0, d), o: parent.o.slice(0, d), w: parent.w.slice(0, d) };
        extend(p, d, pz, po, pi);
        if (tree.left[node] === -1) {
          const v = tree.value[node]! * scale;
          for (let k = 1; k <= d; k++) {
            let total = 0;
            if (p.o[k] === 0) {
              let s = 0;
              for (let i = d - 1; i >= 0; i--) s += p.w[i]! * inv[d - i]!;
              phi[p.f[k]!] += -s * (d + 1) * v;
              continue;
            }
            let next = p.w[d]!;
            for (let i = d - 1; i >= 0; i--) {
              const tmp = next * inv[i + 1]!;
              total += tmp;
              next = p.w[i]! - tmp * p.z[k]! * (d - i);
            }
            phi[p.f[k]!] += total * (d + 1) * (1 - p.z[k]!) * v;
          }
          return;
        }
        const split = tree.feature[node]!;
        const xv = x[split]!;
        const goLeft = Number.isNaN(xv) ? tree.missingLeft[node] === 1 : xv <= tree.threshold[node]!;
        const hot = goLeft ? tree.left[node]! : tree.right[node]!;
        const cold = goLeft ? tree.right[node]! : tree.left[node]!;
        let iz = 1, io = 1, dd = d;
        const k = p.f.indexOf(split, 1);
        if (k > 0 && k <= d) { iz = p.z[k]!; io = p.o[k]!; unwind(p, d, k); dd = d - 1; }
        if (fraction[hot]! * iz > 0 || io > 0) recurse(hot, p, dd + 1, fraction[hot]! * iz, io, split);
        if (fraction[cold]! * iz > 0) recurse(cold, p, dd + 1, fraction[cold]! * iz, 0, split);
      };
      recurse(0, { f: [], z: [], o: [], w: [] }, 0, 1, 1, -1);
    }
  });
  return { values, expectedValue };
}

function assertSameBits(a: TreeShapResult, b: TreeShapResult, what: string): void {
  assert.ok(Object.is(a.expectedValue, b.expectedValue), `${what}: expected value`);
  assert.equal(a.values.length, b.values.length);
  for (let k = 0; k < a.values.length; k++) assert.ok(Object.is(a.values[k], b.values[k]), `${what}: value ${k}: ${a.values[k]} vs ${b.values[k]}`);
}

test('TreeSHAP explains rows in groups bit-identically to walking row by row (random trees, NaN, empty leaves, blocks)', () => {
  const rng = createRng(77);
  for (let trial = 0; trial < 40; trial++) {
    const M = 2 + (trial % 6);
    const trees = [randomTree(rng, M, 3 + (trial % 9)), randomTree(rng, M, 6)];
    const ensemble: TreeEnsemble = { trees, treeWeights: Float64Array.of(0.7, -1.3), base: 0.1, link: 'identity', nFeatures: M };
    const X = randomRows(rng, 1 + (trial % 23), M, 0.1);
    const want = rowByRowTreeShap(ensemble, X);
    assertSameBits(treeShap(ensemble, X), want, `trial ${trial}`);
    assertSameBits(treeShap(ensemble, X, { blockRows: 1 + (trial % 4) }), want, `trial ${trial}, small blocks`);
  }
});

test('TreeSHAP of fitted forests and boosters equals the row-by-row walk bit for bit', async () => {
  const train = noisy(700, 6, 51);
  const X = withMissing(train.X, 0.03, 52);
  const probe = withMissing(noisy(45, 6, 53).X, 0.05, 54);
  for (const [factory, params] of [[randomForestFactory, { nEstimators: 12 }], [histGradientBoostingFactory, { maxIter: 15 }]] as const) {
    const c = factory.create(params);
    await c.fit(X, train.y, { seed: 3 });
    const e = c.treeEnsemble!();
    assertSameBits(treeShap(e, probe), rowByRowTreeShap(e, probe), factory.kind);
    assertSameBits(treeShap(e, probe, { blockRows: 7 }), rowByRowTreeShap(e, probe), `${factory.kind}, blocks of 7`);
  }
});
