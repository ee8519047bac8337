/**
 * A look at the embedded store's write-ahead log before SQLite opens it (issue 19, drill 2 carried over to SQLite).
 *
 * After a crash the WAL (`store.sqlite-wal`) holds committed transactions not yet copied into the database file.
 * When SQLite recovers it, it stops at the first frame whose checksum fails and silently ignores that frame and
 * every frame after it: a bit flipped in the middle of the WAL quietly drops every later commit, exactly the "bad
 * line means interrupted write, truncate it" behaviour the journal store had. SQLite cannot be told otherwise, so the
 * open checks the frames itself (the format is documented at https://sqlite.org/fileformat2.html#walformat) and,
 * when a complete frame is damaged, copies the WAL as found to damaged/ before SQLite touches it, and says which
 * commits will be missing.
 *
 * A frame counts as damaged (rather than an append still under way in another process) when its checksum fails and
 * either a later complete frame still chains correctly from it, or it is the last frame, marks a commit, and the
 * file has not been written for `quietMs`.
 */
import { readFileSync, statSync } from 'node:fs';

const HEADER = 32;
const FRAME_HEADER = 24;

export interface WalDamage {
  /** 1-based number of the first damaged frame. */
  readonly frame: number;
  readonly frames: number;
  /** Commits (frames with a database size) from the damaged frame on: what SQLite will leave out. */
  readonly commitsLost: number;
}

function checksum(buf: Buffer, start: number, end: number, bigEndian: boolean, s0: number, s1: number): [number, number] {
  for (let i = start; i < end; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

/** The first damaged complete frame of the WAL at `path`, or null when there is none (or no WAL worth checking). */
export function checkWal(path: string, opts: { quietMs?: number; now?: number } = {}): WalDamage | null {
  let buf: Buffer;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
    buf = readFileSync(path);
  } catch {
    return null;
  }
  if (buf.length < HEADER) return null;
  const magic = buf.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return null; // not a WAL header (SQLite resets such a file)
  const bigEndian = (magic & 1) === 1;
  const pageSize = buf.readUInt32BE(8);
  const salt1 = buf.readUInt32BE(16);
  const salt2 = buf.readUInt32BE(20);
  let [s0, s1] = checksum(buf, 0, 24, bigEndian, 0, 0);
  if (s0 !== buf.readUInt32BE(24) || s1 !== buf.readUInt32BE(28)) return null; // an invalid header: SQLite ignores the whole WAL, which never held a commit
  const frameSize = FRAME_HEADER + pageSize;
  const frames = Math.floor((buf.length - HEADER) / frameSize);
  let firstBad: number | null = null;
  let badIsCommit = false;
  let validAfter = 0;
  let commitsAfter = 0;
  for (let n = 0; n < frames; n++) {
    const at = HEADER + n * frameSize;
    if (buf.readUInt32BE(at + 8) !== salt1 || buf.readUInt32BE(at + 12) !== salt2) break; // left over from an earlier WAL cycle
    const [c0, c1] = checksum(buf, at, at + 8, bigEndian, s0, s1);
    const [d0, d1] = checksum(buf, at + FRAME_HEADER, at + frameSize, bigEndian, c0, c1);
    const stored0 = buf.readUInt32BE(at + 16);
    const stored1 = buf.readUInt32BE(at + 20);
    const ok = d0 === stored0 && d1 === stored1;
    const isCommit = buf.readUInt32BE(at + 4) !== 0;
    if (firstBad === null && !ok) {
      firstBad = n + 1;
      badIsCommit = isCommit;
    } else if (firstBad !== null) {
      if (!ok) break;
      // A later frame still chains from the damaged one's stored checksum: committed data follows the damage.
      validAfter++;
      if (isCommit) commitsAfter++;
    }
    // Continue the chain from the STORED checksum, so frames after a damaged one can still be validated.
    s0 = stored0;
    s1 = stored1;
  }
  if (firstBad === null) return null;
  const quiet = (opts.now ?? Date.now()) - mtimeMs > (opts.quietMs ?? 2000);
  // The last frame, written a moment ago, is most likely another process's append still under way.
  if (validAfter === 0 && !(badIsCommit && quiet)) return null;
  return { frame: firstBad, frames: firstBad + validAfter, commitsLost: commitsAfter + (badIsCommit ? 1 : 0) };
}

