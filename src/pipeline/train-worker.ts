/**
 * Worker-thread entry of the training pool. Two kinds of task:
 * - train: trains one classifier kind under a split plan and returns the result with the model encoded as an
 *   artifact (class instances cannot cross threads);
 * - fit: fits one model on given rows and predicts given query rows (the global models of the pooled data);
 * - explain: rebuilds a model from its artifact (or state) and computes the SHAP values of a chunk of a SHAP plan's
 *   rows.
 */
import { parentPort } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.ts';
import type { ClassifierKind, ClassifierState } from '../models/classifier.ts';
import { classifierFromState } from '../models/registry.ts';
import { fitRows, type FitRequest } from './fit-rows.ts';
import { explainChunk, type ShapPlan } from '../explain/explain.ts';
import { decodeModel, encodeModel } from './artifacts.ts';
import { trainMember } from './pool.ts';
import type { SplitPlan } from './split.ts';

export interface TrainTask {
  type: 'train';
  id: number;
  kind: ClassifierKind;
  data: Dataset;
  plan: SplitPlan;
  seed: number;
}

export interface ExplainTask {
  type: 'explain';
  id: number;
  /** The model as an encoded artifact (what training workers return) or as its state. */
  model: { artifact: Uint8Array } | { state: ClassifierState };
  plan: ShapPlan;
  start: number;
  end: number;
}

/** Fits one model on given rows (a global model on the pooled data) and predicts the query rows. */
export interface FitTask {
  type: 'fit';
  id: number;
  request: FitRequest;
}

export type WorkerTask = TrainTask | ExplainTask | FitTask;

parentPort!.on('message', async (task: WorkerTask) => {
  if (task.type === 'fit') {
    try {
      const result = await fitRows(task.request);
      const transfer = [result.proba.buffer as ArrayBuffer, ...(result.artifact ? [result.artifact.buffer as ArrayBuffer] : [])];
      parentPort!.postMessage({ id: task.id, fitted: result }, transfer);
    } catch (err) {
      parentPort!.postMessage({ id: task.id, error: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (task.type === 'explain') {
    try {
      const model = 'artifact' in task.model ? decodeModel(task.model.artifact) : classifierFromState(task.model.state);
      const chunk = explainChunk(model, task.plan, task.start, task.end);
      parentPort!.postMessage({ id: task.id, chunk }, [chunk.values.buffer as ArrayBuffer]);
    } catch (err) {
      parentPort!.postMessage({ id: task.id, error: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  const member = await trainMember(task.kind, task.data, task.plan, task.seed);
  if (!member.ok) {
    parentPort!.postMessage({ id: task.id, member, artifact: null });
    return;
  }
  const { model, ...rest } = member;
  // The model travels as its encoded artifact (moved, not copied): the deployment stores those bytes as they are and
  // decodes them only if it needs the model object, which for most pool members is never.
  try {
    const artifact = encodeModel(model.toJSON(), task.data.featureNames);
    parentPort!.postMessage({ id: task.id, member: rest, artifact }, [artifact.buffer as ArrayBuffer]);
  } catch (err) {
    const error = `could not encode the trained model: ${err instanceof Error ? err.message : String(err)}`;
    parentPort!.postMessage({ id: task.id, member: { kind: task.kind, ok: false, error, fitSeconds: member.fitSeconds }, artifact: null });
  }
});
