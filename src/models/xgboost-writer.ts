/**
 * Writes XGBoost's binary model file (the pre-1.0 format that ml-xgboost's XGBoosterSaveModel produces and
 * XGBoosterLoadModel reads; layout documented in src/explain/xgboost-trees.ts) from trees trained in TypeScript,
 * so that artifacts keep the same `model` bytes whichever trainer produced them.
 */
import type { XgboostModelData, XgboostTree } from './xgboost-trainer.ts';

const LEARNER_PARAM_BYTES = 136;
const GBTREE_PARAM_BYTES = 160;
const TREE_PARAM_BYTES = 148;
const NODE_BYTES = 20;
const NODE_STAT_BYTES = 16;

const OBJECTIVE = 'binary:logistic';
const BOOSTER = 'gbtree';

export function writeXgboostModel(model: XgboostModelData): Uint8Array {
  const encoder = new TextEncoder();
  const objective = encoder.encode(OBJECTIVE);
  const booster = encoder.encode(BOOSTER);
  let size = LEARNER_PARAM_BYTES + 8 + objective.length + 8 + booster.length + GBTREE_PARAM_BYTES + 4 * model.trees.length;
  for (const tree of model.trees) size += TREE_PARAM_BYTES + tree.parent.length * (NODE_BYTES + NODE_STAT_BYTES);
  const bytes = new Uint8Array(size); // every reserved field stays 0
  const view = new DataView(bytes.buffer);
  let pos = 0;

  // LearnerModelParam: base_score (as a margin), num_feature, then num_class, contain_extra_attrs,
  // contain_eval_metrics and reserved words, all 0.
  view.setFloat32(0, model.baseMargin, true);
  view.setUint32(4, model.nFeatures, true);
  pos = LEARNER_PARAM_BYTES;
  for (const name of [objective, booster]) {
    view.setUint32(pos, name.length, true); // u64 length, high word 0
    bytes.set(name, pos + 8);
    pos += 8 + name.length;
  }

  // GBTreeModelParam: num_trees, num_roots, num_feature, pad, num_pbuffer (i64), num_output_group, size_leaf_vector.
  view.setInt32(pos, model.trees.length, true);
  view.setInt32(pos + 4, 1, true);
  view.setInt32(pos + 8, model.nFeatures, true);
  view.setInt32(pos + 24, 1, true);
  pos += GBTREE_PARAM_BYTES;

  for (const tree of model.trees) pos = writeTree(view, pos, tree, model.nFeatures);
  // tree_info: the output group of every tree, all 0 for a binary model.
  pos += 4 * model.trees.length;
  if (pos !== size) throw new Error(`XGBoost writer: wrote ${pos} of ${size} bytes`);
  return bytes;
}

function writeTree(view: DataView, pos: number, tree: XgboostTree, nFeatures: number): number {
  const numNodes = tree.parent.length;
  // TreeParam: num_roots, num_nodes, num_deleted, max_depth (XGBoost leaves it 0), num_feature, size_leaf_vector.
  view.setInt32(pos, 1, true);
  view.setInt32(pos + 4, numNodes, true);
  view.setInt32(pos + 8, tree.numDeleted, true);
  view.setInt32(pos + 16, nFeatures, true);
  pos += TREE_PARAM_BYTES;
  for (let k = 0; k < numNodes; k++) {
    view.setInt32(pos, tree.parent[k]!, true);
    view.setInt32(pos + 4, tree.left[k]!, true);
    view.setInt32(pos + 8, tree.right[k]!, true);
    view.setUint32(pos + 12, tree.sindex[k]!, true);
    view.setFloat32(pos + 16, tree.info[k]!, true);
    pos += NODE_BYTES;
  }
  for (let k = 0; k < numNodes; k++) {
    view.setFloat32(pos, tree.lossChange[k]!, true);
    view.setFloat32(pos + 4, tree.sumHessian[k]!, true);
    view.setFloat32(pos + 8, tree.baseWeight[k]!, true);
    view.setInt32(pos + 12, tree.leafChildCount[k]!, true);
    pos += NODE_STAT_BYTES;
  }
  return pos;
}
