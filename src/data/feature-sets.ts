/**
 * The feature sets a model can read, by the name recorded on its model version:
 *
 * - `seed19`: the seed's 19 features of the coin alone (every per-coin kind, and the seed protocol);
 * - `pooled-v1`: scale-free features plus the market context (the cross-coin "global" models);
 * - `seed19+pooled-v1`: both side by side (an ensemble whose members read different sets).
 *
 * Serving builds a model's input row from this name, so a version registered with one set keeps being fed that set.
 */
import { FEATURE_NAMES } from './features.ts';
import { POOLED_FEATURE_NAMES, POOLED_FEATURE_SET } from './pooled-features.ts';

export const SEED_FEATURE_SET = 'seed19';
export const UNION_FEATURE_SET = `${SEED_FEATURE_SET}+${POOLED_FEATURE_SET}`;
export type FeatureSetName = typeof SEED_FEATURE_SET | typeof POOLED_FEATURE_SET | typeof UNION_FEATURE_SET;

export function isFeatureSetName(value: unknown): value is FeatureSetName {
  return value === SEED_FEATURE_SET || value === POOLED_FEATURE_SET || value === UNION_FEATURE_SET;
}

export function featureNamesOf(set: FeatureSetName): readonly string[] {
  if (set === SEED_FEATURE_SET) return FEATURE_NAMES;
  if (set === POOLED_FEATURE_SET) return POOLED_FEATURE_NAMES;
  return [...FEATURE_NAMES, ...POOLED_FEATURE_NAMES];
}

/** Whether a set needs the market context (and so the candles of BTC and of the other coins). */
export function needsMarketContext(set: FeatureSetName): boolean {
  return set !== SEED_FEATURE_SET;
}

/** The smallest set holding every one of `sets`. */
export function unionOf(sets: readonly FeatureSetName[]): FeatureSetName {
  const seed = sets.some((s) => s !== POOLED_FEATURE_SET);
  const pooled = sets.some((s) => s !== SEED_FEATURE_SET);
  return seed && pooled ? UNION_FEATURE_SET : pooled ? POOLED_FEATURE_SET : SEED_FEATURE_SET;
}

/** Where the columns of `part` sit inside a row of `whole` (which must contain it). */
export function columnsWithin(whole: FeatureSetName, part: FeatureSetName): number[] {
  const names = featureNamesOf(whole);
  return featureNamesOf(part).map((name) => {
    const j = names.indexOf(name);
    if (j < 0) throw new Error(`feature set ${whole} has no feature ${name} of ${part}`);
    return j;
  });
}
