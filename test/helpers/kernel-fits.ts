/**
 * Fits one model of each kind that trains in a hand-written WebAssembly kernel (MLP, SVM, XGBoost, the tree engine
 * through RandomForest) and returns their probabilities: the same call on the main thread and in a worker thread
 * shows that the kernels load wherever the code runs, with the same results.
 */
import { createClassifier } from '../../src/models/registry.ts';
import { ball } from '../models/fixtures.ts';

export const KERNEL_KINDS = ['MLP', 'SupportVectorMachine', 'XGBoost', 'RandomForest'] as const;

export async function fitKernelModels(): Promise<Record<(typeof KERNEL_KINDS)[number], number[]>> {
  const { X, y } = ball(160, 3, 21);
  const out = {} as Record<(typeof KERNEL_KINDS)[number], number[]>;
  for (const kind of KERNEL_KINDS) {
    const model = createClassifier(kind, kind === 'MLP' ? { maxIter: 30 } : kind === 'RandomForest' ? { nEstimators: 20 } : {});
    await model.fit(X, y, { seed: 9 });
    out[kind] = Array.from(model.predictProba(X));
  }
  return out;
}
