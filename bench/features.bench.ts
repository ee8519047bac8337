/**
 * Feature/dataset build speed. Loads the 20 bundled coins once, warms the JIT up, then times per coin:
 * - computeFeatures alone (the target: <= 5 ms for ~3000 candles),
 * - the whole per-coin preparation: computeFeatures + buildDataset for uptrend and downtrend.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Candle } from '../src/data/candle.ts';
import { computeFeatures } from '../src/data/features.ts';
import { buildDataset } from '../src/data/dataset.ts';

const COINS = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'AVAX', 'DOGE', 'DOT', 'LINK', 'MATIC', 'LTC', 'BCH', 'UNI', 'ATOM', 'XLM', 'ETC', 'FIL', 'AAVE', 'GRT'];
const TARGET_MS = 5;
const REPEATS = 30;
const WARMUP_ROUNDS = 20;

/** The bundled CSVs are validated, plain decimal files; a split is enough here. */
function load(symbol: string): Candle[] {
  const path = fileURLToPath(new URL(`../data/ohlcv/${symbol}.csv`, import.meta.url));
  return readFileSync(path, 'utf8').trim().split('\n').slice(1).map((line) => {
    const [date, open, high, low, close, volume] = line.split(',');
    return { date: date!, open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
  });
}

function stats(ms: number[]): { mean: number; p50: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { mean: round(ms.reduce((a, b) => a + b, 0) / ms.length), p50: round(sorted[Math.floor(sorted.length / 2)]!), max: round(sorted.at(-1)!) };
}

/** Median of REPEATS timings of fn, in ms (the median keeps one GC pause from deciding a coin's number). */
function time(fn: () => void): number {
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
}

export default async function featuresBench(): Promise<Record<string, unknown>> {
  const coins = COINS.map((symbol) => ({ symbol, candles: load(symbol) }));
  const prepare = (symbol: string, candles: Candle[]) => {
    computeFeatures(candles, { period: 7 });
    buildDataset(symbol, candles, { trend: 'uptrend', window: 10, targetPct: 0.05, period: 7 });
    buildDataset(symbol, candles, { trend: 'downtrend', window: 10, targetPct: -0.05, period: 7 });
  };
  for (let round = 0; round < WARMUP_ROUNDS; round++) for (const c of coins) prepare(c.symbol, c.candles);

  const featureMs: number[] = [];
  const prepareMs: number[] = [];
  const perCoin: Record<string, { rows: number; featuresMs: number; featuresPlusTwoDatasetsMs: number }> = {};
  for (const { symbol, candles } of coins) {
    const f = time(() => computeFeatures(candles, { period: 7 }));
    const p = time(() => prepare(symbol, candles));
    featureMs.push(f);
    prepareMs.push(p);
    perCoin[symbol] = { rows: candles.length, featuresMs: Math.round(f * 1000) / 1000, featuresPlusTwoDatasetsMs: Math.round(p * 1000) / 1000 };
  }
  const features = stats(featureMs);
  const prepared = stats(prepareMs);
  return {
    coins: coins.length,
    rowsMax: Math.max(...coins.map((c) => c.candles.length)),
    computeFeaturesMsPerCoin: features,
    featuresPlusTwoDatasetsMsPerCoin: prepared,
    target: `computeFeatures <= ${TARGET_MS} ms per coin (slowest coin, median of ${REPEATS} runs)`,
    targetMet: features.max <= TARGET_MS,
    // Informational: the whole per-coin preparation (features computed three times) against the same budget.
    featuresPlusTwoDatasetsWithinTargetAtP50: prepared.p50 <= TARGET_MS,
    perCoin,
  };
}
