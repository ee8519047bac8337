/**
 * Global models end to end: registered with their pooled universe, served from the same pooled features the pipeline
 * trained on, and described as global in the reply; a coin with too little history gets a signal from them; a later
 * one-coin deployment shrinks toward the stored validation scores of the other coins.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Candle } from '../../src/data/candle.ts';
import { silentLogger } from '../../src/app/logger.ts';
import type { MarketData } from '../../src/app/market-data.ts';
import { buildPooledUniverse } from '../../src/data/pooled-dataset.ts';
import { deployTrend, storedPriorObservations } from '../../src/pipeline/deploy.ts';
import { createFeatureRows } from '../../src/pipeline/feature-rows.ts';
import { contextSpecOf, predictLatest, toView } from '../../src/pipeline/predict.ts';
import { inProcessTrainer } from '../../src/pipeline/trainer.ts';
import { poolSettings } from '../../src/pipeline/trend-pools.ts';
import { registeredModelName } from '../../src/store/ports.ts';
import { describePrediction } from '../../commands/predict.ts';
import { bundledCandles, tempStore, testConfig } from '../helpers/system.ts';

const symbols = ['BTC', 'ETH', 'NEWC'];
const base = testConfig({ symbols });
// A gate that passes everything (below the schema's range on purpose): these tests are about what gets registered.
const config = { ...base, gate: { positiveAccuracy: -1, negativeAccuracy: -1, overall: -1 } };
const bundled = bundledCandles(base);
// NEWC: a coin listed ~110 days ago (SOL's latest candles under another name).
const load = async (s: string): Promise<Candle[]> => (s === 'NEWC' ? (await bundled('SOL')).slice(-110) : bundled(s));
const pool = { ...poolSettings(base, ['Ridge', 'global:Ridge']), ensembleTopK: 0 };
const t = await tempStore();
after(() => t.cleanup());

const market = { candles: load, cached: load } as unknown as MarketData;

test('a short-history coin is registered with a global model, served from the pooled features it was trained on, and told so', async () => {
  const summary = await deployTrend({ config, store: t.store, logger: silentLogger, loadCandles: load, trainer: inProcessTrainer() }, {
    trend: 'uptrend', symbols, pool, protocol: 'walk-forward', seed: 7, actor: 'test',
  });
  for (const s of summary.symbols) assert.ok(s.ok && s.registered, `${s.symbol}: ${s.error ?? s.gateReason}`);
  const v = (await t.store.getAlias(registeredModelName('NEWC', 'uptrend'), 'champion'))!;
  assert.equal(v.tags.classifier, 'global:Ridge');
  assert.equal(v.tags.scope, 'global');
  assert.equal(v.tags.featureSet, 'pooled-v1');
  assert.deepEqual(v.tags.ownHistory, { labelledRows: (v.tags.ownHistory as { labelledRows: number }).labelledRows, folds: 0 });
  const g = v.tags.global as { universe: string[]; coins: number; reference: string; trainedRows: number };
  assert.deepEqual([...g.universe].sort(), [...symbols].sort());
  assert.equal(g.reference, 'BTC');
  assert.ok(g.trainedRows > 3000 && g.coins === 3);

  // Served row = the pipeline's pooled row of the same date (no train/serve skew).
  const rows = createFeatureRows({ period: config.indicatorPeriod, contextCandles: load });
  const newc = await load('NEWC');
  const served = await rows.latest('NEWC', newc, 'pooled-v1', contextSpecOf(v));
  assert.ok(served);
  const universe = buildPooledUniverse(new Map(await Promise.all(symbols.map(async (s) => [s, await load(s)] as const))), {
    trend: 'uptrend', window: config.predictionWindow, targetPct: 0.05, period: config.indicatorPeriod,
  });
  const coin = universe.coins.get('NEWC')!;
  const r = coin.rowOf.get(served.date)!;
  assert.deepEqual(Array.from(served.values), Array.from(coin.X.data.subarray(r * coin.X.nCols, (r + 1) * coin.X.nCols)));

  const { prediction, version } = await predictLatest({ config, store: t.store, market, featureRows: rows }, 'NEWC', 'uptrend');
  const view = toView(prediction, version, config, null, false);
  assert.equal(view.scope, 'global');
  assert.equal(view.basis.pooledCoins, 3);
  assert.ok(view.basis.shortHistoryRows! > 0);
  const text = describePrediction(view);
  assert.match(text, /NEWC has only \d+ days of labelled history of its own, too few for a model of its own: this signal comes from a global model trained on the pooled history of 3 coins\./);
  assert.match(text, /\(global:Ridge\)/);

  // A long-history coin served by a global model says so in one line too.
  const eth = await t.store.getAlias(registeredModelName('ETH', 'uptrend'), 'champion');
  if (eth?.tags.scope === 'global') {
    const p = await predictLatest({ config, store: t.store, market, featureRows: rows }, 'ETH', 'uptrend');
    assert.match(describePrediction(toView(p.prediction, p.version, config, null, false)), /Global model: trained on the pooled history of 3 coins, not on ETH alone\./);
  }
});

test('a later one-coin deployment shrinks its selection toward the stored validation scores of the other coins', async () => {
  const earlier = await storedPriorObservations(t.store, 'uptrend', ['NEWC']);
  const names = new Set(earlier.map((o) => o.name));
  assert.deepEqual([...names].sort(), ['Ridge', 'global:Ridge']);
  assert.equal(earlier.filter((o) => o.name === 'global:Ridge').length, 2, 'one score each from BTC and ETH');
  const prior = earlier.filter((o) => o.name === 'global:Ridge').reduce((s, o) => s + o.score, 0) / 2;

  const summary = await deployTrend({ config, store: t.store, logger: silentLogger, loadCandles: load, trainer: inProcessTrainer() }, {
    trend: 'uptrend', symbols: ['NEWC'], pool, protocol: 'walk-forward', seed: 7, actor: 'test',
  });
  assert.ok(summary.symbols[0]!.ok, summary.symbols[0]!.error ?? '');
  const versions = await t.store.listVersions(registeredModelName('NEWC', 'uptrend'));
  const latest = versions.at(-1)!;
  const selection = latest.tags.selection as { score: number; prior: number };
  assert.ok(Math.abs(selection.prior - prior) < 1e-12, 'alone, NEWC is chosen by the other coins\' stored scores');
  assert.equal(selection.score, selection.prior);
});
