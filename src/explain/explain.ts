/**
 * Picks the SHAP method for a model: exact TreeSHAP when the model exposes its trees (every model of the tree engine,
 * and XGBoost when its dump converts), KernelSHAP otherwise. Tree models are explained in their raw (margin) space,
 * kernel models in probability space; the version records which.
 */
import type { Classifier } from '../models/classifier.ts';
import type { Matrix } from '../models/matrix.ts';
import { treeShap } from './tree-shap.ts';
import { kernelShap, summarizeBackground } from './kernel-shap.ts';

export interface ShapResult {
  method: 'tree' | 'kernel';
  /** 'raw' = the tree ensemble's margin/score before its link; 'probability' = P(1). */
  outputSpace: 'raw' | 'probability';
  /** Row-major nRows × nFeatures. */
  values: Float64Array;
  expectedValue: number;
  nRows: number;
  nFeatures: number;
}

export interface ExplainOptions {
  seed: number;
  /** Rows summarising the training data for KernelSHAP. */
  backgroundSize?: number;
  /** Coalition samples per row for KernelSHAP. */
  nSamples?: number;
}

export function explainModel(model: Classifier, X: Matrix, training: Matrix, opts: ExplainOptions): ShapResult {
  const ensemble = model.treeEnsemble?.();
  if (ensemble) {
    const r = treeShap(ensemble, X);
    return { method: 'tree', outputSpace: 'raw', values: r.values, expectedValue: r.expectedValue, nRows: X.nRows, nFeatures: X.nCols };
  }
  const background = summarizeBackground(training, { size: opts.backgroundSize ?? 20, seed: opts.seed });
  const r = kernelShap((m) => model.predictProba(m), X, background, { seed: opts.seed, nSamples: opts.nSamples });
  return { method: 'kernel', outputSpace: 'probability', values: r.values, expectedValue: r.expectedValue, nRows: X.nRows, nFeatures: X.nCols };
}

/** Mean SHAP (the seed's feature_importance) and mean |SHAP| per feature over the explained rows. */
export function summarizeShap(result: ShapResult, featureNames: readonly string[]): { mean: Record<string, number>; meanAbs: Record<string, number> } {
  const mean: Record<string, number> = {};
  const meanAbs: Record<string, number> = {};
  for (let j = 0; j < result.nFeatures; j++) {
    let s = 0, a = 0;
    for (let i = 0; i < result.nRows; i++) {
      const v = result.values[i * result.nFeatures + j]!;
      s += v;
      a += Math.abs(v);
    }
    mean[featureNames[j]!] = result.nRows ? s / result.nRows : 0;
    meanAbs[featureNames[j]!] = result.nRows ? a / result.nRows : 0;
  }
  return { mean, meanAbs };
}
