/**
 * Batch prediction and the artifact (JSON) form of a TreeEnsemble, validated with zod when read back.
 */
import { z } from 'zod';
import type { Matrix } from '../matrix.ts';
import { type Tree, type TreeEnsemble, type TreeJSON, applyLink, treeFromJSON, treeToJSON } from './tree.ts';

/** Raw scores f(x) = base + sum_t weight_t * tree_t(x) for every row. */
export function predictRaw(ensemble: TreeEnsemble, X: Matrix): Float64Array {
  if (X.nCols !== ensemble.nFeatures) {
    throw new Error(`tree ensemble expects ${ensemble.nFeatures} features, got a matrix with ${X.nCols} columns`);
  }
  const out = new Float64Array(X.nRows).fill(ensemble.base);
  const data = X.data;
  for (let t = 0; t < ensemble.trees.length; t++) {
    const { left, right, feature, threshold, missingLeft, value } = ensemble.trees[t]!;
    const w = ensemble.treeWeights[t]!;
    // predictTreeRaw's walk, inlined on the row's offset: no per-row view allocation in this hot loop.
    for (let i = 0; i < X.nRows; i++) {
      const base = i * X.nCols;
      let node = 0;
      while (left[node] !== -1) {
        const v = data[base + feature[node]!]!;
        const goLeft = v <= threshold[node]! || (v !== v && missingLeft[node] === 1);
        node = goLeft ? left[node]! : right[node]!;
      }
      out[i] += w * value[node]!;
    }
  }
  return out;
}

/** P(class 1) = link(raw score) for every row. */
export function predictProbaEnsemble(ensemble: TreeEnsemble, X: Matrix): Float64Array {
  const raw = predictRaw(ensemble, X);
  for (let i = 0; i < raw.length; i++) raw[i] = applyLink(ensemble.link, raw[i]!);
  return raw;
}

export interface TreeEnsembleJSON {
  trees: TreeJSON[];
  treeWeights: number[];
  base: number;
  link: 'identity' | 'logistic';
  nFeatures: number;
}

export function ensembleToJSON(e: TreeEnsemble): TreeEnsembleJSON {
  return { trees: e.trees.map(treeToJSON), treeWeights: Array.from(e.treeWeights), base: e.base, link: e.link, nFeatures: e.nFeatures };
}

const treeJSONSchema = z.object({
  feature: z.array(z.number().int()),
  threshold: z.array(z.number().nullable()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  missingLeft: z.array(z.number().int().min(0).max(1)),
  value: z.array(z.number()),
  cover: z.array(z.number()),
});

export const treeEnsembleJSONSchema = z.object({
  trees: z.array(treeJSONSchema),
  treeWeights: z.array(z.number()),
  base: z.number(),
  link: z.enum(['identity', 'logistic']),
  nFeatures: z.number().int().min(1),
});

/** Parses and checks an artifact's ensemble; `where` names the artifact in error messages. */
export function ensembleFromJSON(json: unknown, where: string): TreeEnsemble {
  const parsed = treeEnsembleJSONSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${where}: invalid tree ensemble: ${z.prettifyError(parsed.error)}`);
  const j = parsed.data;
  if (j.treeWeights.length !== j.trees.length) {
    throw new Error(`${where}: ${j.trees.length} trees but ${j.treeWeights.length} tree weights`);
  }
  const trees = j.trees.map((t, k) => {
    const tree = treeFromJSON(t);
    checkTree(tree, j.nFeatures, `${where}: tree ${k}`);
    return tree;
  });
  return { trees, treeWeights: Float64Array.from(j.treeWeights), base: j.base, link: j.link, nFeatures: j.nFeatures };
}

/** Structural checks so a corrupt artifact fails loudly instead of looping or reading out of bounds. */
export function checkTree(t: Tree, nFeatures: number, where: string): void {
  const n = t.left.length;
  const arrays = { feature: t.feature, threshold: t.threshold, right: t.right, missingLeft: t.missingLeft, value: t.value, cover: t.cover };
  for (const [name, a] of Object.entries(arrays)) {
    if (a.length !== n) throw new Error(`${where}: '${name}' has ${a.length} entries, 'left' has ${n}`);
  }
  if (n === 0) throw new Error(`${where}: a tree needs at least one node`);
  for (let i = 0; i < n; i++) {
    const l = t.left[i]!;
    if (l === -1) continue;
    const r = t.right[i]!;
    // Children after their parent rules out cycles; every tree this engine grows is numbered that way.
    if (l <= i || l >= n || r <= i || r >= n) throw new Error(`${where}: node ${i} has invalid children ${l}, ${r}`);
    const f = t.feature[i]!;
    if (f < 0 || f >= nFeatures) throw new Error(`${where}: node ${i} splits on feature ${f}, outside [0, ${nFeatures})`);
  }
}
