/**
 * An append-only journal file: the embedded store's only source of truth for one group of collections.
 *
 * Each line is one record, written with a single append and flushed with fdatasync before the caller hears "done":
 *
 *     <crc32 of the JSON, 8 hex digits> <JSON array of operations>\n
 *
 * A record holds every operation of one logical write (e.g. a new model version AND its alias move), so replaying
 * the file applies a write entirely or not at all.
 *
 * Crash behaviour:
 * - A process killed in the middle of an append leaves at most one incomplete (torn) last line. Opening the journal
 *   drops it and truncates the file back to the last complete record, so the next append starts on a clean line.
 * - A bad line followed by good lines cannot come from a torn append (appends are sequential and flushed); it means
 *   the file was damaged. Opening refuses with JournalCorruptError naming the line, rather than silently skipping
 *   data.
 * - Compaction (rewrite) writes a temporary file, flushes it, and renames it over the journal: after a crash the
 *   journal is either the old file or the complete new one.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { dirname } from 'node:path';
import { fsyncDir } from './fs-durable.ts';

export type JournalOp =
  | { readonly op: 'put'; readonly c: string; readonly k: string; readonly v: unknown }
  | { readonly op: 'del'; readonly c: string; readonly k: string };

export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
}

export interface OpenedJournal {
  readonly journal: Journal;
  /** Every complete record in file order. */
  readonly records: JournalOp[][];
  /** Bytes of an incomplete last record that were dropped (0 when the file ended cleanly). */
  readonly droppedTailBytes: number;
}

const NEWLINE = 0x0a;

export class Journal {
  private broken: Error | null = null;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    private bytes: number,
  ) {}

  /** Current file size in bytes. */
  get size(): number {
    return this.bytes;
  }

  static async open(path: string): Promise<OpenedJournal> {
    await rm(`${path}.compact`, { force: true }); // an unfinished compaction; the journal itself is still whole
    const handle = await open(path, 'a+');
    try {
      const content = await handle.readFile();
      const { records, validBytes } = parseJournal(content, path);
      const droppedTailBytes = content.byteLength - validBytes;
      if (droppedTailBytes > 0) {
        await handle.truncate(validBytes);
        await handle.sync();
      }
      if (content.byteLength === 0) await fsyncDir(dirname(path)); // make a newly created file's name durable
      return { journal: new Journal(path, handle, validBytes), records, droppedTailBytes };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /**
   * Appends one record durably and returns the operations as they will be read back on replay (a fresh copy that
   * shares nothing with the caller's objects).
   */
  async append(ops: readonly JournalOp[]): Promise<JournalOp[]> {
    if (this.broken) throw new Error(`journal ${this.path} is unusable after an earlier write error: ${this.broken.message}`);
    const json = encodeRecord(ops);
    const line = Buffer.from(`${formatCrc(json)} ${json}\n`, 'utf8');
    const before = this.bytes;
    try {
      let written = 0;
      while (written < line.byteLength) {
        const { bytesWritten } = await this.handle.write(line, written, line.byteLength - written);
        written += bytesWritten;
      }
      await this.handle.datasync();
    } catch (err) {
      // Roll a half-written line back so later appends do not glue onto it; if even that fails, stop writing.
      try {
        await this.handle.truncate(before);
      } catch {
        this.broken = err as Error;
      }
      throw err;
    }
    this.bytes += line.byteLength;
    return decodeRecord(json);
  }

  /** Atomically replaces the whole journal with these records (compaction). */
  async rewrite(records: readonly (readonly JournalOp[])[]): Promise<void> {
    const tmp = `${this.path}.compact`;
    const out = await open(tmp, 'w');
    let size = 0;
    try {
      // Write in chunks: a compacted journal of a large store can be tens of megabytes.
      let chunk: string[] = [];
      let chunkChars = 0;
      for (const ops of records) {
        const json = encodeRecord(ops);
        const line = `${formatCrc(json)} ${json}\n`;
        chunk.push(line);
        chunkChars += line.length;
        if (chunkChars > 1 << 20) {
          size += await writeAll(out, Buffer.from(chunk.join(''), 'utf8'));
          chunk = [];
          chunkChars = 0;
        }
      }
      if (chunk.length > 0) size += await writeAll(out, Buffer.from(chunk.join(''), 'utf8'));
      await out.sync();
    } catch (err) {
      await out.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await out.close();
    // Rename while the old file is still open: if the rename fails, the old handle keeps working.
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await fsyncDir(dirname(this.path));
    const old = this.handle;
    this.handle = await open(this.path, 'a');
    this.bytes = size;
    await old.close();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function writeAll(handle: FileHandle, buf: Buffer): Promise<number> {
  let written = 0;
  while (written < buf.byteLength) {
    const { bytesWritten } = await handle.write(buf, written, buf.byteLength - written);
    written += bytesWritten;
  }
  return written;
}

function formatCrc(json: string): string {
  return crc32(json).toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------- parsing
function parseJournal(content: Buffer, path: string): { records: JournalOp[][]; validBytes: number } {
  const records: JournalOp[][] = [];
  let validBytes = 0;
  let start = 0;
  let lineNo = 0;
  let firstBad: { line: number; reason: string } | null = null;
  while (start < content.byteLength) {
    const end = content.indexOf(NEWLINE, start);
    lineNo++;
    if (end < 0) break; // no newline: an append that never finished
    const parsed = parseLine(content.toString('utf8', start, end));
    if (typeof parsed === 'string') {
      firstBad ??= { line: lineNo, reason: parsed };
    } else {
      if (firstBad) {
        throw new JournalCorruptError(
          `${path} line ${firstBad.line} is damaged (${firstBad.reason}) but later records are intact, so this is ` +
            'not an interrupted write. Restore the data directory from a backup, or move this file aside to start this ' +
            'collection group empty.',
        );
      }
      records.push(parsed);
      validBytes = end + 1;
    }
    start = end + 1;
  }
  // Any bad lines left are at the very end: the remains of an append interrupted by a crash.
  return { records, validBytes };
}

/** Returns the record's operations, or a string saying why the line is unusable. */
function parseLine(line: string): JournalOp[] | string {
  const space = line.indexOf(' ');
  if (space !== 8) return 'no checksum';
  const json = line.slice(9);
  if (line.slice(0, 8) !== formatCrc(json)) return 'checksum mismatch';
  try {
    return decodeRecord(json);
  } catch {
    return 'invalid JSON';
  }
}

// ---------------------------------------------------------------- non-finite numbers
// JSON has no NaN or Infinity and JSON.stringify turns them into null without a word. Metrics can legitimately be NaN
// (precision with no positive predictions), so records that contain them tag each one as {"$nf":"NaN"}.
const NON_FINITE_KEY = '$nf';

function encodeRecord(ops: readonly JournalOp[]): string {
  if (!containsNonFinite(ops)) return JSON.stringify(ops);
  return JSON.stringify(ops, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? { [NON_FINITE_KEY]: String(value) } : value,
  );
}

function decodeRecord(json: string): JournalOp[] {
  const parsed: unknown = json.includes(`"${NON_FINITE_KEY}":`)
    ? JSON.parse(json, (_key, value: unknown) => {
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          const keys = Object.keys(value);
          if (keys.length === 1 && keys[0] === NON_FINITE_KEY) return Number((value as Record<string, string>)[NON_FINITE_KEY]);
        }
        return value;
      })
    : JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('record is not an array');
  return parsed as JournalOp[];
}

function containsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (containsNonFinite(item)) return true;
    return false;
  }
  for (const key in value) if (containsNonFinite((value as Record<string, unknown>)[key])) return true;
  return false;
}
