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
 * Cost per row and tree: O(nodes * depth + leaves * depth^2), shared between rows as described below.
 *
 * Rows explained together. Algorithm 2 walks the whole tree once per row, carrying the "unique path": for each
 * feature split on between the root and the current node, its zero fraction z (the share of training rows that
 * go this way, a property of the tree), its one fraction o (1 if the row x itself goes this way, else 0) and the
 * permutation weights w computed from all of them. Everything x changes is the o's, and the w's are a function of
 * the sequence of o's. So rows whose o's have agreed at every step so far carry bit-identical paths: they form a
 * group, and this explainer walks each tree once per block of rows, doing Algorithm 2's arithmetic once per group.
 * A group splits only where its rows' o's differ (at a node whose feature they all still follow, the rows going
 * left and those going right); rows that already left the path of a feature (o = 0) stay together whatever their
 * values. On the forests of this project a group holds ~4 rows on average.
 *
 * Bit-identical to walking row by row. Each group performs exactly the operations Algorithm 2 performs for each of
 * its rows, in the same order. Only the order of the leaves differs (this walk goes left then right, Algorithm 2
 * visits the child x goes to first), and a leaf's contributions are added into phi; so they are stored per group
 * and leaf, and added afterwards row by row in Algorithm 2's leaf order: every phi receives the same numbers in
 * the same order as before.
 */
import type { Matrix } from '../models/matrix.ts';
import type { Tree, TreeEnsemble } from '../models/tree/tree.ts';

export interface TreeShapResult {
  /** SHAP values, row-major nRows x nFeatures. */
  readonly values: Float64Array;
  /** E[f(x)] of the raw score under the cover-weighted (path-dependent) distribution. */
  readonly expectedValue: number;
}

export interface TreeShapOptions {
  /** Most rows explained in one walk of a tree (default MAX_BLOCK_ROWS; smaller in tests, to exercise blocks). */
  readonly blockRows?: number;
}

export function treeShap(ensemble: TreeEnsemble, X: Matrix, options: TreeShapOptions = {}): TreeShapResult {
  const nF = ensemble.nFeatures;
  if (X.nCols !== nF) throw new Error(`treeShap: the ensemble has ${nF} features, the matrix ${X.nCols} columns`);
  const values = new Float64Array(X.nRows * nF);
  let expectedValue = ensemble.base;
  let depth = 0;
  let leaves = 1;
  for (const tree of ensemble.trees) {
    depth = Math.max(depth, maxDepth(tree));
    leaves = Math.max(leaves, (tree.left.length + 1) / 2);
  }
  // The per-row leaf table (blockRows x leaves) stays within LEAF_TABLE_BUDGET.
  const blockRows = Math.min(X.nRows, options.blockRows ?? MAX_BLOCK_ROWS, Math.floor(LEAF_TABLE_BUDGET / leaves));
  const explainer = new GroupedPathExplainer(depth, nF, blockRows);
  for (let t = 0; t < ensemble.trees.length; t++) {
    const tree = ensemble.trees[t]!;
    const w = ensemble.treeWeights[t]!;
    checkCovers(tree, t);
    expectedValue += w * treeExpectation(tree, 0);
    explainer.explainTree(tree, w, X, values);
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

/** Upper bound on the doubles of path weights held at once (levels x block rows x path length): 8 MB. */
const WEIGHT_BUDGET = 1 << 20;
/** Most rows explained in one walk of a tree. */
const MAX_BLOCK_ROWS = 1024;
/** Upper bound on the entries of the per-row leaf table (block rows x leaves of the largest tree): 16 MB. */
const LEAF_TABLE_BUDGET = 1 << 22;

/**
 * Explains blocks of rows against one tree at a time (see the file comment).
 *
 * State per recursion level (one level per tree depth): the unique path's features and zero fractions, shared by
 * all groups (they depend on the tree only), and per group its rows, one fractions and weights. Level l holds the
 * path of the node being visited at depth l; children are built at level l + 1 from it, so the parent's state is
 * intact for the second child. Element 0 of every path is Algorithm 2's dummy (feature -1, z = o = 1).
 */
class GroupedPathExplainer {
  /** Capacity of one path: its elements (dummy included) and one more for the extension. */
  private readonly len: number;
  private readonly levels: number;
  private readonly blockRows: number;
  private readonly inv: Float64Array;
  // Per level: the path length (elements after the dummy), features, zero fractions, groups.
  private readonly pathDepth: Int32Array;
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly groupCount: Int32Array;
  /** Group g of level l owns rows[groupStart[l*(B+1)+g] ... groupStart[l*(B+1)+g+1]) of the level's row list. */
  private readonly groupStart: Int32Array;
  private readonly levelRows: Int32Array;
  /** Per level and group: the one fraction of the element the node's split removes (UNWIND), 1 if none. */
  private readonly incomingOne: Uint8Array;
  private readonly one: Uint8Array;
  private readonly weight: Float64Array;
  /** Per level and row position: whether the row goes left at the level's node. */
  private readonly goesLeft: Uint8Array;
  private readonly replayStack: Int32Array;
  /** Leaf scratch: the path elements a group follows (o = 1). */
  private readonly hotSlots: Int32Array;

  // Per tree.
  private tree!: Tree;
  private fraction = new Float64Array(0);
  private leafIndex = new Int32Array(0);
  private nLeaves = 0;
  /** The unique path's features at each leaf (leafDepth of them, from leafFeature[leaf * len]). */
  private leafFeature = new Int32Array(0);
  private leafDepth = new Int32Array(0);
  // Per block: where each row's contributions at each leaf are (-1: the row's walk never reaches it).
  private contribAt = new Int32Array(0);
  private contrib = new Float64Array(1024);
  private contribLength = 0;
  private X!: Matrix;
  private blockStart = 0;
  private scale = 1;

  /** @param blockRows most rows per walk (fewer if the path weights would exceed WEIGHT_BUDGET) */
  constructor(maxTreeDepth: number, nFeatures: number, blockRows: number) {
    // A unique path holds each feature at most once, and never more elements than the tree is deep.
    this.len = Math.min(maxTreeDepth, nFeatures) + 2;
    this.levels = maxTreeDepth + 1;
    this.blockRows = Math.max(1, Math.min(blockRows, Math.floor(WEIGHT_BUDGET / (this.levels * this.len))));
    const L = this.len;
    const B = this.blockRows;
    this.inv = Float64Array.from({ length: L + 2 }, (_, k) => (k === 0 ? Infinity : 1 / k));
    this.pathDepth = new Int32Array(this.levels);
    this.pathFeature = new Int32Array(this.levels * L);
    this.pathZero = new Float64Array(this.levels * L);
    this.groupCount = new Int32Array(this.levels);
    this.groupStart = new Int32Array(this.levels * (B + 1));
    this.levelRows = new Int32Array(this.levels * B);
    this.incomingOne = new Uint8Array(this.levels * B);
    this.one = new Uint8Array(this.levels * B * L);
    this.weight = new Float64Array(this.levels * B * L);
    this.goesLeft = new Uint8Array(this.levels * B);
    this.replayStack = new Int32Array(2 * (maxTreeDepth + 2));
    this.hotSlots = new Int32Array(L);
  }

  /** Adds scale * phi(x) of `tree` for every row x of X into `values` (row-major, nFeatures per row). */
  explainTree(tree: Tree, scale: number, X: Matrix, values: Float64Array): void {
    this.prepareTree(tree);
    this.X = X;
    this.scale = scale;
    for (let start = 0; start < X.nRows; start += this.blockRows) {
      const end = Math.min(X.nRows, start + this.blockRows);
      this.blockStart = start;
      this.contribLength = 0;
      this.contribAt.fill(-1, 0, (end - start) * this.nLeaves);
      this.walkBlock(end - start);
      for (let r = start; r < end; r++) this.replay(r, values);
    }
  }

  private prepareTree(tree: Tree): void {
    this.tree = tree;
    const n = tree.left.length;
    this.fraction = new Float64Array(n);
    this.fraction[0] = 1;
    this.leafIndex = new Int32Array(n).fill(-1);
    let leaves = 0;
    for (let k = 0; k < n; k++) {
      const l = tree.left[k]!;
      if (l === -1) {
        this.leafIndex[k] = leaves++;
        continue;
      }
      const r = tree.right[k]!;
      // fraction[k] = cover[k] / cover[parent of k]: the share of the parent's training rows that reach node k.
      this.fraction[l] = tree.cover[l]! / tree.cover[k]!;
      this.fraction[r] = tree.cover[r]! / tree.cover[k]!;
    }
    this.nLeaves = leaves;
    this.leafFeature = new Int32Array(leaves * this.len);
    this.leafDepth = new Int32Array(leaves);
    if (this.contribAt.length < leaves * this.blockRows) this.contribAt = new Int32Array(leaves * this.blockRows);
  }

  /** The root's state (one group of every row, the dummy path) and the walk from it. */
  private walkBlock(nRows: number): void {
    this.pathDepth[0] = 0;
    this.pathFeature[0] = -1;
    this.pathZero[0] = 1;
    this.groupCount[0] = 1;
    this.groupStart[0] = 0;
    this.groupStart[1] = nRows;
    for (let k = 0; k < nRows; k++) this.levelRows[k] = k;
    // Algorithm 2's EXTEND of the empty path with the dummy (depth 0): weight 1.
    this.one[0] = 1;
    this.weight[0] = 1;
    this.visit(0, 0);
  }

  private visit(node: number, level: number): void {
    const tree = this.tree;
    if (tree.left[node] === -1) {
      this.leaf(node, level);
      return;
    }
    const L = this.len;
    const B = this.blockRows;
    const depth = this.pathDepth[level]!;
    const pathBase = level * L;
    const split = tree.feature[node]!;

    // A feature already on the path: undo its earlier split (UNWIND) and redo it below with combined fractions.
    let k = 1;
    while (k <= depth && this.pathFeature[pathBase + k] !== split) k++;
    const nGroups = this.groupCount[level]!;
    let incomingZero = 1;
    let d = depth;
    if (k <= depth) {
      incomingZero = this.pathZero[pathBase + k]!;
      for (let g = 0; g < nGroups; g++) {
        const base = (level * B + g) * L;
        this.incomingOne[level * B + g] = this.one[base + k]!;
        this.unwind(base, pathBase, depth, k);
      }
      for (let i = k; i < depth; i++) {
        this.pathFeature[pathBase + i] = this.pathFeature[pathBase + i + 1]!;
        this.pathZero[pathBase + i] = this.pathZero[pathBase + i + 1]!;
      }
      d = depth - 1;
    } else {
      this.incomingOne.fill(1, level * B, level * B + nGroups);
    }

    // Directions of the rows whose group still follows the feature (the others' o is 0 either way).
    const threshold = tree.threshold[node]!;
    const missingLeft = tree.missingLeft[node] === 1;
    const X = this.X;
    const nF = X.nCols;
    const rowsBase = level * B;
    for (let g = 0; g < nGroups; g++) {
      if (this.incomingOne[level * B + g] === 0) continue;
      const end = this.groupStart[level * (B + 1) + g + 1]!;
      for (let p = this.groupStart[level * (B + 1) + g]!; p < end; p++) {
        const xv = X.data[(this.blockStart + this.levelRows[rowsBase + p]!) * nF + split]!;
        this.goesLeft[rowsBase + p] = (Number.isNaN(xv) ? missingLeft : xv <= threshold) ? 1 : 0;
      }
    }

    const left = tree.left[node]!;
    const right = tree.right[node]!;
    if (this.descend(level, d, split, left, 1, this.fraction[left]! * incomingZero)) this.visit(left, level + 1);
    if (this.descend(level, d, split, right, 0, this.fraction[right]! * incomingZero)) this.visit(right, level + 1);
  }

  /**
   * Builds level + 1 for `child`: the path extended with (split, zero) and, per group, the new element's one
   * fraction and the EXTENDed weights. Rows of a group that follows the split feature (incoming one 1) split into
   * those going to the child (o = 1) and the others (o = 0); a group that does not stays whole with o = 0. As in
   * Algorithm 2, a part with o = 0 is dropped when zero is 0 (no training row goes there: its weight is 0 in every
   * coalition). Returns whether any group reaches the child.
   */
  private descend(level: number, d: number, split: number, child: number, sideLeft: number, zero: number): boolean {
    const L = this.len;
    const B = this.blockRows;
    const next = level + 1;
    const from = level * L;
    const to = next * L;
    for (let i = 0; i <= d; i++) {
      this.pathFeature[to + i] = this.pathFeature[from + i]!;
      this.pathZero[to + i] = this.pathZero[from + i]!;
    }
    this.pathFeature[to + d + 1] = split;
    this.pathZero[to + d + 1] = zero;
    this.pathDepth[next] = d + 1;

    const rows = this.levelRows;
    const starts = this.groupStart;
    let nNew = 0;
    let filled = 0;
    starts[next * (B + 1)] = 0;
    const nGroups = this.groupCount[level]!;
    for (let g = 0; g < nGroups; g++) {
      const start = starts[level * (B + 1) + g]!;
      const end = starts[level * (B + 1) + g + 1]!;
      const parentBase = (level * B + g) * L;
      if (this.incomingOne[level * B + g] === 0) {
        if (!(zero > 0)) continue;
        for (let p = start; p < end; p++) rows[next * B + filled++] = rows[level * B + p]!;
        this.newGroup(next, nNew++, filled, parentBase, d, zero, 0);
        continue;
      }
      // Rows going to the child first (o = 1), then the others (o = 0).
      const before = filled;
      for (let p = start; p < end; p++) {
        if (this.goesLeft[level * B + p] === sideLeft) rows[next * B + filled++] = rows[level * B + p]!;
      }
      if (filled > before) this.newGroup(next, nNew++, filled, parentBase, d, zero, 1);
      if (!(zero > 0)) continue;
      const mid = filled;
      for (let p = start; p < end; p++) {
        if (this.goesLeft[level * B + p] !== sideLeft) rows[next * B + filled++] = rows[level * B + p]!;
      }
      if (filled > mid) this.newGroup(next, nNew++, filled, parentBase, d, zero, 0);
    }
    this.groupCount[next] = nNew;
    return nNew > 0;
  }

  /**
   * Closes group g of `level` (its rows end at `end`) with the parent group's path (at parentBase, elements
   * 0..d) copied and EXTENDed by (zero, one). shap's EXTEND updates the copied weights in place from the top down,
   *   W[i+1] += po * W[i] * (i+1) / (depth+1);  W[i] = pz * W[i] * (depth-i) / (depth+1),
   * so each new weight is pz*W[j]*(depth-j)*inv + po*W[j-1]*j*inv of the parent's weights, computed here with the
   * same operations in the same order, in one pass.
   */
  private newGroup(level: number, g: number, end: number, parentBase: number, d: number, pz: number, po: number): void {
    const L = this.len;
    const B = this.blockRows;
    this.groupStart[level * (B + 1) + g + 1] = end;
    const to = (level * B + g) * L;
    const O = this.one;
    const W = this.weight;
    for (let i = 0; i <= d; i++) O[to + i] = O[parentBase + i]!;
    const depth = d + 1;
    O[to + depth] = po;
    const inv = this.inv[depth + 1]!;
    W[to + depth] = 0 + po * W[parentBase + depth - 1]! * depth * inv;
    for (let j = depth - 1; j >= 1; j--) {
      W[to + j] = pz * W[parentBase + j]! * (depth - j) * inv + po * W[parentBase + j - 1]! * j * inv;
    }
    W[to] = pz * W[parentBase]! * depth * inv;
  }

  /** UNWIND: removes element `index` from a group's path (weights at `base`, one fractions too) of length depth+1. */
  private unwind(base: number, pathBase: number, depth: number, index: number): void {
    const O = this.one;
    const W = this.weight;
    const po = O[base + index]!;
    const pz = this.pathZero[pathBase + index]!;
    let next = W[base + depth]!;
    for (let i = depth - 1; i >= 0; i--) {
      if (po !== 0) {
        const tmp = W[base + i]!;
        W[base + i] = (next * (depth + 1)) / ((i + 1) * po);
        next = tmp - (W[base + i]! * pz * (depth - i)) / (depth + 1);
      } else {
        W[base + i] = (W[base + i]! * (depth + 1)) / (pz * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) O[base + i] = O[base + i + 1]!;
  }

  /**
   * Each group's contribution of every path element at a leaf: w_k * (o_k - z_k) * v, where w_k is the path's
   * total permutation weight with element k unwound (shap's unwound_path_sum). Stored per group (the rows of the
   * group point at it) and added to phi later, in each row's own leaf order (replay).
   *
   * One fractions are 0 or 1 in path-dependent TreeSHAP. For o_k = 0 the unwound sum is
   * (depth+1)/z_k * sum_i W_i/(depth-i), so the contribution -z_k * that * v does not depend on k: it is computed
   * once per leaf and group, which makes the cost O(depth) plus O(depth) per feature the group follows.
   */
  private leaf(node: number, level: number): void {
    const L = this.len;
    const B = this.blockRows;
    const depth = this.pathDepth[level]!;
    const li = this.leafIndex[node]!;
    const pathBase = level * L;
    for (let k = 1; k <= depth; k++) this.leafFeature[li * L + k - 1] = this.pathFeature[pathBase + k]!;
    this.leafDepth[li] = depth;
    if (depth === 0) return;
    const v = this.tree.value[node]! * this.scale;
    const { one: O, weight: W, pathZero: Z, inv } = this;
    const hot = this.hotSlots;
    const nGroups = this.groupCount[level]!;
    for (let g = 0; g < nGroups; g++) {
      const out = this.reserve(depth);
      const contrib = this.contrib;
      const base = (level * B + g) * L;
      let nHot = 0;
      let offPathContribution = NaN; // computed on first use
      for (let k = 1; k <= depth; k++) {
        if (O[base + k] !== 0) {
          hot[nHot++] = k;
          continue;
        }
        if (Number.isNaN(offPathContribution)) {
          let s = 0;
          for (let i = depth - 1; i >= 0; i--) s += W[base + i]! * inv[depth - i]!;
          offPathContribution = -s * (depth + 1) * v;
        }
        contrib[out + k - 1] = offPathContribution;
      }
      // o = 1: shap's unwound_path_sum recursion (with one_fraction = 1), a chain of dependent multiplies per
      // element. Two elements' chains run side by side so that the CPU overlaps them; each performs exactly the
      // operations of the one-at-a-time loop.
      const top = W[base + depth]!;
      let h = 0;
      for (; h + 1 < nHot; h += 2) {
        const ka = hot[h]!;
        const kb = hot[h + 1]!;
        const za = Z[pathBase + ka]!;
        const zb = Z[pathBase + kb]!;
        let nextA = top;
        let nextB = top;
        let totalA = 0;
        let totalB = 0;
        for (let i = depth - 1; i >= 0; i--) {
          const r = inv[i + 1]!;
          const wi = W[base + i]!;
          const m = depth - i;
          const tmpA = nextA * r;
          const tmpB = nextB * r;
          totalA += tmpA;
          totalB += tmpB;
          nextA = wi - tmpA * za * m;
          nextB = wi - tmpB * zb * m;
        }
        contrib[out + ka - 1] = totalA * (depth + 1) * (1 - za) * v;
        contrib[out + kb - 1] = totalB * (depth + 1) * (1 - zb) * v;
      }
      if (h < nHot) {
        const k = hot[h]!;
        const z = Z[pathBase + k]!;
        let next = top;
        let total = 0;
        for (let i = depth - 1; i >= 0; i--) {
          const tmp = next * inv[i + 1]!;
          total += tmp;
          next = W[base + i]! - tmp * z * (depth - i);
        }
        contrib[out + k - 1] = total * (depth + 1) * (1 - z) * v;
      }
      const end = this.groupStart[level * (B + 1) + g + 1]!;
      for (let p = this.groupStart[level * (B + 1) + g]!; p < end; p++) {
        this.contribAt[this.levelRows[level * B + p]! * this.nLeaves + li] = out;
      }
    }
  }

  /** Room for n more contributions; returns where they start. */
  private reserve(n: number): number {
    if (this.contribLength + n > this.contrib.length) {
      const grown = new Float64Array(Math.max(2 * this.contrib.length, this.contribLength + n));
      grown.set(this.contrib.subarray(0, this.contribLength));
      this.contrib = grown;
    }
    const at = this.contribLength;
    this.contribLength += n;
    return at;
  }

  /**
   * Adds row r's stored contributions into its phi in Algorithm 2's order: depth first, the child x goes to before
   * the other. Leaves the row's walk never reached (skipped zero-weight subtrees) have none.
   */
  private replay(r: number, values: Float64Array): void {
    const { left, right, feature, threshold, missingLeft } = this.tree;
    const { leafIndex, contribAt, contrib, leafDepth, leafFeature, replayStack: stack, len } = this;
    const data = this.X.data;
    const nF = this.X.nCols;
    const rowBase = r * nF;
    const at = (r - this.blockStart) * this.nLeaves;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top]!;
      const l = left[node]!;
      if (l === -1) {
        const li = leafIndex[node]!;
        const from = contribAt[at + li]!;
        if (from < 0) continue;
        const depth = leafDepth[li]!;
        const features = li * len;
        for (let k = 0; k < depth; k++) values[rowBase + leafFeature[features + k]!] += contrib[from + k]!;
        continue;
      }
      const xv = data[rowBase + feature[node]!]!;
      const goLeft = xv <= threshold[node]! || (xv !== xv && missingLeft[node] === 1);
      // The child x goes to is visited first: pushed last.
      const rt = right[node]!;
      stack[top++] = goLeft ? rt : l;
      stack[top++] = goLeft ? l : rt;
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
