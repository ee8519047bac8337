/**
 * The reports package's public face: the chart images the chat bot attaches, the renderer, the backtest and the
 * HTML report writer.
 */
import type { ModelVersion } from '../src/store/ports.ts';
import { dailySignalsSpec, type DailySignalRow } from './charts/daily-signals.ts';
import { poolMetricsSpec } from './charts/pool-metrics.ts';
import { shapImportanceSpec, shapOutputSpaceOf } from './charts/shap-importance.ts';
import type { ChartContext } from './charts/theme.ts';
import { renderPng, type RenderOptions } from './render.ts';
import { DEFAULT_GATE, poolTagSchema, readTag, gateTagSchema, type GateThresholds, type PoolEntry } from './tags.ts';

export { backtestSignals, backtestTag, maxDrawdown, type BacktestInput, type BacktestResult, type BacktestTrade, type EquityPoint } from './backtest.ts';
export { renderPng, renderSvg, svgToPng, type RenderOptions } from './render.ts';
export { writeReport, type WriteReportOptions, type WriteReportResult } from './html/write-report.ts';
export type { ReportStore } from './html/report-data.ts';
export { poolMetricsSpec } from './charts/pool-metrics.ts';
export { shapImportanceSpec } from './charts/shap-importance.ts';
export { priceSignalsSpec } from './charts/price-signals.ts';
export { confusionMatrixSpec } from './charts/confusion-matrix.ts';
export { calibrationSpec, reliabilityBins, brierScore } from './charts/calibration.ts';
export { backtestEquitySpec } from './charts/backtest-equity.ts';
export { dailySignalsSpec, type DailySignalRow } from './charts/daily-signals.ts';
export type { ChartContext } from './charts/theme.ts';
export { DEFAULT_GATE, type GateThresholds } from './tags.ts';

/** Title context of a version's charts: coin, trend, classifier, version and the end of its data. */
export function chartContextOf(version: ModelVersion): ChartContext {
  return {
    symbol: version.symbol,
    trend: version.trend,
    classifier: version.tags.classifier,
    version: version.version,
    date: version.tags.dataRange.to,
  };
}

/** Mean-SHAP bars of a model version (chat: /shap). */
export async function shapChartPng(version: ModelVersion, render?: RenderOptions): Promise<Uint8Array> {
  const spec = shapImportanceSpec({
    context: chartContextOf(version),
    shapImportance: version.tags.shapImportance,
    outputSpace: shapOutputSpaceOf(version.tags.shapOutputSpace),
  });
  return renderPng(spec, render);
}

/**
 * The pool leaderboard of the deployment that produced `version` (chat: /metrics). Versions registered before the
 * pipeline recorded the `pool` tag show the chosen model's own metrics only.
 */
export async function poolMetricsChartPng(
  version: ModelVersion,
  options: { gate?: GateThresholds; render?: RenderOptions } = {},
): Promise<Uint8Array> {
  const poolTag = readTag(version.tags, 'pool', poolTagSchema);
  const pool: PoolEntry[] = poolTag.ok
    ? poolTag.value
    : [{ classifier: version.tags.classifier, metrics: version.tags.metrics, validationMetrics: version.tags.validationMetrics ?? null, ok: true, error: null }];
  const gateTag = readTag(version.tags, 'gate', gateTagSchema);
  const gate = (gateTag.ok ? gateTag.value.thresholds : null) ?? options.gate ?? DEFAULT_GATE;
  return renderPng(poolMetricsSpec({ context: chartContextOf(version), pool, chosen: version.tags.classifier, gate }), options.render);
}

/** Every coin's probabilities for both trends on one day (the daily chat post). */
export async function dailySignalsChartPng(
  rows: readonly DailySignalRow[],
  date: string,
  threshold: number,
  render?: RenderOptions,
): Promise<Uint8Array> {
  return renderPng(dailySignalsSpec({ rows, date, threshold }), render);
}
