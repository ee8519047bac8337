/**
 * Fitting one classifier on an explicit set of rows and scoring query rows with it: how the global (cross-coin)
 * models are trained, on the pooled rows of every coin up to a cut-off date. Runs in a training worker or in-process.
 */
import type { ClassifierKind, Params } from '../models/classifier.ts';
import type { Matrix } from '../models/matrix.ts';
import { createClassifier } from '../models/registry.ts';
import { encodeModel } from './artifacts.ts';

export interface FitRequest {
  kind: ClassifierKind;
  params: Partial<Params>;
  X: Matrix;
  y: Uint8Array;
  seed: number;
  /** Rows to score with the fitted model (may have 0 rows). */
  queries: Matrix;
  featureNames: readonly string[];
  /** Return the model as an encoded artifact (for a model that will be registered). */
  keepArtifact: boolean;
}

export interface FitResult {
  proba: Float64Array;
  artifact: Uint8Array | null;
  params: Params;
  fitSeconds: number;
}

export async function fitRows(req: FitRequest): Promise<FitResult> {
  const started = performance.now();
  let pos = 0;
  for (let i = 0; i < req.y.length; i++) pos += req.y[i]!;
  if (pos === 0 || pos === req.y.length) throw new Error(`${req.y.length} training rows hold only class ${pos === 0 ? 0 : 1}`);
  const model = createClassifier(req.kind, req.params);
  await model.fit(req.X, req.y, { seed: req.seed });
  const proba = req.queries.nRows > 0 ? model.predictProba(req.queries) : new Float64Array(0);
  return {
    proba,
    artifact: req.keepArtifact ? encodeModel(model.toJSON(), req.featureNames) : null,
    params: { ...model.params },
    fitSeconds: (performance.now() - started) / 1000,
  };
}
