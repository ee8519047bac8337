/**
 * Stores for the scheduler tests: the real embedded store in a temporary directory (closing and reopening it is a
 * process restart as far as the store can tell), and a wrapper that fails every call while `down` is set, to
 * simulate the database going away mid-job.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.ts';
import type { JobRunStore, JobStatus, JsonValue, Store } from '../../src/store/ports.ts';

export interface TempStore {
  store: Store;
  dataDir: string;
  /** Closes the store and opens the same directory again (what a restarted process sees). */
  reopen(): Promise<Store>;
  /** Closes the store and deletes its directory. */
  dispose(): Promise<void>;
}

export async function openTempStore(dataDir?: string): Promise<TempStore> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'signal-pool-jobs-')));
  const open = () => openStore({ dataDir: dir, mongoDb: 'x', connectTimeoutMs: 1000 });
  const temp: TempStore = {
    store: await open(),
    dataDir: dir,
    async reopen() {
      await temp.store.close();
      temp.store = await open();
      return temp.store;
    },
    async dispose() {
      await temp.store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return temp;
}

export class StoreDownError extends Error {
  override readonly name = 'StoreDownError';
  constructor() {
    super('store unavailable (simulated outage)');
  }
}

/** Wraps a JobRunStore; while `down` is true every call rejects with StoreDownError. */
export function flakyJobRuns(inner: JobRunStore): JobRunStore & { down: boolean } {
  const wrapper = {
    down: false,
    guard<T>(call: () => Promise<T>): Promise<T> {
      return wrapper.down ? Promise.reject(new StoreDownError()) : call();
    },
    claimJobRun: (job: string, slot: string, owner: string, opts?: { retryFailed?: boolean }) =>
      wrapper.guard(() => inner.claimJobRun(job, slot, owner, opts)),
    finishJobRun: (job: string, slot: string, result: { status: Exclude<JobStatus, 'RUNNING'>; summary?: JsonValue; error?: string }) =>
      wrapper.guard(() => inner.finishJobRun(job, slot, result)),
    getJobRun: (job: string, slot: string) => wrapper.guard(() => inner.getJobRun(job, slot)),
    listJobRuns: (filter?: Parameters<JobRunStore['listJobRuns']>[0]) => wrapper.guard(() => inner.listJobRuns(filter)),
  };
  return wrapper;
}
