/**
 * Chart rendering and report writing times.
 * - every chart: spec -> PNG, 20 warm renders each (after 3 warm-up renders), p50/p95; target p50 <= 100 ms;
 * - the full notebook for one (symbol, trend) from fixture data (real BTC candles, 10 classifiers, 60 predictions),
 *   HTML only; target <= 2 s. The PDF print (Chromium) is timed separately when Chromium is installed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPng } from '../reports/render.ts';
import { writeReport } from '../reports/html/write-report.ts';
import { DEFAULT_CHROMIUM_PATH } from '../reports/html/pdf.ts';
import { chartFixtures } from '../test/reports/chart-fixtures.ts';
import { fixturePredictions, fixtureVersion, loadCandles, memoryReportStore } from '../test/reports/fixtures.ts';

const CHART_TARGET_MS = 100;
const REPORT_TARGET_MS = 2000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
const round = (x: number) => Math.round(x * 10) / 10;

export default async function bench(): Promise<Record<string, unknown>> {
  const charts: Record<string, { p50Ms: number; p95Ms: number; pngBytes: number; met: boolean }> = {};
  for (const [name, spec] of Object.entries(chartFixtures())) {
    let bytes = 0;
    for (let i = 0; i < 3; i++) bytes = (await renderPng(spec)).length;
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await renderPng(spec);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    charts[name] = { p50Ms: round(percentile(times, 0.5)), p95Ms: round(percentile(times, 0.95)), pngBytes: bytes, met: percentile(times, 0.5) <= CHART_TARGET_MS };
  }

  const version = fixtureVersion({ symbol: 'BTC', trend: 'uptrend' });
  const store = memoryReportStore({ champions: [version], predictions: fixturePredictions(version) });
  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-bench-report-'));
  const options = { store, symbols: ['BTC'], trends: ['uptrend' as const], loadCandles: async (s: string) => loadCandles(s) };
  try {
    await writeReport({ ...options, outDir: join(dir, 'warm') });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await writeReport({ ...options, outDir: join(dir, `run-${i}`) });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    let pdf: Record<string, unknown> = { skipped: `Chromium not found at ${DEFAULT_CHROMIUM_PATH}` };
    if (existsSync(DEFAULT_CHROMIUM_PATH)) {
      const t0 = performance.now();
      const r = await writeReport({ ...options, outDir: join(dir, 'pdf'), pdf: true });
      pdf = { totalMs: Math.round(performance.now() - t0), written: r.pdf !== undefined, warnings: r.warnings };
    }
    return {
      chartRenderWarm: { runs: 20, targetP50Ms: CHART_TARGET_MS, allMet: Object.values(charts).every((c) => c.met), charts },
      fullReportOnePair: { medianMs: Math.round(times[1]!), runs: 3, targetMs: REPORT_TARGET_MS, met: times[1]! <= REPORT_TARGET_MS, pages: 'index + BTC-uptrend' },
      reportWithPdf: pdf,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
