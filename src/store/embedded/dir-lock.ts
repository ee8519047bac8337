/**
 * The legacy lock file of a data directory, `<dataDir>/LOCK`.
 *
 * The journal store (format 1) kept its state in memory and appended to journals, so only one process at a time
 * could open a data directory: opening created `LOCK` with O_EXCL (the create fails if the file exists, atomically)
 * holding the owner's pid, host and start time. The SQLite store needs no such lock for normal use. It takes this
 * one only while it imports a journal store (legacy-import.ts), so that an older Signal Pool still running on the
 * directory is detected, none can start during the import, and two new processes do not import twice.
 *
 * A lock left behind by a process that died (kill -9, power cut) is stale: when its pid is no longer running on this
 * host, the next open takes it over. A lock from another host (a shared network directory) cannot be checked and is
 * always respected; the error says how to remove it by hand.
 */
import { closeSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { StoreLockedError } from '../ports.ts';

export interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly token: string;
  /** Why it is held; absent in locks written by the journal store itself. */
  readonly purpose?: string;
}

export interface DirLock {
  readonly path: string;
  release(): void;
}

/**
 * Locks this process holds, by real directory path. A second open inside the same process must fail too, and a lock
 * file naming our own pid that is NOT in here was left by an earlier process that had the same pid (common in
 * containers, where the app is often pid 1), so it is stale.
 */
const heldByThisProcess = new Map<string, string>();

export function acquireDirLock(dataDir: string, purpose?: string): DirLock {
  const dir = realpathSync(dataDir);
  const path = join(dir, 'LOCK');
  const mine: LockContent = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID(), ...(purpose ? { purpose } : {}) };

  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, mine)) {
      heldByThisProcess.set(dir, mine.token);
      return {
        path,
        release: () => {
          heldByThisProcess.delete(dir);
          // Remove the file only if it is still ours.
          if (readLock(path)?.token === mine.token) rmSync(path, { force: true });
        },
      };
    }
    const holder = readLock(path);
    if (holder === undefined) continue; // vanished between our create and read: try again
    const stale = holder === null ? isOlderThan(path, UNREADABLE_LOCK_GRACE_MS) : isStale(holder, dir);
    if (!stale) throw new DirLockedError(lockedMessage(dir, holder), holder);
    takeOverStale(path, holder);
  }
  throw new StoreLockedError(`could not lock data directory ${dir}: its LOCK file keeps changing; is another process starting?`);
}

function tryCreate(path: string, content: LockContent): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(content));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock's content; null when unreadable (e.g. the holder died between create and write); undefined when absent. */
export function readLock(path: string): LockContent | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as LockContent;
    return Number.isInteger(parsed.pid) && typeof parsed.token === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** A LOCK file without readable content comes from a process that died between creating and writing it. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

function isOlderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return true;
  }
}

function isStale(holder: LockContent, dir: string): boolean {
  if (holder.host !== hostname()) return false; // cannot see processes on other machines
  if (holder.pid === process.pid) return heldByThisProcess.get(dir) !== holder.token;
  return !isProcessAlive(holder.pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists but belongs to another user
  }
  // A killed child not yet reaped by its parent still answers signal 0; on Linux its state is 'Z' (zombie).
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Moves a stale lock aside (rename is atomic, so of two processes taking over the same stale lock only one succeeds),
 * then deletes it. If what we moved turns out not to be the stale lock we examined, someone else took over in
 * between: put it back and let the caller look again.
 */
function takeOverStale(path: string, examined: LockContent | null): void {
  const aside = `${path}.stale-${randomUUID().slice(0, 8)}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readLock(aside);
  if (examined !== null && moved?.token !== examined.token) {
    try {
      renameSync(aside, path);
    } catch {
      /* the new holder's lock is lost only if someone else created LOCK meanwhile; they then hold it */
    }
    return;
  }
  rmSync(aside, { force: true });
}

/** The lock is held by a live process; `holder` says which (null: its LOCK file is being written or unreadable). */
export class DirLockedError extends StoreLockedError {
  constructor(
    message: string,
    readonly holder: LockContent | null,
  ) {
    super(message);
  }
}

export function describeHolder(holder: LockContent): string {
  return holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on host ${holder.host}`;
}

function lockedMessage(dir: string, holder: LockContent | null): string {
  if (holder === null) return `data directory ${dir} is locked by another process (its LOCK file is being written or is unreadable)`;
  return `data directory ${dir} is locked by ${describeHolder(holder)} since ${holder.since}. If you are sure no process uses it, delete ${join(dir, 'LOCK')}.`;
}
