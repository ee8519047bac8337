/**
 * Reader of the journal files of the embedded store's first format (format 1, before the SQLite store), for the
 * import in legacy-import.ts. Each line of a journal was one record:
 *
 *     <crc32 of the JSON, 8 hex digits> <JSON array of operations>\n
 *
 * holding every operation of one logical write (e.g. a new model version AND its alias move).
 *
 * The reader never drops a line quietly. The journal store used to treat a bad last line as the remains of an
 * interrupted append and truncated it away, but a complete line damaged later (a flipped bit) or a line cut short
 * long after it was committed look the same from here, and deleting either loses committed data without a word
 * (issues 12 and 19). So every line that fails its checksum, wherever it is, comes back as a DamagedLine with its
 * exact bytes, for the importer to move aside to a named file and report.
 */
import { checksumOf, decodeJson } from './json-codec.ts';

export type JournalOp =
  | { readonly op: 'put'; readonly c: string; readonly k: string; readonly v: unknown }
  | { readonly op: 'del'; readonly c: string; readonly k: string };

export interface DamagedLine {
  /** 1-based line number in the file. */
  readonly line: number;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** The line exactly as found, with its newline if it had one. */
  readonly bytes: Buffer;
  readonly reason: string;
  /** `collection/key` of the operations it seems to hold, read leniently from the damaged text (may be empty). */
  readonly keys: string[];
}

export interface ReadJournal {
  /** Every intact record, in file order. */
  readonly records: JournalOp[][];
  readonly damaged: DamagedLine[];
}

const NEWLINE = 0x0a;

export function readLegacyJournal(content: Buffer): ReadJournal {
  const records: JournalOp[][] = [];
  const damaged: DamagedLine[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < content.byteLength) {
    lineNo++;
    const newline = content.indexOf(NEWLINE, start);
    const end = newline < 0 ? content.byteLength : newline;
    const text = content.toString('utf8', start, end);
    const parsed = /^\0+$/.test(text) ? 'zero bytes (as a file system can leave after a power cut)' : newline < 0 ? 'incomplete last line (no newline)' : parseLine(text);
    if (typeof parsed === 'string') {
      damaged.push({ line: lineNo, offset: start, bytes: Buffer.from(content.subarray(start, newline < 0 ? end : end + 1)), reason: parsed, keys: keysIn(text) });
    } else {
      records.push(parsed);
    }
    start = end + 1;
  }
  return { records, damaged };
}

/** Returns the record's operations, or a string saying why the line is unusable. */
function parseLine(line: string): JournalOp[] | string {
  if (line.indexOf(' ') !== 8) return 'no checksum';
  const json = line.slice(9);
  if (line.slice(0, 8) !== checksumOf(json).toString(16).padStart(8, '0')) return 'checksum mismatch';
  try {
    const ops = decodeJson<unknown>(json);
    if (!Array.isArray(ops)) return 'not a list of operations';
    return ops as JournalOp[];
  } catch {
    return 'invalid JSON';
  }
}

/** The `collection/key` pairs a damaged line seems to name: enough to say which records it concerned. */
function keysIn(text: string): string[] {
  const keys = new Set<string>();
  for (const m of text.matchAll(/"c":"((?:[^"\\]|\\.)*)","k":"((?:[^"\\]|\\.)*)"/g)) keys.add(`${unescape(m[1]!)}/${unescape(m[2]!)}`);
  return [...keys];
}

function unescape(jsonString: string): string {
  try {
    return JSON.parse(`"${jsonString}"`) as string;
  } catch {
    return jsonString;
  }
}
