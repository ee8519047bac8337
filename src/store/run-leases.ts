/**
 * Runs left RUNNING by a process that died (kill -9 during a deploy, a power cut) are marked ABANDONED (issue 19),
 * at the service's start and before each deployment, instead of showing RUNNING forever.
 *
 * Every run records its owner, `host:pid` of the process that created it, and `updatedAt`, renewed by each write to
 * the run (a deployment writes its runs as the pool trains). A RUNNING run is abandoned when:
 * - its owner is a process of THIS host that no longer exists (checked with signal 0), or
 * - it has not been written for `leaseMs` (default 6 h): an owner on another host, or a run written before owners
 *   were recorded, cannot be checked, so the lease decides. A live deployment writes its runs far more often.
 *
 * The status change is a compare-and-set (abandonRun), so a run that finishes at the same moment keeps its result.
 */
import { hostname } from 'node:os';
import type { Run, Store } from './ports.ts';

export const DEFAULT_RUN_LEASE_MS = 6 * 60 * 60_000;

export function processOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/** true: alive; false: gone; null: cannot tell (another host, or not an owner string). */
export function ownerAlive(owner: string | null | undefined, host = hostname()): boolean | null {
  if (!owner) return null;
  const at = owner.lastIndexOf(':');
  const pid = Number(owner.slice(at + 1));
  if (owner.slice(0, at) !== host || !Number.isInteger(pid) || pid <= 0) return null;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface AbandonOptions {
  leaseMs?: number;
  now?: () => Date;
  isAlive?: (owner: string | null | undefined) => boolean | null;
}

/** Why a RUNNING run should be abandoned, or null when it may still be making progress. */
export function abandonReason(run: Run, opts: AbandonOptions = {}): string | null {
  if (run.status !== 'RUNNING') return null;
  const alive = (opts.isAlive ?? ownerAlive)(run.owner);
  if (alive === false) return `abandoned: the process that ran it (${run.owner}) is gone (killed or crashed)`;
  if (alive === true) return null;
  const leaseMs = opts.leaseMs ?? DEFAULT_RUN_LEASE_MS;
  const last = run.updatedAt ?? run.startTime;
  const idle = (opts.now?.() ?? new Date()).getTime() - last.getTime();
  if (idle > leaseMs) return `abandoned: no progress for ${Math.round(idle / 60_000)} min (lease ${Math.round(leaseMs / 60_000)} min expired${run.owner ? `; owner ${run.owner}` : ''})`;
  return null;
}

/**
 * Marks every RUNNING run that can no longer finish ABANDONED; returns those runs. A page of runs that cannot be
 * read (a damaged record) is skipped and reported through `onError`: run history never stops the service.
 */
export async function abandonStaleRuns(store: Pick<Store, 'listRuns' | 'abandonRun'>, opts: AbandonOptions & { onError?: (err: Error) => void } = {}): Promise<Run[]> {
  const abandoned: Run[] = [];
  let running: Run[];
  try {
    running = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const page = await store.listRuns({ status: 'RUNNING', limit: 500, offset });
      running.push(...page.items);
      // Guard against a page that does not advance: never loop forever on the service's start-up path.
      offset = page.nextOffset !== null && page.nextOffset > offset ? page.nextOffset : null;
    }
  } catch (err) {
    opts.onError?.(err as Error);
    return abandoned;
  }
  for (const run of running) {
    const reason = abandonReason(run, opts);
    if (!reason) continue;
    try {
      const done = await store.abandonRun(run.id, reason);
      if (done) abandoned.push(done);
    } catch (err) {
      opts.onError?.(err as Error);
    }
  }
  return abandoned;
}
