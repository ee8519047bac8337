/**
 * Where pool members are trained and selected models explained. Training and SHAP are pure CPU work, so the default
 * spreads them over worker threads (one per core, two on the target machine): every kind of a pool trains
 * concurrently, the deployment logs each run as it completes, and a model's SHAP rows are split into one chunk per
 * worker. Results do not depend on the trainer: every fit is seeded on its own, and SHAP chunks merge into exactly
 * the single-threaded values (see explain.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.ts';
import type { Classifier, ClassifierKind } from '../models/classifier.ts';
import { explainChunk, type ShapChunk, type ShapPlan } from '../explain/explain.ts';
import { decodeModel } from './artifacts.ts';
import { trainMember, type MakeClassifier, type Member, type MemberResult } from './pool.ts';
import type { SplitPlan } from './split.ts';
import type { WorkerTask } from './train-worker.ts';
import { fitRows, type FitRequest, type FitResult } from './fit-rows.ts';

export interface ExplainTarget {
  readonly artifact?: Uint8Array;
  readonly model: Classifier;
}

export interface Trainer {
  /** Tasks that run at the same time (1 in-process); SHAP is split into this many chunks. */
  readonly parallelism: number;
  train(kind: ClassifierKind, data: Dataset, plan: SplitPlan, seed: number): Promise<Member>;
  /** Fits one model on explicit rows and scores the query rows (the global models). */
  fit(request: FitRequest): Promise<FitResult>;
  /**
   * SHAP values of plan.rows[start, end) for a model: a trained member, or any model with (optionally) its encoded
   * artifact, which workers decode instead of receiving the model's state.
   */
  explain(target: ExplainTarget, plan: ShapPlan, start: number, end: number): Promise<ShapChunk>;
  /**
   * Expected fit seconds of a kind, learned from the fits seen so far (a prior before the first). Callers submit
   * the slowest kinds first so that no worker is left with a long fit at the end of a pool.
   */
  expectedSeconds(kind: ClassifierKind): number;
  close(): Promise<void>;
}

/**
 * Relative fit cost per kind before any fit has been timed: fit seconds on a ~2,900-row training set measured on
 * the 2-core development machine. Only the order matters.
 */
const PRIOR_SECONDS: Record<ClassifierKind, number> = {
  NeuralNet: 1.5, MLP: 0.64, SupportVectorMachine: 0.4, RandomForest: 0.24, XGBoost: 0.22, HistGradientBoosting: 0.21,
  LightGBM: 0.21, AdaBoost: 0.044, Ridge: 0.006, KNeighbors: 0.002,
};

/** Running mean of observed fit seconds per kind, starting from PRIOR_SECONDS. */
class FitCostModel {
  private readonly seen = new Map<ClassifierKind, { total: number; count: number }>();

  record(kind: ClassifierKind, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    const s = this.seen.get(kind) ?? { total: 0, count: 0 };
    s.total += seconds;
    s.count++;
    this.seen.set(kind, s);
  }

  expected(kind: ClassifierKind): number {
    const s = this.seen.get(kind);
    return s ? s.total / s.count : PRIOR_SECONDS[kind];
  }
}

export function inProcessTrainer(make?: MakeClassifier): Trainer {
  const costs = new FitCostModel();
  return {
    parallelism: 1,
    async train(kind, data, plan, seed) {
      const member = await trainMember(kind, data, plan, seed, make);
      costs.record(kind, member.fitSeconds);
      return member;
    },
    fit: (request) => fitRows(request),
    explain: async (member, plan, start, end) => explainChunk(member.model, plan, start, end),
    expectedSeconds: (kind) => costs.expected(kind),
    close: async () => undefined,
  };
}

type Reply =
  | { id: number; member: Omit<Member, 'model'>; artifact: Uint8Array | null }
  | { id: number; chunk: ShapChunk }
  | { id: number; fitted: FitResult }
  | { id: number; error: string };

interface Pending {
  settle(reply: Reply): void;
  /** Ends the task without a reply (worker crash, trainer closed). */
  abandon(reason: string): void;
}

/**
 * A member whose `model` is decoded from its artifact on first use. A deployment needs no pool member's model
 * object (metrics, test probabilities, the SHAP method and the encoded artifact come with the reply; SHAP workers
 * decode the artifact themselves), so most models are never parsed on the deployment's thread.
 */
function withLazyModel(member: Omit<MemberResult, 'model'>, artifact: Uint8Array): Member {
  let model: Classifier | undefined;
  const result = { ...member, artifact } as MemberResult;
  Object.defineProperty(result, 'model', {
    enumerable: true,
    get: (): Classifier => (model ??= decodeModel(artifact)),
  });
  return result;
}

export function workerTrainer(size = Math.max(1, Math.min(availableParallelism(), 4))): Trainer {
  const workers: { worker: Worker; busy: boolean }[] = [];
  const queue: { task: WorkerTask; pending: Pending }[] = [];
  const pending = new Map<number, Pending>();
  const assigned = new Map<Worker, number>();
  const costs = new FitCostModel();
  let nextId = 0;
  let closed = false;

  function spawn(): { worker: Worker; busy: boolean } {
    // The plain-JS entry registers tsx inside the worker before loading the TypeScript worker module.
    const worker = new Worker(new URL('./train-worker-entry.mjs', import.meta.url));
    const slot = { worker, busy: false };
    worker.on('message', (msg: Reply) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      assigned.delete(worker);
      slot.busy = false;
      worker.unref(); // an idle worker must not keep the process alive
      p?.settle(msg);
      pump();
    });
    worker.on('error', (err: Error) => {
      // A crashed worker fails only its own task; a fresh worker takes its place.
      const id = assigned.get(worker);
      assigned.delete(worker);
      const p = id === undefined ? undefined : pending.get(id);
      if (id !== undefined) pending.delete(id);
      p?.abandon(`training worker crashed: ${err.message}`);
      workers.splice(workers.indexOf(slot), 1);
      if (!closed) pump();
    });
    workers.push(slot);
    return slot;
  }

  function pump(): void {
    while (queue.length > 0) {
      let slot = workers.find((w) => !w.busy);
      if (!slot && workers.length < size) slot = spawn();
      if (!slot) return;
      const { task, pending: p } = queue.shift()!;
      slot.busy = true;
      slot.worker.ref(); // a busy worker keeps the process alive until its result arrives
      pending.set(task.id, p);
      assigned.set(slot.worker, task.id);
      slot.worker.postMessage(task);
    }
  }

  function submit(task: WorkerTask, p: Pending, urgent: boolean): void {
    // SHAP chunks go ahead of queued fits: a deployment is waiting on them to register its model.
    if (urgent) queue.unshift({ task, pending: p });
    else queue.push({ task, pending: p });
    pump();
  }

  return {
    parallelism: size,
    train(kind, data, plan, seed) {
      if (closed) return Promise.reject(new Error('trainer is closed'));
      const started = performance.now();
      const fail = (error: string): Member => ({ kind, ok: false, error, fitSeconds: (performance.now() - started) / 1000 });
      return new Promise<Member>((resolve) => {
        submit({ type: 'train', id: nextId++, kind, data, plan, seed }, {
          settle(reply) {
            if (!('member' in reply)) return resolve(fail('error' in reply ? reply.error : 'unexpected reply from the training worker'));
            costs.record(kind, reply.member.fitSeconds);
            if (!reply.member.ok) return resolve(reply.member as Member);
            if (!reply.artifact) return resolve(fail('the training worker returned no model'));
            resolve(withLazyModel(reply.member as Omit<MemberResult, 'model'>, reply.artifact));
          },
          abandon: (reason) => resolve(fail(reason)),
        }, false);
      });
    },
    fit(request) {
      if (closed) return Promise.reject(new Error('trainer is closed'));
      return new Promise<FitResult>((resolve, reject) => {
        submit({ type: 'fit', id: nextId++, request }, {
          settle(reply) {
            if ('fitted' in reply) resolve(reply.fitted);
            else reject(new Error(`${request.kind} fit failed: ${'error' in reply ? reply.error : 'unexpected reply from the worker'}`));
          },
          abandon: (reason) => reject(new Error(`${request.kind} fit failed: ${reason}`)),
        }, false);
      });
    },
    explain(member, plan, start, end) {
      if (closed) return Promise.reject(new Error('trainer is closed'));
      return new Promise<ShapChunk>((resolve, reject) => {
        const model = member.artifact ? { artifact: member.artifact } : { state: member.model.toJSON() };
        submit({ type: 'explain', id: nextId++, model, plan, start, end }, {
          settle(reply) {
            if ('chunk' in reply) resolve(reply.chunk);
            else reject(new Error(`SHAP failed: ${'error' in reply ? reply.error : 'unexpected reply from the worker'}`));
          },
          abandon: (reason) => reject(new Error(`SHAP failed: ${reason}`)),
        }, true);
      });
    },
    expectedSeconds: (kind) => costs.expected(kind),
    async close() {
      closed = true;
      for (const [, p] of pending) p.abandon('trainer closed');
      pending.clear();
      for (const { pending: p } of queue.splice(0)) p.abandon('trainer closed');
      await Promise.all(workers.splice(0).map((w) => w.worker.terminate()));
    },
  };
}
