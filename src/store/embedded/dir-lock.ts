/**
 * One process at a time per data directory.
 *
 * The embedded store keeps its state in memory and appends to journals; two processes doing that on the same files
 * would overwrite each other's records. So opening takes a lock file, `<dataDir>/LOCK`, created with O_EXCL (the
 * create fails if the file exists, atomically) and holding the owner's pid, host and start time.
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

interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly token: string;
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

export function acquireDirLock(dataDir: string): DirLock {
  const dir = realpathSync(dataDir);
  const path = join(dir, 'LOCK');
  const mine: LockContent = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };

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
    if (!stale) throw lockedError(dir, holder);
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
function readLock(path: string): LockContent | null | undefined {
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

function lockedError(dir: string, holder: LockContent | null): StoreLockedError {
  if (holder === null) {
    return new StoreLockedError(`data directory ${dir} is locked by another process (its LOCK file is being written or is unreadable)`);
  }
  const where = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on host ${holder.host}`;
  const self = holder.pid === process.pid && holder.host === hostname() ? ' (this same process: close the first store before opening another)' : '';
  return new StoreLockedError(
    `data directory ${dir} is in use by ${where} since ${holder.since}${self}. Only one process may open an embedded ` +
      `store at a time: stop the other process, or point SIGNAL_POOL_DATA_DIR at another directory. If you are sure ` +
      `no process uses it, delete ${join(dir, 'LOCK')}.`,
  );
}
