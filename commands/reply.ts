/**
 * What a command answers, independent of any chat platform. Text is plain (no Markdown, no HTML): each adapter
 * escapes it for its own format. Tables are rendered by the adapter too, usually with renderTable() in a monospaced
 * block.
 */

export interface ReplyTable {
  columns: string[];
  rows: string[][];
}

export interface ReplyImage {
  /** File name ending in .png; adapters use it for attachments and files. */
  name: string;
  png: Uint8Array;
  caption?: string;
}

export interface Reply {
  text: string;
  table?: ReplyTable;
  images?: ReplyImage[];
  /** A hint that only the caller should see it (Discord ephemeral replies); other platforms ignore it. */
  ephemeral?: boolean;
}

/** Aligns a table as fixed-width text: header, a dashed rule, then the rows. Numbers are right-aligned. */
export function renderTable(table: ReplyTable): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((r) => /^-?[\d.]+%?$|^-$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map((r) => line(table.columns.map((_, i) => r[i] ?? '')))].join('\n');
}

/** 0.7312 -> "0.731"; undefined/NaN -> "-". */
export function formatScore(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(3);
}

/** 0.7312 -> "73.1%"; undefined/NaN -> "-". */
export function formatPercent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : `${(value * 100).toFixed(1)}%`;
}

/** A Date as its UTC calendar day, YYYY-MM-DD. */
export function formatDay(date: Date): string {
  return Number.isNaN(date.getTime()) ? '-' : date.toISOString().slice(0, 10);
}

/**
 * Makes user-typed text safe to quote back: control characters removed, whitespace collapsed, length capped so a
 * hostile argument cannot blow up a reply.
 */
export function quoteInput(raw: string, max = 24): string {
  const clean = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
