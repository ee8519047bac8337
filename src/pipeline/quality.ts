/**
 * Signal quality of a set of evaluated pairs: one row per (coin, trend) and the aggregate `signal-pool evaluate` and
 * `npm run bench -- quality` print. Everything here reads the TEST metrics of the selected candidate, which the
 * pipeline never uses for any choice.
 */
import type { Trend } from '../data/candle.ts';
import type { PairOutcome } from './trend-pools.ts';

export interface PairQuality {
  symbol: string;
  trend: Trend;
  ok: boolean;
  error?: string;
  selected?: string;
  /** The selection score (shrunk validation overall) and the pair's own mean validation overall. */
  selectionScore?: number;
  validationOverall?: number;
  accuracy?: number;
  precision?: number;
  positive_accuracy?: number;
  negative_accuracy?: number;
  overall?: number;
  /** null: the TEST window holds one class only. */
  auc?: number | null;
  brier?: number;
  brier_uncalibrated?: number;
  base_rate?: number;
  lift?: number;
  n_test?: number;
  testWindow?: string;
  passes?: boolean;
  gateReasons?: string[];
}

export interface QualityAggregate {
  pairs: number;
  failed: number;
  passing: number;
  meanOverall: number | null;
  /** Over pairs whose TEST window has both classes. */
  meanAuc: number | null;
  aucPairs: number;
  meanBrier: number | null;
  meanBrierUncalibrated: number | null;
  /** Over passing pairs. */
  meanLiftPassing: number | null;
  minLiftPassing: number | null;
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

export function pairQuality(trend: Trend, p: PairOutcome): PairQuality {
  if (!p.ok) return { symbol: p.symbol, trend, ok: false, error: p.error };
  const t = p.test;
  return {
    symbol: p.symbol, trend, ok: true, selected: p.selected.name, selectionScore: p.selectionScore, validationOverall: p.selected.validation?.overall,
    accuracy: t.accuracy, precision: t.precision, positive_accuracy: t.positive_accuracy, negative_accuracy: t.negative_accuracy, overall: t.overall,
    auc: Number.isFinite(t.auc) ? t.auc : null, brier: t.brier, brier_uncalibrated: p.brierUncalibrated, base_rate: t.base_rate, lift: t.lift,
    n_test: t.n, testWindow: p.testWindow, passes: p.gate.passed, gateReasons: p.gate.reasons,
  };
}

function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export function aggregateQuality(rows: readonly PairQuality[]): QualityAggregate {
  const ok = rows.filter((r) => r.ok);
  const passing = ok.filter((r) => r.passes);
  const aucs = ok.map((r) => r.auc).filter((a): a is number => a !== null && finite(a));
  const lifts = passing.map((r) => r.lift).filter(finite);
  return {
    pairs: rows.length,
    failed: rows.length - ok.length,
    passing: passing.length,
    meanOverall: mean(ok.map((r) => r.overall).filter(finite)),
    meanAuc: mean(aucs),
    aucPairs: aucs.length,
    meanBrier: mean(ok.map((r) => r.brier).filter(finite)),
    meanBrierUncalibrated: mean(ok.map((r) => r.brier_uncalibrated).filter(finite)),
    meanLiftPassing: mean(lifts),
    minLiftPassing: lifts.length ? Math.min(...lifts) : null,
  };
}
