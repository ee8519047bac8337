/**
 * What the four tree-engine classifiers share: input validation, parameter parsing, and everything a fitted
 * TreeEnsemble gives for free (probabilities, decisions, artifact form, TreeSHAP access).
 */
import { z } from 'zod';
import {
  type Classifier, type ClassifierKind, type ClassifierState, type FitOptions, type Params, thresholdProba,
} from '../classifier.ts';
import type { Matrix } from '../matrix.ts';
import type { TreeEnsemble } from './tree.ts';
import { ensembleFromJSON, ensembleToJSON, predictProbaEnsemble } from './ensemble.ts';

export abstract class TreeEnsembleClassifier<P extends Params> implements Classifier {
  abstract readonly kind: ClassifierKind;
  protected ensemble: TreeEnsemble | null;

  constructor(readonly params: Readonly<P>, ensemble: TreeEnsemble | null = null) {
    this.ensemble = ensemble;
  }

  abstract fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void>;

  predictProba(X: Matrix): Float64Array {
    return predictProbaEnsemble(this.fitted(), X);
  }

  predict(X: Matrix): Uint8Array {
    return thresholdProba(this.predictProba(X));
  }

  toJSON(): ClassifierState {
    return { kind: this.kind, params: { ...this.params }, state: { ensemble: ensembleToJSON(this.fitted()) } };
  }

  treeEnsemble(): TreeEnsemble {
    return this.fitted();
  }

  protected fitted(): TreeEnsemble {
    if (!this.ensemble) throw new Error(`${this.kind}: the model is not fitted (call fit first)`);
    return this.ensemble;
  }
}

export { parseParams } from '../params.ts';

/** Reads the ensemble of an artifact written by TreeEnsembleClassifier.toJSON. */
export function ensembleFromState(kind: ClassifierKind, state: ClassifierState): TreeEnsemble {
  if (state.kind !== kind) throw new Error(`${kind}.fromJSON: the artifact is a '${state.kind}' model`);
  const s = state.state;
  if (typeof s !== 'object' || s === null || !('ensemble' in s)) {
    throw new Error(`${kind}.fromJSON: the artifact's state has no 'ensemble'`);
  }
  return ensembleFromJSON((s as { ensemble: unknown }).ensemble, `${kind} artifact`);
}

/** Checks fit() arguments; NaN feature values are allowed (missing), infinities are not. */
export function validateFitInput(kind: ClassifierKind, X: Matrix, y: Uint8Array, options: FitOptions): void {
  if (X.nRows === 0) throw new Error(`${kind}.fit: the training matrix has no rows`);
  if (X.nCols === 0) throw new Error(`${kind}.fit: the training matrix has no columns`);
  if (X.data.length !== X.nRows * X.nCols) {
    throw new Error(`${kind}.fit: matrix data has ${X.data.length} values, expected ${X.nRows}x${X.nCols}`);
  }
  if (y.length !== X.nRows) throw new Error(`${kind}.fit: ${X.nRows} rows but ${y.length} labels`);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`${kind}.fit: label of row ${i} is ${y[i]}, expected 0 or 1`);
  }
  for (let k = 0; k < X.data.length; k++) {
    const v = X.data[k]!;
    if (v === Infinity || v === -Infinity) {
      throw new Error(`${kind}.fit: row ${Math.floor(k / X.nCols)}, column ${k % X.nCols} is ${v}; use NaN for missing values`);
    }
  }
  if (!Number.isFinite(options.seed)) throw new Error(`${kind}.fit: seed must be a finite number, got ${options.seed}`);
  const sw = options.sampleWeight;
  if (sw) {
    if (sw.length !== X.nRows) throw new Error(`${kind}.fit: ${X.nRows} rows but ${sw.length} sample weights`);
    let total = 0;
    for (let i = 0; i < sw.length; i++) {
      const w = sw[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`${kind}.fit: sample weight of row ${i} is ${w}, expected a finite value >= 0`);
      total += w;
    }
    if (!(total > 0)) throw new Error(`${kind}.fit: sample weights sum to 0`);
  }
  const cw = options.classWeight;
  if (cw && !(cw[0] > 0 && cw[1] > 0 && Number.isFinite(cw[0]) && Number.isFinite(cw[1]))) {
    throw new Error(`${kind}.fit: class weights must be finite and > 0, got {0: ${cw[0]}, 1: ${cw[1]}}`);
  }
}

/** Lets timers and I/O run between trees, so a long fit does not freeze a server or a progress bar. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
