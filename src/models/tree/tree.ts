/**
 * The single tree representation shared by every tree model (RandomForest, HistGradientBoosting, LightGBM-style,
 * AdaBoost, and XGBoost after conversion from its dump) and read by TreeSHAP.
 *
 * Node i is a leaf when left[i] === -1. For an internal node, a row goes left when x[feature[i]] <= threshold[i]
 * (NaN goes to the side given by missingLeft[i]). `value` holds the leaf output (in the ensemble's output space);
 * `cover` holds the (weighted) number of training rows that reached the node, which path-dependent TreeSHAP needs.
 */
export interface Tree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly missingLeft: Uint8Array;
  readonly value: Float64Array;
  readonly cover: Float64Array;
}

/**
 * f(x) = base + sum_t weight_t * tree_t(x), then `link` maps the raw score to P(1):
 * 'identity' (RandomForest averages leaf probabilities), 'logistic' (gradient boosting margins).
 * TreeSHAP explains the raw score f(x), before the link.
 */
export interface TreeEnsemble {
  readonly trees: readonly Tree[];
  readonly treeWeights: Float64Array;
  readonly base: number;
  readonly link: 'identity' | 'logistic';
  readonly nFeatures: number;
}

export function predictTreeRaw(tree: Tree, x: ArrayLike<number>): number {
  let node = 0;
  while (tree.left[node] !== -1) {
    const v = x[tree.feature[node]!]!;
    const goLeft = Number.isNaN(v) ? tree.missingLeft[node] === 1 : v <= tree.threshold[node]!;
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}

export function predictEnsembleRaw(ensemble: TreeEnsemble, x: ArrayLike<number>): number {
  let s = ensemble.base;
  for (let t = 0; t < ensemble.trees.length; t++) s += ensemble.treeWeights[t]! * predictTreeRaw(ensemble.trees[t]!, x);
  return s;
}

/**
 * Maps a raw score to P(1). The identity link clamps to [0, 1]: an average of 100 leaf fractions of exactly 1 can
 * sum to 1.0000000000000007, and a probability must not leave [0, 1].
 */
export function applyLink(link: TreeEnsemble['link'], raw: number): number {
  if (link === 'identity') return raw < 0 ? 0 : raw > 1 ? 1 : raw;
  return 1 / (1 + Math.exp(-raw));
}

/** JSON form of a tree (typed arrays become plain arrays) for artifacts. */
export interface TreeJSON {
  feature: number[]; threshold: (number | null)[]; left: number[]; right: number[];
  missingLeft: number[]; value: number[]; cover: number[];
}

export function treeToJSON(t: Tree): TreeJSON {
  // Infinity thresholds are not JSON-safe; store null and restore +Infinity.
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold, (v) => (Number.isFinite(v) ? v : null)),
    left: Array.from(t.left), right: Array.from(t.right), missingLeft: Array.from(t.missingLeft),
    value: Array.from(t.value), cover: Array.from(t.cover),
  };
}

export function treeFromJSON(j: TreeJSON): Tree {
  return {
    feature: Int32Array.from(j.feature),
    threshold: Float64Array.from(j.threshold, (v) => (v === null ? Infinity : v)),
    left: Int32Array.from(j.left), right: Int32Array.from(j.right), missingLeft: Uint8Array.from(j.missingLeft),
    value: Float64Array.from(j.value), cover: Float64Array.from(j.cover),
  };
}
