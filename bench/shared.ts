/** Pieces the benchmarks share: the bundled training sets they time, and a previous commit's sources to compare with. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCandleCsv } from '../src/data/csv.ts';
import { buildDataset } from '../src/data/dataset.ts';
import { type Matrix, sliceRows } from '../src/models/matrix.ts';

/** config/signal-pool.json's splitFraction: the seed protocol trains on the first 95% of the labeled rows. */
export const SPLIT_FRACTION = 0.95;

export interface SeedSplitSet {
  name: string;
  X: Matrix;
  y: Uint8Array;
  Xtest: Matrix;
}

/**
 * The seed protocol's training and test rows of each symbol's bundled candles, both trends (the 19 features,
 * window 10, ±5%, period 7): the training sets of the pipeline benchmark's pools.
 */
export function seedSplitSets(symbols: readonly string[]): SeedSplitSet[] {
  const sets: SeedSplitSet[] = [];
  for (const symbol of symbols) {
    const path = fileURLToPath(new URL(`../data/ohlcv/${symbol}.csv`, import.meta.url));
    const { candles } = parseCandleCsv(readFileSync(path, 'utf8'), path);
    for (const trend of ['uptrend', 'downtrend'] as const) {
      const ds = buildDataset(symbol, candles, { trend, window: 10, targetPct: trend === 'uptrend' ? 0.05 : -0.05, period: 7 });
      const cut = Math.floor(ds.X.nRows * SPLIT_FRACTION);
      sets.push({ name: `${symbol}-${trend}`, X: sliceRows(ds.X, 0, cut), y: ds.y.subarray(0, cut), Xtest: sliceRows(ds.X, cut, ds.X.nRows) });
    }
  }
  return sets;
}

/**
 * Extracts src/ (and package.json, for "type": "module") of a git ref into a temporary directory, with node_modules
 * linked from this checkout, so a bench can load the old and the new code in one process and alternate them.
 */
export function extractBaseline(ref: string, bench: string): { srcDir: string; cleanup: () => void } {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), `sp-bench-${bench}-`));
  try {
    const archive = execFileSync('git', ['-C', root, 'archive', '--format=tar', ref, 'src', 'package.json'], { maxBuffer: 256 * 2 ** 20 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${bench} bench: cannot extract BENCH_BASELINE_REF=${ref}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { srcDir: join(dir, 'src'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
