/**
 * Makes committed transactions durable without blocking the event loop.
 *
 * SQLite can flush its write-ahead log itself at every commit (synchronous=FULL), but it does so with fsync() on the
 * calling thread: in the service, that is the thread answering HTTP requests, and on this machine's disk one fsync
 * took 0.3-4 ms, sometimes far more. So the store commits with synchronous=NORMAL (SQLite writes the WAL frames but
 * does not flush them; it still flushes before and after every checkpoint) and the write's promise resolves only
 * after this flusher has run fdatasync() on the WAL file, on libuv's thread pool.
 *
 * The WAL is append-only between checkpoints, so one fdatasync covers every frame written before it, whichever
 * process wrote it: writes that complete while a flush is running share the next one (group commit). A frame that a
 * checkpoint has already copied into the database file is durable there (SQLite flushes the database after every
 * checkpoint).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';

export class WalFlusher {
  private handle: FileHandle | null = null;
  private inode = -1;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private readonly syncFile: () => Promise<void>;

  /** `syncFile` replaces the fdatasync of the WAL (tests count and pace the flushes with it). */
  constructor(
    private readonly walPath: string,
    syncFile?: () => Promise<void>,
  ) {
    this.syncFile = syncFile ?? (() => this.syncWal());
  }

  /** Resolves once everything committed before the call is on disk. */
  flush(): Promise<void> {
    if (this.running === null) {
      this.running = this.syncFile().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // The running flush may have started before our commit: queue one more, shared by everyone arriving meanwhile.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.flush();
      });
    return this.queued;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.queued]);
    await this.handle?.close();
    this.handle = null;
  }

  private async syncWal(): Promise<void> {
    // The WAL keeps its inode while any connection has the database open (ours does), but re-check rather than
    // flush a file that is no longer the WAL.
    let current: number;
    try {
      current = (await stat(this.walPath)).ino;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // no WAL: every commit is in the database file
      throw err;
    }
    if (this.handle === null || current !== this.inode) {
      await this.handle?.close();
      this.handle = await open(this.walPath, 'r');
      this.inode = current;
    }
    await this.handle.datasync();
  }
}
