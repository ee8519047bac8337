import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger, silentLogger } from '../../src/app/logger.ts';
import type { BatchPredictionResult, PredictionView, SignalPoolServices } from '../../src/app/services.ts';
import type { Trend } from '../../src/data/candle.ts';
import { createDailyJob } from '../../jobs/daily.ts';
import { JobFailedError } from '../../jobs/job.ts';
import { logNotifier, type DailySignalsReport } from '../../jobs/notifier.ts';

function view(symbol: string, trend: Trend, probability: number): PredictionView {
  return {
    symbol, trend, probability, signal: probability >= 0.5, abstain: false, threshold: 0.5, scope: 'coin', basis: { pooledCoins: null, members: null, shortHistoryRows: null }, asOf: '2026-11-23',
    modelName: `${symbol}_${trend}_model`, version: 1, classifier: 'svm', testMetrics: {}, live: null, cached: false,
  };
}

function fakeServices(log: string[]) {
  return {
    logger: silentLogger,
    batchPredict: async (trend: Trend, symbols?: string[]): Promise<BatchPredictionResult> => {
      log.push(`batchPredict ${trend}${symbols ? ` ${symbols.join(',')}` : ''}`);
      return trend === 'uptrend'
        ? { trend, predictions: [view('BTC', trend, 0.8), view('ETH', trend, 0.3)], failures: [{ symbol: 'DOGE', error: 'HTTP 429' }] }
        : { trend, predictions: [view('BTC', trend, 0.1)], failures: [] };
    },
    resolveOutcomes: async () => {
      log.push('resolveOutcomes');
      return 7;
    },
  } satisfies Pick<SignalPoolServices, 'batchPredict' | 'resolveOutcomes' | 'logger'>;
}

const noon = () => new Date('2026-11-24T23:30:00.000Z');

test('predicts both trends for every deployed model, resolves outcomes, then notifies', async () => {
  const log: string[] = [];
  const reports: DailySignalsReport[] = [];
  const job = createDailyJob({
    services: fakeServices(log),
    notifier: { publishDailySignals: async (r) => { log.push('notify'); reports.push(r); } },
    cron: '15 0 * * *',
    timezone: 'UTC',
    clock: noon,
  });
  assert.equal(job.name, 'daily');
  const summary = await job.run(new AbortController().signal);
  assert.deepEqual(log, ['batchPredict uptrend', 'batchPredict downtrend', 'resolveOutcomes', 'notify']);
  assert.equal(reports.length, 1);
  assert.equal(reports[0].date, '2026-11-24');
  assert.deepEqual(reports[0].results.map((r) => r.trend), ['uptrend', 'downtrend']);
  assert.equal(reports[0].resolvedOutcomes, 7);
  assert.deepEqual(summary, {
    date: '2026-11-24',
    trends: {
      uptrend: { predictions: 2, signals: ['BTC'], failures: [{ symbol: 'DOGE', error: 'HTTP 429' }] },
      downtrend: { predictions: 1, signals: [], failures: [] },
    },
    resolvedOutcomes: 7,
  });
});

test('the report date is the day in the schedule timezone', async () => {
  const reports: DailySignalsReport[] = [];
  const job = createDailyJob({
    services: fakeServices([]),
    notifier: { publishDailySignals: async (r) => { reports.push(r); } },
    cron: '15 0 * * *',
    timezone: 'Asia/Tokyo', // 23:30 UTC is already the next day in Tokyo
    clock: noon,
  });
  await job.run(new AbortController().signal);
  assert.equal(reports[0].date, '2026-11-25');
});

test('a notifier failure fails the job but keeps the summary of the stored predictions', async () => {
  const job = createDailyJob({
    services: fakeServices([]),
    notifier: { publishDailySignals: async () => { throw new Error('telegram: 502 Bad Gateway'); } },
    cron: '15 0 * * *',
    timezone: 'UTC',
    clock: noon,
  });
  await assert.rejects(job.run(new AbortController().signal), (err: unknown) => {
    assert.ok(err instanceof JobFailedError);
    assert.equal(err.message, 'predictions stored, but publishing them failed: telegram: 502 Bad Gateway');
    assert.equal((err.summary as { resolvedOutcomes: number }).resolvedOutcomes, 7);
    return true;
  });
});

test('an abort between steps stops the job before the next step', async () => {
  const log: string[] = [];
  const controller = new AbortController();
  const services = fakeServices(log);
  const job = createDailyJob({
    services: { ...services, batchPredict: async (trend: Trend) => { controller.abort(new Error('stopping')); return services.batchPredict(trend); } },
    notifier: { publishDailySignals: async () => { log.push('notify'); } },
    cron: '15 0 * * *',
    timezone: 'UTC',
  });
  await assert.rejects(job.run(controller.signal), /stopping/);
  assert.deepEqual(log, ['batchPredict uptrend']);
});

test('logNotifier logs the signals of each trend and the resolved outcomes', async () => {
  const logger = memoryLogger();
  await logNotifier(logger).publishDailySignals({
    date: '2026-11-24',
    results: [
      { trend: 'uptrend', predictions: [view('BTC', 'uptrend', 0.8), view('SOL', 'uptrend', 0.6), view('ETH', 'uptrend', 0.2)], failures: [] },
      { trend: 'downtrend', predictions: [view('BTC', 'downtrend', 0.1)], failures: [{ symbol: 'XRP', error: 'no data' }] },
    ],
    resolvedOutcomes: 3,
  });
  assert.deepEqual(logger.records.map((r) => r.msg), [
    'daily signals 2026-11-24 uptrend: BTC, SOL',
    'daily signals 2026-11-24 downtrend: none',
    'resolved 3 prediction outcome(s)',
  ]);
  assert.deepEqual(logger.records[1].fields.failures, [{ symbol: 'XRP', error: 'no data' }]);
  assert.equal((logger.records[0].fields.predictions as unknown[]).length, 3);
});
