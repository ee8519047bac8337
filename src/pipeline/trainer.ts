/**
 * Where pool members are trained. Training is pure CPU work, so the default spreads it over worker threads (one per
 * core, two on the target machine): every kind of a pool trains concurrently and the deployment logs each run as it
 * completes. Results do not depend on the trainer: every fit is seeded on its own.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.ts';
import type { ClassifierKind, ClassifierState } from '../models/classifier.ts';
import { classifierFromState } from '../models/registry.ts';
import { trainMember, type MakeClassifier, type Member } from './pool.ts';
import type { SplitPlan } from './split.ts';
import type { TrainTask } from './train-worker.ts';

export interface Trainer {
  train(kind: ClassifierKind, data: Dataset, plan: SplitPlan, seed: number): Promise<Member>;
  close(): Promise<void>;
}

export function inProcessTrainer(make?: MakeClassifier): Trainer {
  return { train: (kind, data, plan, seed) => trainMember(kind, data, plan, seed, make), close: async () => undefined };
}

interface Pending { resolve: (m: Member) => void; kind: ClassifierKind; started: number }

export function workerTrainer(size = Math.max(1, Math.min(availableParallelism(), 4))): Trainer {
  const workers: { worker: Worker; busy: boolean }[] = [];
  const queue: { task: TrainTask; pending: Pending }[] = [];
  const pending = new Map<number, Pending>();
  const assigned = new Map<Worker, number>();
  let nextId = 0;
  let closed = false;

  const fail = (p: Pending, error: string): Member => ({ kind: p.kind, ok: false, error, fitSeconds: (performance.now() - p.started) / 1000 });

  function spawn(): { worker: Worker; busy: boolean } {
    // The plain-JS entry registers tsx inside the worker before loading the TypeScript worker module.
    const worker = new Worker(new URL('./train-worker-entry.mjs', import.meta.url));
    const slot = { worker, busy: false };
    worker.on('message', (msg: { id: number; member: Omit<Member, 'model'>; state: ClassifierState | null }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      assigned.delete(worker);
      slot.busy = false;
      worker.unref(); // an idle worker must not keep the process alive
      if (p) {
        try {
          p.resolve(msg.state ? ({ ...msg.member, model: classifierFromState(msg.state) } as Member) : (msg.member as Member));
        } catch (err) {
          p.resolve(fail(p, `could not load the trained model: ${err instanceof Error ? err.message : String(err)}`));
        }
      }
      pump();
    });
    worker.on('error', (err: Error) => {
      // A crashed worker fails only its own task; a fresh worker takes its place.
      const id = assigned.get(worker);
      assigned.delete(worker);
      const p = id === undefined ? undefined : pending.get(id);
      if (id !== undefined) pending.delete(id);
      if (p) p.resolve(fail(p, `training worker crashed: ${err.message}`));
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

  return {
    train(kind, data, plan, seed) {
      if (closed) return Promise.reject(new Error('trainer is closed'));
      return new Promise<Member>((resolve) => {
        queue.push({ task: { id: nextId++, kind, data, plan, seed }, pending: { resolve, kind, started: performance.now() } });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const [, p] of pending) p.resolve(fail(p, 'trainer closed'));
      pending.clear();
      await Promise.all(workers.splice(0).map((w) => w.worker.terminate()));
    },
  };
}
