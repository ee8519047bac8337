/**
 * Exact path-dependent TreeSHAP: Lundberg, Erion & Lee, "Consistent Individualized Feature Attribution for Tree
 * Ensembles" (arXiv:1802.03888), Algorithm 2, following the reference implementation's EXTEND / UNWIND /
 * unwound-sum steps (shap's tree_shap.h, tree_shap_recursive).
 *
 * It explains the ensemble's RAW score f(x) = base + sum_t weight_t * tree_t(x) (before the link), with the
 * conditional expectation E[f(x) | x_S] estimated "path-dependently": at a node splitting on a feature outside S,
 * both children are followed, weighted by their share of the node's `cover` (training rows reaching them).
 * The values satisfy local accuracy: sum_j phi_j(x) + expectedValue = f(x).
 *
 * Cost per row and tree: O(nodes * depth + leaves * depth^2).
 */
import type { Matrix } from '../models/matrix.ts';
import type { Tree, TreeEnsemble } from '../models/tree/tree.ts';

export interface TreeShapResult {
  /** SHAP values, row-major nRows x nFeatures. */
  readonly values: Float64Array;
  /** E[f(x)] of the raw score under the cover-weighted (path-dependent) distribution. */
  readonly expectedValue: number;
}

export function treeShap(ensemble: TreeEnsemble, X: Matrix): TreeShapResult {
  const nF = ensemble.nFeatures;
  if (X.nCols !== nF) throw new Error(`treeShap: the ensemble has ${nF} features, the matrix ${X.nCols} columns`);
  const values = new Float64Array(X.nRows * nF);
  let expectedValue = ensemble.base;
  for (let t = 0; t < ensemble.trees.length; t++) {
    const tree = ensemble.trees[t]!;
    const w = ensemble.treeWeights[t]!;
    checkCovers(tree, t);
    expectedValue += w * treeExpectation(tree, 0);
    const explainer = new TreePathExplainer(tree);
    for (let i = 0; i < X.nRows; i++) {
      explainer.explain(X.data.subarray(i * nF, (i + 1) * nF), values.subarray(i * nF, (i + 1) * nF), w);
    }
  }
  return { values, expectedValue };
}

/** E[tree(x)] from `node` down: children weighted by cover share (the value of the empty coalition). */
export function treeExpectation(tree: Tree, node: number): number {
  const l = tree.left[node]!;
  if (l === -1) return tree.value[node]!;
  const r = tree.right[node]!;
  const c = tree.cover[node]!;
  return (tree.cover[l]! / c) * treeExpectation(tree, l) + (tree.cover[r]! / c) * treeExpectation(tree, r);
}

function checkCovers(tree: Tree, t: number): void {
  for (let i = 0; i < tree.left.length; i++) {
    if (tree.left[i] !== -1 && !(tree.cover[i]! > 0)) {
      throw new Error(`treeShap: tree ${t}, node ${i} has cover ${tree.cover[i]}; path-dependent TreeSHAP needs positive covers`);
    }
  }
}

/**
 * One tree's recursive explainer. The "unique path" of Algorithm 2 (features on the path from the root, each with
 * its zero fraction z, one fraction o, and permutation weight w) is kept in flat typed arrays: the path at
 * recursion depth d occupies slots [start_d, start_d + d], and each level copies its parent's path before
 * extending it, so unwinding in a child never disturbs the parent.
 */
class TreePathExplainer {
  private readonly feature: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly weight: Float64Array;
  /** fraction[k] = cover[k] / cover[parent of k]: the share of the parent's training rows that reach node k. */
  private readonly fraction: Float64Array;
  /** inv[k] = 1/k: the inner loops divide by small integers, and a multiply is cheaper than a divide. */
  private readonly inv: Float64Array;
  private x: ArrayLike<number> = [];
  private phi: Float64Array = new Float64Array(0);
  private scale = 1;

  constructor(private readonly tree: Tree) {
    const depth = maxDepth(tree) + 2;
    const size = ((depth + 1) * (depth + 2)) / 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
    this.fraction = new Float64Array(tree.left.length);
    this.fraction[0] = 1;
    for (let k = 0; k < tree.left.length; k++) {
      if (tree.left[k] === -1) continue;
      this.fraction[tree.left[k]!] = tree.cover[tree.left[k]!]! / tree.cover[k]!;
      this.fraction[tree.right[k]!] = tree.cover[tree.right[k]!]! / tree.cover[k]!;
    }
    this.inv = Float64Array.from({ length: depth + 2 }, (_, k) => (k === 0 ? Infinity : 1 / k));
  }

  /** Adds scale * phi(x) of this tree into `phi`. */
  explain(x: ArrayLike<number>, phi: Float64Array, scale: number): void {
    this.x = x;
    this.phi = phi;
    this.scale = scale;
    this.recurse(0, 0, 0, 1, 1, -1);
  }

  /**
   * @param node current node
   * @param depth length of the unique path so far (excluding the root's dummy element)
   * @param parentStart slot where the parent's path starts
   * @param pz fraction of "feature not in S" paths that reach `node` through its parent's split
   * @param po 1 if x itself goes to `node` at the parent's split, else 0
   * @param pi feature of the parent's split (-1 at the root)
   */
  private recurse(node: number, depth: number, parentStart: number, pz: number, po: number, pi: number): void {
    const { feature: F, zero: Z, one: O, weight: W, tree } = this;
    // Copy the parent's path (depth elements + dummy) to this level and extend it.
    const start = parentStart + depth;
    for (let k = 0; k < depth; k++) {
      F[start + k] = F[parentStart + k]!;
      Z[start + k] = Z[parentStart + k]!;
      O[start + k] = O[parentStart + k]!;
      W[start + k] = W[parentStart + k]!;
    }
    this.extend(start, depth, pz, po, pi);

    const left = tree.left[node]!;
    if (left === -1) {
      this.leaf(start, depth, tree.value[node]! * this.scale);
      return;
    }

    const right = tree.right[node]!;
    const split = tree.feature[node]!;
    const xv = this.x[split]!;
    const goLeft = Number.isNaN(xv) ? tree.missingLeft[node] === 1 : xv <= tree.threshold[node]!;
    const hot = goLeft ? left : right;
    const cold = goLeft ? right : left;
    const hotZero = this.fraction[hot]!;
    const coldZero = this.fraction[cold]!;

    // A feature already on the path: undo its earlier split and redo it here with the combined fractions.
    let incomingZero = 1;
    let incomingOne = 1;
    let d = depth;
    let k = 1;
    while (k <= d && F[start + k] !== split) k++;
    if (k <= d) {
      incomingZero = Z[start + k]!;
      incomingOne = O[start + k]!;
      this.unwind(start, d, k);
      d -= 1;
    }
    // A subtree that neither x nor any training row reaches (zero fraction and zero one-fraction) has zero weight
    // in every coalition: skipping it is exact and avoids the 0/0 that unwinding such an element would produce.
    const hz = hotZero * incomingZero;
    if (hz > 0 || incomingOne > 0) this.recurse(hot, d + 1, start, hz, incomingOne, split);
    const cz = coldZero * incomingZero;
    if (cz > 0) this.recurse(cold, d + 1, start, cz, 0, split);
  }

  /**
   * Adds each path feature's contribution at a leaf: w_k * (o_k - z_k) * v, where w_k is the path's total
   * permutation weight with element k unwound (shap's unwound_path_sum).
   *
   * One fractions are 0 or 1 in path-dependent TreeSHAP. For o_k = 0 the unwound sum is
   * (depth+1)/z_k * sum_i W_i/(depth-i), so the contribution -z_k * that * v does not depend on k: it is computed
   * once per leaf, which makes the leaf cost O(depth) plus O(depth) per feature x actually follows, instead of
   * O(depth^2) for every feature.
   */
  private leaf(start: number, depth: number, v: number): void {
    const { feature: F, zero: Z, one: O, weight: W, phi, inv } = this;
    let offPathContribution = NaN; // computed on first use
    for (let k = 1; k <= depth; k++) {
      const o = O[start + k]!;
      const z = Z[start + k]!;
      if (o === 0) {
        if (Number.isNaN(offPathContribution)) {
          let s = 0;
          for (let i = depth - 1; i >= 0; i--) s += W[start + i]! * inv[depth - i]!;
          offPathContribution = -s * (depth + 1) * v;
        }
        phi[F[start + k]!] += offPathContribution;
      } else {
        // o = 1: shap's unwound_path_sum recursion (with one_fraction = 1).
        let next = W[start + depth]!;
        let total = 0;
        for (let i = depth - 1; i >= 0; i--) {
          const tmp = next * inv[i + 1]!;
          total += tmp;
          next = W[start + i]! - tmp * z * (depth - i);
        }
        phi[F[start + k]!] += total * (depth + 1) * (1 - z) * v;
      }
    }
  }

  /** EXTEND: appends (pi, pz, po) at index `depth` and updates the permutation weights. */
  private extend(start: number, depth: number, pz: number, po: number, pi: number): void {
    const { feature: F, zero: Z, one: O, weight: W } = this;
    F[start + depth] = pi;
    Z[start + depth] = pz;
    O[start + depth] = po;
    W[start + depth] = depth === 0 ? 1 : 0;
    const inv = this.inv[depth + 1]!;
    for (let i = depth - 1; i >= 0; i--) {
      const wi = W[start + i]!;
      W[start + i + 1] += po * wi * (i + 1) * inv;
      W[start + i] = pz * wi * (depth - i) * inv;
    }
  }

  /** UNWIND: removes element `index` from the path of length depth+1, restoring the weights without it. */
  private unwind(start: number, depth: number, index: number): void {
    const { feature: F, zero: Z, one: O, weight: W } = this;
    const po = O[start + index]!;
    const pz = Z[start + index]!;
    let next = W[start + depth]!;
    for (let i = depth - 1; i >= 0; i--) {
      if (po !== 0) {
        const tmp = W[start + i]!;
        W[start + i] = (next * (depth + 1)) / ((i + 1) * po);
        next = tmp - (W[start + i]! * pz * (depth - i)) / (depth + 1);
      } else {
        W[start + i] = (W[start + i]! * (depth + 1)) / (pz * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      F[start + i] = F[start + i + 1]!;
      Z[start + i] = Z[start + i + 1]!;
      O[start + i] = O[start + i + 1]!;
    }
  }
}


function maxDepth(tree: Tree): number {
  let best = 0;
  const stack: number[] = [0, 0];
  while (stack.length > 0) {
    const d = stack.pop()!;
    const node = stack.pop()!;
    if (d > best) best = d;
    if (tree.left[node] !== -1) stack.push(tree.left[node]!, d + 1, tree.right[node]!, d + 1);
  }
  return best;
}
