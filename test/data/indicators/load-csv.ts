/**
 * Test helper: reads a bundled data/ohlcv/<SYMBOL>.csv with a few lines of parsing. (Product code reads CSVs through
 * the providers; the indicator tests stay independent of them.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Candle } from '../../../src/data/candle.ts';

export const COINS = [
  'BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'AVAX', 'DOGE', 'DOT', 'LINK',
  'MATIC', 'LTC', 'BCH', 'UNI', 'ATOM', 'XLM', 'ETC', 'FIL', 'AAVE', 'GRT',
] as const;

const DATA_DIR = fileURLToPath(new URL('../../../data/ohlcv/', import.meta.url));

export function loadCandles(symbol: string): Candle[] {
  const lines = readFileSync(`${DATA_DIR}${symbol}.csv`, 'utf8').trim().split('\n');
  if (lines[0] !== 'date,open,high,low,close,volume') throw new Error(`${symbol}.csv: unexpected header ${lines[0]}`);
  return lines.slice(1).map((line) => {
    const [date, open, high, low, close, volume] = line.split(',');
    return { date: date!, open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
  });
}

/** OHLCV columns as Float64Arrays, the indicators' input shape. */
export interface Series {
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export function toSeries(candles: readonly Candle[]): Series {
  return {
    open: Float64Array.from(candles, (c) => c.open),
    high: Float64Array.from(candles, (c) => c.high),
    low: Float64Array.from(candles, (c) => c.low),
    close: Float64Array.from(candles, (c) => c.close),
    volume: Float64Array.from(candles, (c) => c.volume),
  };
}

export function candlesFromSeries(s: Series, firstDate = '2020-01-01'): Candle[] {
  const start = Date.parse(`${firstDate}T00:00:00Z`);
  return Array.from(s.close, (close, i) => ({
    date: new Date(start + i * 86_400_000).toISOString().slice(0, 10),
    open: s.open[i]!,
    high: s.high[i]!,
    low: s.low[i]!,
    close,
    volume: s.volume[i]!,
  }));
}
