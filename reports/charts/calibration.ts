/**
 * Calibration of a model on its test window: a reliability diagram (mean predicted probability vs observed frequency
 * of the trend, per probability bin) against the diagonal of perfect calibration, with the Brier score.
 */
import type { TopLevelSpec } from 'vega-lite';
import { COLORS, baseSpec, chartTitle, chartTitleText, type ChartContext } from './theme.ts';

export interface ReliabilityBin {
  readonly index: number;
  /** Bin bounds: [lower, upper), the last bin also holds p = 1. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean predicted probability of the rows in the bin; null for an empty bin. */
  readonly meanPredicted: number | null;
  /** Share of the rows in the bin whose label is 1; null for an empty bin. */
  readonly fractionPositive: number | null;
}

/** Splits [0, 1] into nBins equal-width bins and summarises the rows falling in each. */
export function reliabilityBins(proba: ArrayLike<number>, labels: ArrayLike<number>, nBins: number): ReliabilityBin[] {
  if (!Number.isInteger(nBins) || nBins < 1) throw new Error(`reliabilityBins: nBins must be an integer >= 1, got ${nBins}`);
  if (proba.length !== labels.length) throw new Error(`reliabilityBins: ${proba.length} probabilities but ${labels.length} labels`);
  const count = new Array<number>(nBins).fill(0);
  const sumP = new Array<number>(nBins).fill(0);
  const sumY = new Array<number>(nBins).fill(0);
  for (let i = 0; i < proba.length; i++) {
    const p = proba[i]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`reliabilityBins: probability at row ${i} is outside [0, 1]: ${p}`);
    const b = Math.min(nBins - 1, Math.floor(p * nBins));
    count[b]!++;
    sumP[b]! += p;
    sumY[b]! += labels[i]! ? 1 : 0;
  }
  return count.map((c, b) => ({
    index: b,
    lower: b / nBins,
    upper: (b + 1) / nBins,
    count: c,
    meanPredicted: c > 0 ? sumP[b]! / c : null,
    fractionPositive: c > 0 ? sumY[b]! / c : null,
  }));
}

/** Mean squared difference between probability and 0/1 outcome (0 is perfect, 0.25 is a constant 0.5). */
export function brierScore(proba: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (proba.length !== labels.length) throw new Error(`brierScore: ${proba.length} probabilities but ${labels.length} labels`);
  if (proba.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < proba.length; i++) s += (proba[i]! - (labels[i]! ? 1 : 0)) ** 2;
  return s / proba.length;
}

/** Tenths: Vega's automatic ticks on an 800 px axis are twentieths, which a one-decimal format prints twice each. */
const TICKS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export interface CalibrationInput {
  readonly context: ChartContext;
  readonly proba: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  readonly nBins?: number;
}

export function calibrationSpec(input: CalibrationInput): TopLevelSpec {
  const nBins = input.nBins ?? 10;
  const bins = reliabilityBins(input.proba, input.labels, nBins).filter((b) => b.count > 0);
  const brier = brierScore(input.proba, input.labels);
  let positives = 0;
  for (let i = 0; i < input.labels.length; i++) positives += input.labels[i]! ? 1 : 0;
  const baseRate = input.labels.length > 0 ? positives / input.labels.length : NaN;
  const subtitle = [
    `Brier score ${Number.isFinite(brier) ? brier.toFixed(3) : 'n/a'} on ${input.proba.length} test rows ` +
      `(base rate ${Number.isFinite(baseRate) ? baseRate.toFixed(2) : 'n/a'}); ${nBins} equal-width bins, point size = rows in bin`,
  ];
  return {
    ...baseSpec(),
    title: chartTitle(chartTitleText('Calibration', input.context), subtitle),
    layer: [
      {
        data: { values: [{ p: 0, q: 0 }, { p: 1, q: 1 }] },
        mark: { type: 'line', strokeDash: [6, 4], color: COLORS.muted },
        encoding: {
          x: { field: 'p', type: 'quantitative', scale: { domain: [0, 1] }, title: 'mean predicted probability', axis: { format: '.1f', values: TICKS } },
          y: { field: 'q', type: 'quantitative', scale: { domain: [0, 1] }, title: 'observed frequency of the trend', axis: { format: '.1f', values: TICKS } },
        },
      },
      {
        data: { values: bins },
        mark: { type: 'line', color: COLORS.neutral, point: false },
        encoding: {
          x: { field: 'meanPredicted', type: 'quantitative' },
          y: { field: 'fractionPositive', type: 'quantitative' },
        },
      },
      {
        data: { values: bins },
        mark: { type: 'circle', color: COLORS.neutral, opacity: 0.9, tooltip: true },
        encoding: {
          x: { field: 'meanPredicted', type: 'quantitative' },
          y: { field: 'fractionPositive', type: 'quantitative' },
          size: { field: 'count', type: 'quantitative', scale: { range: [40, 600], zero: false }, legend: { title: 'rows per bin' } },
        },
      },
    ],
  };
}
