/**
 * Reading and writing candle CSV files (header `date,open,high,low,close,volume`, one UTC day per line).
 * The reader is deliberately small: no quoting support, because candle files never contain commas inside a field;
 * anything unexpected fails with a message naming the file and the line.
 */
import type { Candle } from './candle.ts';
import { CandleValidationError, validateCandles, type RawCandle, type ValidationResult } from './validate.ts';

export const CANDLE_COLUMNS = ['date', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Parses and validates a candle CSV. Columns are found by name (case-insensitive, any order); extra columns are
 * ignored. Tolerates a UTF-8 BOM, CRLF line endings and blank lines. Line numbers in messages are 1-based file lines.
 */
export function parseCandleCsv(text: string, source: string): ValidationResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerText = lines[0] ?? '';
  const header = headerText.split(',').map((h) => h.trim().toLowerCase());
  const badHeader = (why: string): never => {
    throw new CandleValidationError(
      `${source} line 1: malformed header "${headerText}": ${why} (expected ${CANDLE_COLUMNS.join(',')})`,
      source,
      'line 1',
    );
  };
  const duplicate = header.find((h, i) => h !== '' && header.indexOf(h) !== i);
  if (duplicate) badHeader(`column "${duplicate}" appears twice`);
  const missing = CANDLE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) badHeader(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const index = Object.fromEntries(CANDLE_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof CANDLE_COLUMNS)[number], number>;

  const rows: RawCandle[] = [];
  for (let i = 1; i < lines.length; i++) {
    const lineText = lines[i];
    if (lineText.trim() === '') continue;
    const cells = lineText.split(',');
    const lineNo = i + 1;
    if (cells.length !== header.length) {
      const date = cells[index.date] ?? '';
      throw new CandleValidationError(
        `${source} line ${lineNo} (${date}): has ${cells.length} fields, the header has ${header.length}`,
        source,
        `line ${lineNo}`,
        date,
      );
    }
    rows.push({
      date: cells[index.date],
      open: cells[index.open],
      high: cells[index.high],
      low: cells[index.low],
      close: cells[index.close],
      volume: cells[index.volume],
      line: lineNo,
    });
  }
  return validateCandles(rows, source);
}

/** Quotes a text cell only when it must be (comma, quote or newline inside), per RFC 4180. */
function formatCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes a CSV document: header line, one line per row, trailing newline. Numbers are written as String(x). */
export function formatCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header, ...rows].map((r) => r.map(formatCell).join(',')).join('\n') + '\n';
}

/** The bundled data format: `date,open,high,low,close,volume`, ascending. */
export function formatCandleCsv(candles: readonly Candle[]): string {
  return formatCsv(CANDLE_COLUMNS, candles.map((c) => [c.date, c.open, c.high, c.low, c.close, c.volume]));
}
