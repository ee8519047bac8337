/**
 * Reads the trees out of an ml-xgboost model and converts them to the shared TreeEnsemble, so that TreeSHAP can
 * explain XGBoost and so that predictions need no wasm.
 *
 * ml-xgboost exposes no dump function (no XGBoosterDumpModel export), but its toJSON() returns the bytes of
 * XGBoost's own binary model file (`XGBoosterSaveModel`, the pre-1.0 format of the XGBoost it was built from).
 * That format is a fixed layout of C structs, read here:
 *
 *   LearnerModelParam   base_score f32 (stored as a margin), num_feature u32, num_class i32,
 *                       contain_extra_attrs i32, contain_eval_metrics i32, reserved i32[29]     (136 bytes)
 *   name_obj, name_gbm  u64 length + bytes each ("binary:logistic", "gbtree")
 *   GBTreeModelParam    num_trees i32, num_roots i32, num_feature i32, pad i32, num_pbuffer i64,
 *                       num_output_group i32, size_leaf_vector i32, reserved i32[32]            (160 bytes)
 *   per tree:
 *     TreeParam         num_roots, num_nodes, num_deleted, max_depth, num_feature, size_leaf_vector,
 *                       reserved[31], all i32                                                     (148 bytes)
 *     Node[num_nodes]   parent i32, cleft i32, cright i32, sindex u32 (bit 31 = default left, low bits =
 *                       feature), info f32 (leaf value or split condition)                          (20 bytes)
 *     NodeStat[nodes]   loss_chg f32, sum_hess f32 (the cover), base_weight f32, leaf_child_cnt i32 (16 bytes)
 *   tree_info           i32[num_trees]
 *
 * Semantics to reproduce exactly: XGBoost converts every input to float32 and sends a row left when
 * `fvalue < split_cond`; the wasm port builds its matrices with `missing = -1`, so an input equal to -1 is "missing"
 * and follows the node's default direction. `encodeXgboostInput` (applied to both training and prediction inputs)
 * moves real -1 values to the adjacent float32 and turns NaN into the missing marker. The converted trees then
 * take raw float64 inputs: each threshold becomes the largest double t with "x <= t" ⇔ "encode(x) < split_cond",
 * and NaN follows the default direction.
 */
import type { Tree, TreeEnsemble } from '../models/tree/tree.ts';

/** The wasm port's missing-value marker (js-interfaces.cpp: XGDMatrixCreateFromMat(..., missing = -1, ...)). */
export const XGBOOST_MISSING = -1;
/** The float32 just below -1: where a genuine -1 is moved to so that it is not taken for "missing". */
const BELOW_MINUS_ONE = -(1 + 2 ** -23);

/**
 * Maps a feature value to what the wasm port must receive: NaN → the missing marker; a value whose float32 is
 * -1 → the next float32 below (order is kept: no float32 lies between them).
 */
export function encodeXgboostInput(v: number): number {
  if (Number.isNaN(v)) return XGBOOST_MISSING;
  return Math.fround(v) === -1 ? BELOW_MINUS_ONE : v;
}

export interface XgboostModelInfo {
  objective: string;
  booster: string;
  /** The base score in margin space (what XGBoost adds before the trees). */
  baseMargin: number;
  nFeatures: number;
  nTrees: number;
}

interface RawNode {
  cleft: number;
  cright: number;
  feature: number;
  defaultLeft: boolean;
  value: number; // leaf value or split condition
  cover: number;
}

/** Parses the model bytes (as returned by ml-xgboost's toJSON().model, signed or unsigned bytes). */
export function parseXgboostModel(bytes: ArrayLike<number>): { info: XgboostModelInfo; trees: RawNode[][] } {
  // Unsigned bytes are used as they are; signed ones are reinterpreted without a per-byte closure (~40 ms per model).
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(Int8Array.from(bytes).buffer);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > buf.length) throw new Error(`XGBoost model: truncated while reading ${what} at byte ${pos} of ${buf.length}`);
  };
  const i32 = () => { const v = view.getInt32(pos, true); pos += 4; return v; };
  const u32 = () => { const v = view.getUint32(pos, true); pos += 4; return v; };
  const f32 = () => { const v = view.getFloat32(pos, true); pos += 4; return v; };
  const str = (what: string) => {
    need(8, what);
    const lo = view.getUint32(pos, true);
    const hi = view.getUint32(pos + 4, true);
    pos += 8;
    if (hi !== 0 || lo > 256) throw new Error(`XGBoost model: implausible length ${lo} for ${what}`);
    need(lo, what);
    const s = new TextDecoder().decode(buf.subarray(pos, pos + lo));
    pos += lo;
    return s;
  };

  need(136, 'learner parameters');
  const baseMargin = f32();
  const nFeatures = u32();
  const numClass = i32();
  pos = 136;
  const objective = str('objective name');
  const booster = str('booster name');
  if (booster !== 'gbtree') throw new Error(`XGBoost model: booster "${booster}" has no trees (only gbtree converts)`);
  if (numClass > 1) throw new Error(`XGBoost model: ${numClass} classes; only binary/regression models convert`);

  need(160, 'gbtree parameters');
  const gbStart = pos;
  const nTrees = i32();
  const numRoots = i32();
  pos = gbStart + 4 * 4 + 8; // num_feature, pad, then the int64 num_pbuffer
  const numOutputGroup = i32();
  const sizeLeafVector = i32();
  pos = gbStart + 160;
  if (numRoots !== 1 || numOutputGroup !== 1 || sizeLeafVector !== 0) {
    throw new Error(`XGBoost model: unsupported layout (roots ${numRoots}, output groups ${numOutputGroup}, leaf vector ${sizeLeafVector})`);
  }

  const trees: RawNode[][] = [];
  for (let t = 0; t < nTrees; t++) {
    need(148, `tree ${t} parameters`);
    const tpStart = pos;
    pos += 4; // num_roots
    const numNodes = i32();
    pos = tpStart + 148;
    need(numNodes * 36, `tree ${t} nodes`);
    const nodes: RawNode[] = [];
    for (let k = 0; k < numNodes; k++) {
      pos += 4; // parent
      const cleft = i32();
      const cright = i32();
      const sindex = u32();
      const value = f32();
      nodes.push({ cleft, cright, feature: sindex & 0x7fffffff, defaultLeft: (sindex >>> 31) === 1, value, cover: 0 });
    }
    for (let k = 0; k < numNodes; k++) {
      pos += 4; // loss_chg
      nodes[k]!.cover = f32();
      pos += 8; // base_weight, leaf_child_cnt
    }
    trees.push(nodes);
  }
  need(4 * nTrees, 'tree_info');
  pos += 4 * nTrees;
  return { info: { objective, booster, baseMargin, nFeatures, nTrees }, trees };
}

/**
 * The model as a TreeEnsemble on raw float64 inputs (NaN = missing). Link: logistic for binary:logistic (and
 * the other logistic objectives), identity otherwise. The raw score f(x) is XGBoost's margin.
 */
export function xgboostTreeEnsemble(bytes: ArrayLike<number>): TreeEnsemble {
  const { info, trees } = parseXgboostModel(bytes);
  const link = info.objective.startsWith('binary:logi') || info.objective === 'reg:logistic' ? 'logistic' : 'identity';
  return {
    trees: trees.map((nodes, t) => toTree(nodes, t, info.nFeatures)),
    treeWeights: new Float64Array(trees.length).fill(1), // XGBoost's leaf values already include the learning rate
    base: info.baseMargin,
    link,
    nFeatures: info.nFeatures,
  };
}

/** Renumbers the reachable nodes depth-first from the root (deleted/pruned slots are dropped). */
function toTree(nodes: RawNode[], t: number, nFeatures: number): Tree {
  const order: number[] = [];
  const stack = [0];
  while (stack.length) {
    const k = stack.pop()!;
    const node = nodes[k];
    if (!node) throw new Error(`XGBoost model: tree ${t} refers to missing node ${k}`);
    if (order.length > nodes.length) throw new Error(`XGBoost model: tree ${t} has a cycle`);
    order.push(k);
    if (node.cleft !== -1) stack.push(node.cright, node.cleft);
  }
  const newIndex = new Map(order.map((k, i) => [k, i]));
  const n = order.length;
  const tree: Tree = {
    feature: new Int32Array(n), threshold: new Float64Array(n), left: new Int32Array(n), right: new Int32Array(n),
    missingLeft: new Uint8Array(n), value: new Float64Array(n), cover: new Float64Array(n),
  };
  order.forEach((k, i) => {
    const node = nodes[k]!;
    tree.cover[i] = node.cover;
    if (node.cleft === -1) {
      tree.left[i] = -1;
      tree.right[i] = -1;
      tree.value[i] = node.value;
      return;
    }
    if (node.feature >= nFeatures) throw new Error(`XGBoost model: tree ${t} splits on feature ${node.feature} of ${nFeatures}`);
    tree.feature[i] = node.feature;
    tree.threshold[i] = thresholdForRawInput(node.value);
    tree.left[i] = newIndex.get(node.cleft)!;
    tree.right[i] = newIndex.get(node.cright)!;
    tree.missingLeft[i] = node.defaultLeft ? 1 : 0;
  });
  return tree;
}

/**
 * The largest double t such that, for every non-NaN double x, `x <= t` exactly when XGBoost sends x left, i.e.
 * when encode(fround(x)) < split (float32 comparison).
 */
export function thresholdForRawInput(split: number): number {
  // The largest float32 value v that goes left. Normally the float32 just below the split; but a split of
  // exactly -1 also sends -1 itself left, because encode() moved every -1 just below it.
  const v = split === -1 ? -1 : prevFloat32(split);
  if (v === Infinity || Number.isNaN(v)) return v;
  // Doubles below the midpoint of v and the next float32 round to v or less; the midpoint itself rounds to
  // whichever of the two has an even mantissa.
  const next = nextFloat32(v);
  if (next === Infinity) return Number.MAX_VALUE; // every finite double rounds to <= the largest float32
  const mid = (v + next) / 2; // exact: float32 values have few enough bits
  return Math.fround(mid) === v ? mid : prevDouble(mid);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The next float32 towards +Infinity. */
function nextFloat32(v: number): number {
  if (v === 0) return 2 ** -149; // smallest subnormal (from +0 or -0)
  f32[0] = v;
  u32[0] = v > 0 ? u32[0]! + 1 : u32[0]! - 1;
  return f32[0]!;
}

/** The next float32 towards -Infinity. */
function prevFloat32(v: number): number {
  if (v === 0) return -(2 ** -149);
  f32[0] = v;
  if (f32[0] !== v) throw new Error(`XGBoost model: split condition ${v} is not a float32`);
  u32[0] = v > 0 ? u32[0]! - 1 : u32[0]! + 1;
  return f32[0]!;
}

/** The next double towards -Infinity (for finite, non-zero positive or negative values). */
function prevDouble(v: number): number {
  f64[0] = v;
  u64[0] = v > 0 ? u64[0]! - 1n : u64[0]! + 1n;
  return f64[0]!;
}
