/**
 * Signal quality and the time it costs: a full deployment of both trends for every configured coin with the DEFAULT
 * configuration (walk-forward, the whole pool with global models and the ensemble, shrunk selection, calibration, the
 * strict gate) on a real embedded store, as `signal-pool deploy` runs it. Prints the aggregate `signal-pool evaluate`
 * prints (pairs passing, mean TEST overall, AUC, Brier, lift over passing pairs) beside the wall time.
 *
 * Target (issue 11): the 40 pairs deploy in ≤ 360 s on the 2-core machine. The aggregate comes from the deployment's
 * own summaries (deploy and evaluate run the same protocol, test/cli/evaluate.test.ts checks they agree).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config/load.ts';
import { silentLogger } from '../src/app/logger.ts';
import { providerFromConfig } from '../src/app/provider-from-config.ts';
import type { SymbolDeploySummary } from '../src/app/services.ts';
import type { Candle, Trend } from '../src/data/candle.ts';
import { deployTrend } from '../src/pipeline/deploy.ts';
import { aggregateQuality, type PairQuality } from '../src/pipeline/quality.ts';
import { workerTrainer } from '../src/pipeline/trainer.ts';
import { openStore } from '../src/store/open-store.ts';

function qualityOf(s: SymbolDeploySummary): PairQuality {
  if (!s.ok || !s.testMetrics) return { symbol: s.symbol, trend: s.trend, ok: false, error: s.error ?? 'failed' };
  const t = s.testMetrics;
  return {
    symbol: s.symbol, trend: s.trend, ok: true, selected: s.selected, validationOverall: s.validationOverall,
    accuracy: t.accuracy, precision: t.precision, positive_accuracy: t.positive_accuracy, negative_accuracy: t.negative_accuracy, overall: t.overall,
    auc: Number.isFinite(t.auc) ? t.auc! : null, brier: t.brier, base_rate: t.base_rate, lift: t.lift, n_test: t.n,
    passes: s.registered, gateReasons: s.gateReason ? [s.gateReason] : [],
  };
}

export default async function qualityBench(): Promise<Record<string, unknown>> {
  const config = loadConfig({ env: {}, dotenvDir: null });
  const provider = providerFromConfig({ ...config, provider: { ...config.provider, kind: 'csv' } });
  const candles = new Map<string, Candle[]>();
  for (const s of config.symbols) candles.set(s, await provider.fetchDaily(s));
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-quality-'));
  const store = await openStore({ dataDir: dir, mongoDb: 'bench', connectTimeoutMs: 1000 });
  const trainer = workerTrainer();
  const perTrend: Record<string, unknown> = {};
  const pairs: Record<string, unknown>[] = [];
  const t0 = performance.now();
  try {
    for (const trend of ['uptrend', 'downtrend'] as Trend[]) {
      const started = performance.now();
      const summary = await deployTrend(
        { config, store, logger: silentLogger, loadCandles: async (s) => candles.get(s)!, trainer },
        { trend, symbols: config.symbols, protocol: config.protocol, seed: config.seed, actor: 'bench' },
      );
      const rows = summary.symbols.map(qualityOf);
      perTrend[trend] = { ...aggregateQuality(rows), seconds: round((performance.now() - started) / 1000) };
      for (const r of rows) pairs.push({ symbol: r.symbol, trend, selected: r.selected ?? null, overall: r.overall ?? null, auc: r.auc ?? null, lift: r.lift ?? null, passes: r.passes ?? false, ...(r.ok ? {} : { error: r.error }) });
    }
  } finally {
    await trainer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    what: 'full deployment of every configured coin, both trends, default configuration, real embedded store',
    protocol: config.protocol,
    pool: { kinds: config.pool.kinds, globalKinds: config.pool.globalKinds, ensembleTopK: config.pool.ensembleTopK, selectionWeight: config.pool.selectionWeight, calibration: config.pool.calibration },
    wall_seconds: round(seconds),
    target_seconds: 360,
    within_target: seconds <= 360,
    aggregate: perTrend,
    pairs,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
