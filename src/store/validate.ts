/**
 * Input checks shared by both store implementations. The store is the last line before data becomes permanent, so
 * malformed values (a date in the wrong format, a probability of 3) are refused here with a message naming the field,
 * instead of being written and discovered months later.
 */
import type { Candle } from '../data/candle.ts';
import { isTrend } from '../data/candle.ts';
import type { NewPrediction, PredictionOutcome } from './ports.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function assertDay(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new TypeError(`${what} must be a date like 2024-01-31, got ${JSON.stringify(value)}`);
  }
}

export function assertNonEmpty(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${what} must be a non-empty string`);
}

export function assertPrediction(p: NewPrediction): void {
  const what = `prediction ${p.modelName} v${p.version} as of ${p.asOf}`;
  assertNonEmpty(p.modelName, 'prediction modelName');
  assertNonEmpty(p.symbol, `${what}: symbol`);
  if (!isTrend(p.trend)) throw new TypeError(`${what}: trend must be uptrend or downtrend, got ${JSON.stringify(p.trend)}`);
  if (!Number.isInteger(p.version) || p.version < 1) throw new TypeError(`${what}: version must be a positive integer`);
  assertDay(p.asOf, `${what}: asOf`);
  if (typeof p.probability !== 'number' || !(p.probability >= 0 && p.probability <= 1)) {
    throw new RangeError(`${what}: probability must be between 0 and 1, got ${String(p.probability)}`);
  }
  if (p.features === null || typeof p.features !== 'object') throw new TypeError(`${what}: features must be an object of numbers`);
}

export function assertOutcome(o: PredictionOutcome): void {
  if (o.label !== 0 && o.label !== 1) throw new TypeError(`outcome label must be 0 or 1, got ${String(o.label)}`);
  if (typeof o.pct !== 'number' || Number.isNaN(o.pct)) throw new TypeError('outcome pct must be a number');
  if (!(o.resolvedAt instanceof Date) || Number.isNaN(o.resolvedAt.getTime())) throw new TypeError('outcome resolvedAt must be a valid Date');
}

export function assertCandle(symbol: string, c: Candle): void {
  assertDay(c.date, `${symbol} candle date`);
  for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (typeof c[field] !== 'number' || !Number.isFinite(c[field])) {
      throw new TypeError(`${symbol} candle ${c.date}: ${field} must be a finite number, got ${String(c[field])}`);
    }
  }
}

export function assertDate(value: unknown, what: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError(`${what} must be a valid Date`);
}

/**
 * Alias names become field names in MongoDB documents, and keys of params/metrics/tags are updated by path; so they
 * must not contain '.' or start with '$'. The embedded store applies the same rule so both behave alike.
 */
export function assertFieldName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('.') || name.startsWith('$') || name.includes('\0')) {
    throw new TypeError(`${what} ${JSON.stringify(name)} is not allowed: use a non-empty name without '.', a leading '$' or NUL`);
  }
}

export function assertMapKeys(map: Record<string, unknown> | undefined, what: string): void {
  if (map === undefined) return;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new TypeError(`${what} must be an object`);
  for (const key of Object.keys(map)) assertFieldName(key, `${what} key`);
}

export function assertMetrics(metrics: Record<string, unknown> | undefined, what: string): void {
  assertMapKeys(metrics, what);
  for (const [key, value] of Object.entries(metrics ?? {})) {
    if (typeof value !== 'number') throw new TypeError(`${what} "${key}" must be a number, got ${typeof value}`);
  }
}
