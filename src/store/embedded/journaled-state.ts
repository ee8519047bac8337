/**
 * One journal file plus its in-memory image and a mutex: the unit of atomicity of the embedded store.
 *
 * Writes go through `write(plan)`: under the mutex the plan reads the current state and returns the operations to
 * apply; they are appended to the journal (one record, flushed) and only then applied to memory. Readers therefore
 * only ever see data that is already on disk, and a plan that throws changes nothing.
 */
import { Journal, type JournalOp } from './journal.ts';
import { MemoryState } from './memory-state.ts';
import { Mutex } from './mutex.ts';

export interface WritePlan<T> {
  readonly ops: JournalOp[];
  readonly result: T;
}

export interface JournaledStateOptions {
  /** Compact once the journal is larger than this and more than twice its size after the last compaction. */
  readonly compactAtBytes: number;
  /** Declares indexes on the fresh state before replay. */
  readonly setup?: (state: MemoryState) => void;
}

export class JournaledState {
  private readonly mutex = new Mutex();
  private closed = false;
  private sizeAfterCompaction: number;

  private constructor(
    private readonly journal: Journal,
    private readonly state: MemoryState,
    private readonly options: JournaledStateOptions,
    /** Bytes of a torn final record dropped when the journal was opened (reported for diagnostics). */
    readonly droppedTailBytes: number,
  ) {
    this.sizeAfterCompaction = journal.size;
  }

  static async open(path: string, options: JournaledStateOptions): Promise<JournaledState> {
    const state = new MemoryState();
    options.setup?.(state);
    const { journal, records, droppedTailBytes } = await Journal.open(path);
    for (const ops of records) state.apply(ops);
    return new JournaledState(journal, state, options, droppedTailBytes);
  }

  get path(): string {
    return this.journal.path;
  }

  /** The committed state, for reads. Callers must not modify what they get from it. */
  read(): MemoryState {
    this.assertOpen();
    return this.state;
  }

  write<T>(plan: (state: MemoryState) => WritePlan<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.assertOpen();
      const { ops, result } = plan(this.state);
      if (ops.length === 0) return result;
      const durable = await this.journal.append(ops);
      this.state.apply(durable);
      await this.compactIfDue();
      return result;
    });
  }

  /** Waits for pending writes, then closes the journal. */
  close(): Promise<void> {
    return this.mutex.run(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.journal.close();
    });
  }

  /** The last compaction failure, if any (for diagnostics; the store keeps working with a longer journal). */
  lastCompactionError: Error | null = null;

  private async compactIfDue(): Promise<void> {
    const size = this.journal.size;
    if (size < this.options.compactAtBytes || size < 2 * this.sizeAfterCompaction) return;
    try {
      await this.journal.rewrite(this.state.snapshotRecords());
      this.sizeAfterCompaction = this.journal.size;
      this.lastCompactionError = null;
    } catch (err) {
      // The write that triggered this is already durable, so it must not be reported as failed. A failed
      // compaction leaves the old journal untouched; try again once it has doubled once more.
      this.lastCompactionError = err as Error;
      this.sizeAfterCompaction = size;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the embedded store is closed (${this.journal.path})`);
  }
}
