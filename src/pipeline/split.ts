/**
 * Chronological splits of the labeled rows (index ranges, end exclusive).
 *
 * Labels look `window` rows ahead (SMA10 in 10 days), so a training row at index i reads prices up to i + window.
 * Walk-forward therefore leaves a purge gap of `window` rows between every training block and the block that evaluates
 * it, and ends the last validation block `window` rows before the test window so that no validation label reads prices
 * from inside the test window.
 */
export interface Range { start: number; end: number }

export interface SeedPlan {
  protocol: 'seed';
  train: Range;
  test: Range;
}

export interface WalkForwardPlan {
  protocol: 'walk-forward';
  folds: { train: Range; valid: Range }[];
  /** The model reported on the test window is trained on this range (purged before the test window). */
  finalTrain: Range;
  test: Range;
}

export type SplitPlan = SeedPlan | WalkForwardPlan;

/** The seed's protocol: the first `fraction` of rows train, the rest test (no purge, kept for comparison). */
export function seedSplit(n: number, fraction: number): SeedPlan {
  const cut = Math.floor(n * fraction);
  if (cut < 1 || cut >= n) throw new Error(`seed split of ${n} rows at ${fraction} leaves an empty side`);
  return { protocol: 'seed', train: { start: 0, end: cut }, test: { start: cut, end: n } };
}

export interface WalkForwardOptions {
  folds: number;
  /** Size of the test window (and of each validation block) as a fraction of n. */
  testFraction: number;
  /** Purge gap in rows: the label horizon. */
  window: number;
  /** Smallest first training block; defaults to max(50, 25% of n). */
  minTrain?: number;
}

export function walkForwardSplit(n: number, opts: WalkForwardOptions): WalkForwardPlan {
  const block = testBlock(n, opts.testFraction);
  const minTrain = opts.minTrain ?? Math.max(50, Math.floor(n * 0.25));
  const test: Range = { start: n - block, end: n };
  const validEnd = test.start - opts.window;
  // Fit as many folds as requested while the first training block keeps at least minTrain rows.
  let k = opts.folds;
  while (k > 0 && validEnd - k * block - opts.window < minTrain) k--;
  if (k < 1) {
    throw new Error(`walk-forward needs more rows: ${n} labeled rows cannot hold ${opts.folds} folds of ${block} plus purge gaps of ${opts.window} and ${minTrain} training rows`);
  }
  const folds: { train: Range; valid: Range }[] = [];
  for (let f = 0; f < k; f++) {
    const vStart = validEnd - (k - f) * block;
    folds.push({ train: { start: 0, end: vStart - opts.window }, valid: { start: vStart, end: vStart + block } });
  }
  return { protocol: 'walk-forward', folds, finalTrain: { start: 0, end: test.start - opts.window }, test };
}

const testBlock = (n: number, testFraction: number) => Math.max(10, Math.round(n * testFraction));

/**
 * A plan with a TEST window and no validation folds, for a coin with too little history for walk-forward: only the
 * global models (trained on other coins' pooled history) can be candidates, selected by their mean validation score
 * over the other pairs. The TEST window is the same size as walk-forward's and still gates registration.
 */
export function testOnlySplit(n: number, opts: Pick<WalkForwardOptions, 'testFraction' | 'window'>): WalkForwardPlan {
  const block = testBlock(n, opts.testFraction);
  if (n <= block) throw new Error(`${n} labeled rows cannot hold a test window of ${block} rows`);
  return { protocol: 'walk-forward', folds: [], finalTrain: { start: 0, end: Math.max(0, n - block - opts.window) }, test: { start: n - block, end: n } };
}
