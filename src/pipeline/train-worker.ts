/**
 * Worker-thread entry of the training pool: trains one classifier kind under a split plan and returns the result with
 * the model serialised (toJSON), since class instances cannot cross threads.
 */
import { parentPort } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.ts';
import type { ClassifierKind } from '../models/classifier.ts';
import { trainMember } from './pool.ts';
import type { SplitPlan } from './split.ts';

export interface TrainTask {
  id: number;
  kind: ClassifierKind;
  data: Dataset;
  plan: SplitPlan;
  seed: number;
}

parentPort!.on('message', async (task: TrainTask) => {
  const member = await trainMember(task.kind, task.data, task.plan, task.seed);
  const { model, ...rest } = member.ok ? member : { ...member, model: undefined };
  parentPort!.postMessage({ id: task.id, member: rest, state: model ? model.toJSON() : null });
});
