/**
 * File-system steps that survive a power cut or a kill -9, used by the embedded store.
 *
 * A rename is atomic on POSIX file systems: readers see either the old file or the new one, never a mix. But the
 * data must reach the disk before the rename (fsync the file), and the rename itself must reach the disk (fsync the
 * directory), otherwise a crash can leave an empty or missing file under the new name.
 */
import { open, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';

/** Flushes a directory entry (created, renamed or deleted files) to disk. A no-op where directories cannot be opened. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) refuse to open or fsync a directory; the rename is still atomic there.
    if (!isIgnorableDirSyncError(err)) throw err;
  } finally {
    await handle?.close();
  }
}

function isIgnorableDirSyncError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EBADF';
}

/** Writes `path` so that after a crash it holds either its old content or all of `data`. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(path));
}

/** True for the temporary files writeFileAtomic leaves behind when killed before its rename. */
export function isAtomicTempFile(name: string): boolean {
  return /\.[0-9a-f]{8}\.tmp$/.test(name);
}
