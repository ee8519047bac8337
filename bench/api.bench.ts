/**
 * Loopback load test of the HTTP layer: GET /prediction and GET /models with autocannon.
 *
 * The services are a fake whose predict returns an already computed PredictionView, which is what the real service
 * does for every request after the first of a (model version, as-of date) pair; so this measures routing, validation,
 * serialisation and the socket, not the model. /models lists 40 champions (20 coins x 2 trends) with 19 features each.
 *
 * autocannon runs in a worker thread of this process (`workers: 1`) so that the load generator does not share the
 * server's event loop; on this 2-core machine the server gets one core and the generator the other.
 *
 * Targets (issue 5): >= 2000 req/s with p99 <= 20 ms, for each endpoint.
 */
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../src/api/server.ts';
import { silentLogger } from '../src/app/logger.ts';
import type { DeployedModel, PredictionView, SignalPoolServices } from '../src/app/services.ts';
import { TRENDS, type Trend } from '../src/data/candle.ts';
import type { Store } from '../src/store/ports.ts';
import { autocannon, latencySummary, type AutocannonResult } from './load.ts';
import { FEATURES, SYMBOLS } from './store-records.ts';

const TARGET_RPS = 2000;
const TARGET_P99_MS = 20;
const DURATION_S = 5;
const CONNECTIONS = 20;

function model(symbol: string, trend: Trend, i: number): DeployedModel {
  return {
    symbol, trend, modelName: `${symbol}_${trend}_model`, version: 1 + (i % 4), classifier: 'xgboost',
    metrics: { accuracy: 0.7, precision: 0.6, positive_accuracy: 0.6, negative_accuracy: 0.8, overall: 0.7 },
    shapImportance: Object.fromEntries(FEATURES.map((f, j) => [f, (j - 9) / 1000])),
    shapMeanAbs: Object.fromEntries(FEATURES.map((f, j) => [f, j / 1000])),
    featureNames: FEATURES, targetPct: trend === 'uptrend' ? 0.05 : -0.05, window: 10, protocol: 'walk-forward',
    trainedAt: new Date('2026-11-22T02:00:00Z'), dataRange: { from: '2020-01-01', to: '2026-11-21' }, testWindow: '2026-07-01..2026-11-11', trainedThrough: '2026-11-11',
  };
}

function benchServices(): SignalPoolServices {
  const models = SYMBOLS.flatMap((s, i) => TRENDS.map((t) => model(s, t, i)));
  const cached = new Map<string, PredictionView>(models.map((m) => [`${m.symbol}/${m.trend}`, {
    symbol: m.symbol, trend: m.trend, probability: 0.62, signal: true, abstain: false, threshold: 0.5, scope: 'coin', basis: { pooledCoins: null, members: null, shortHistoryRows: null }, asOf: '2026-11-23',
    modelName: m.modelName, version: m.version, classifier: m.classifier, testMetrics: m.metrics, live: null, cached: true,
  }]));
  return {
    logger: silentLogger,
    store: { kind: 'embedded', ping: async () => true } as unknown as Store,
    listChampions: async (trend?: Trend) => models.filter((m) => !trend || m.trend === trend),
    predict: async (symbol: string, trend: Trend) => {
      const view = cached.get(`${symbol}/${trend}`);
      if (!view) throw new Error(`no model ${symbol} ${trend}`);
      return view;
    },
  } as unknown as SignalPoolServices;
}

function summarise(r: AutocannonResult) {
  const ok = r.errors === 0 && r.timeouts === 0 && r.non2xx === 0;
  return {
    ...latencySummary(r),
    targets: { minReqPerSec: TARGET_RPS, maxP99Ms: TARGET_P99_MS },
    met: ok && r.requests.average >= TARGET_RPS && r.latency.p99 <= TARGET_P99_MS,
  };
}

export default async function apiBench(): Promise<Record<string, unknown>> {
  const app = buildApi(benchServices());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    const results: Record<string, unknown> = {};
    for (const path of ['/prediction?symbol=BTC&trend_type=uptrend', '/models']) {
      const check = await fetch(base + path);
      if (check.status !== 200) throw new Error(`GET ${path} answered ${check.status} before the load test`);
      await autocannon({ url: base + path, connections: CONNECTIONS, duration: 1, workers: 1 }); // warm-up (JIT)
      results[`GET ${path}`] = summarise(await autocannon({ url: base + path, connections: CONNECTIONS, duration: DURATION_S, workers: 1 }));
    }
    return {
      setup: {
        connections: CONNECTIONS, durationSeconds: DURATION_S, loadGenerator: 'autocannon in a worker thread', modelsListed: 40,
        // Other processes competing for the 2 cores change these figures a lot; this says how busy the machine was.
        loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
      },
      ...results,
      allTargetsMet: Object.values(results).every((r) => (r as { met: boolean }).met),
    };
  } finally {
    await app.close();
  }
}
