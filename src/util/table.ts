/**
 * Plain-text tables for terminals and chat code blocks:
 *
 *     symbol  overall  classifier
 *     ------  -------  ----------
 *     BTC       0.612  XGBoost
 *
 * Columns are as wide as their widest cell and separated by two spaces. Without an explicit `align`, a column whose
 * cells are all numbers (or '-' for missing) is right-aligned so decimals line up; every other column is left-aligned.
 */
export type Align = 'left' | 'right';

export interface TableOptions {
  readonly align?: readonly Align[];
}

const NUMERIC = /^[-+]?(\d[\d,]*)?(\.\d+)?(e[-+]?\d+)?%?$/i;
const MISSING = new Set(['', '-', 'n/a']);

/** Display width in code points, so 'é' or '✓' count as one column. */
const width = (s: string) => [...s].length;

function pad(text: string, size: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

function isNumericColumn(rows: readonly string[][], col: number): boolean {
  let numbers = 0;
  for (const row of rows) {
    const cell = row[col] ?? '';
    if (MISSING.has(cell)) continue;
    if (!NUMERIC.test(cell) || !/\d/.test(cell)) return false;
    numbers++;
  }
  return numbers > 0;
}

export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  // Cells are single-line: a newline would break every column after it.
  const clean = (s: unknown) => String(s ?? '').replace(/\s*[\r\n]+\s*/g, ' ');
  const header = columns.map(clean);
  const body = rows.map((row) => header.map((_, i) => clean(row[i])));
  const align = header.map((_, i) => opts.align?.[i] ?? (isNumericColumn(body, i) ? 'right' : 'left'));
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((row) => width(row[i]!))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i]!, align[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
