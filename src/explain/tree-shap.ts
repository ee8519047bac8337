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
      const v = tree.value[node]! * this.scale;
      for (let k = 1; k <= depth; k++) {
        const w = this.unwoundSum(start, depth, k);
        this.phi[F[start + k]!] += w * (O[start + k]! - Z[start + k]!) * v;
      }
      return;
    }

    const right = tree.right[node]!;
    const split = tree.feature[node]!;
    const xv = this.x[split]!;
    const goLeft = Number.isNaN(xv) ? tree.missingLeft[node] === 1 : xv <= tree.threshold[node]!;
    const hot = goLeft ? left : right;
    const cold = goLeft ? right : left;
    const c = tree.cover[node]!;
    const hotZero = tree.cover[hot]! / c;
    const coldZero = tree.cover[cold]! / c;

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
    this.recurse(hot, d + 1, start, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, d + 1, start, coldZero * incomingZero, 0, split);
  }

  /** EXTEND: appends (pi, pz, po) at index `depth` and updates the permutation weights. */
  private extend(start: number, depth: number, pz: number, po: number, pi: number): void {
    const { feature: F, zero: Z, one: O, weight: W } = this;
    F[start + depth] = pi;
    Z[start + depth] = pz;
    O[start + depth] = po;
    W[start + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      W[start + i + 1] += (po * W[start + i]! * (i + 1)) / (depth + 1);
      W[start + i] = (pz * W[start + i]! * (depth - i)) / (depth + 1);
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

  /** The total permutation weight the path would have with element `index` unwound (without modifying it). */
  private unwoundSum(start: number, depth: number, index: number): number {
    const { zero: Z, one: O, weight: W } = this;
    const po = O[start + index]!;
    const pz = Z[start + index]!;
    let next = W[start + depth]!;
    let total = 0;
    if (po !== 0) {
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = next / ((i + 1) * po);
        total += tmp;
        next = W[start + i]! - tmp * pz * (depth - i);
      }
    } else {
      for (let i = depth - 1; i >= 0; i--) total += W[start + i]! / (pz * (depth - i));
    }
    return total * (depth + 1);
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
