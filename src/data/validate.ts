/**
 * Candle validation at the edge. Every provider (CSV files, Alpha Vantage, Binance) turns its raw rows into
 * RawCandle objects and passes them through validateCandles(), so bad data is rejected with one precise message
 * (source, row, date, what is wrong) before it can reach indicators or models.
 *
 * Hard errors (CandleValidationError): invalid date, non-numeric/NaN/infinite value, price <= 0, negative volume,
 * high < low, open or close outside [low, high], duplicate or unsorted dates.
 * Soft problems (returned as warnings): missing calendar days between two rows.
 */
import type { Candle } from './candle.ts';

/** A row as read from a file or an API, before validation. Strings are parsed strictly (no "", "0x10", " 5 "). */
export interface RawCandle {
  readonly date: string;
  readonly open: string | number;
  readonly high: string | number;
  readonly low: string | number;
  readonly close: string | number;
  readonly volume: string | number;
  /** Where the row came from, e.g. its 1-based line number in a CSV file. Messages say "line N" when given, else "row N". */
  readonly line?: number;
}

export class CandleValidationError extends Error {
  override readonly name = 'CandleValidationError';
  constructor(
    message: string,
    /** The file path or redacted URL the rows came from. */
    readonly source: string,
    /** "line 12" / "row 3", or undefined for whole-file problems such as a bad header. */
    readonly location?: string,
    readonly date?: string,
  ) {
    super(message);
  }
}

export interface ValidationResult {
  readonly candles: Candle[];
  readonly warnings: string[];
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A plain decimal, optionally signed, optionally with an exponent. Rejects "", "NaN", "Infinity", hex, spaces.
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DAY_MS = 86_400_000;

/** Milliseconds since epoch of a YYYY-MM-DD UTC day, or NaN if the string is not a real calendar date. */
export function dayToMs(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC silently rolls 2021-02-30 over to March; a round trip catches that.
  return new Date(ms).toISOString().slice(0, 10) === date ? ms : Number.NaN;
}

function parseNumber(value: string | number): number {
  if (typeof value === 'number') return value;
  return NUMBER_RE.test(value) ? Number(value) : Number.NaN;
}

export function validateCandles(rows: readonly RawCandle[], source: string): ValidationResult {
  const candles: Candle[] = [];
  const warnings: string[] = [];
  let previousMs = Number.NaN;
  let previousDate = '';

  rows.forEach((row, index) => {
    const where = row.line !== undefined ? `line ${row.line}` : `row ${index + 1}`;
    const date = String(row.date);
    const fail = (what: string): never => {
      throw new CandleValidationError(`${source} ${where} (${date}): ${what}`, source, where, date);
    };

    const ms = dayToMs(date);
    if (Number.isNaN(ms)) fail(`invalid date "${date}", expected YYYY-MM-DD`);

    const values = {} as Record<'open' | 'high' | 'low' | 'close' | 'volume', number>;
    for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
      const v = parseNumber(row[field]);
      if (!Number.isFinite(v)) fail(`${field} "${String(row[field])}" is not a number`);
      values[field] = v;
    }
    const { open, high, low, close, volume } = values;
    for (const field of ['open', 'high', 'low', 'close'] as const) {
      if (values[field] <= 0) fail(`${field} ${values[field]} must be > 0`);
    }
    if (volume < 0) fail(`volume ${volume} must be >= 0`);
    if (high < low) fail(`high ${high} is below low ${low}`);
    if (open < low || open > high) fail(`open ${open} is outside [low ${low}, high ${high}]`);
    if (close < low || close > high) fail(`close ${close} is outside [low ${low}, high ${high}]`);

    if (candles.length > 0) {
      if (ms === previousMs) fail(`duplicate date (same as the previous row)`);
      if (ms < previousMs) fail(`dates are not ascending (previous row is ${previousDate})`);
      const missing = Math.round((ms - previousMs) / DAY_MS) - 1;
      if (missing > 0) {
        warnings.push(`${source}: ${missing} missing day${missing === 1 ? '' : 's'} between ${previousDate} and ${date}`);
      }
    }
    previousMs = ms;
    previousDate = date;
    candles.push({ date, open, high, low, close, volume });
  });

  return { candles, warnings };
}
