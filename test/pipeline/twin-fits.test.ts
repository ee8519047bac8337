/**
 * The pool skips LightGBM's fit when it provably repeats HistGradientBoosting's: the candidate it reports is the one a
 * real LightGBM fit would have given (same folds, probabilities and artifact predictions), and its run says so.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/app/logger.ts';
import { decodeModel } from '../../src/pipeline/artifacts.ts';
import { deployTrend } from '../../src/pipeline/deploy.ts';
import { trainMember } from '../../src/pipeline/pool.ts';
import { inProcessTrainer } from '../../src/pipeline/trainer.ts';
import { planPair, poolSettings } from '../../src/pipeline/trend-pools.ts';
import { twinFitsOf, twinMember } from '../../src/pipeline/twin-fits.ts';
import { bundledCandles, tempStore, testConfig } from '../helpers/system.ts';

const config = testConfig({ symbols: ['BTC', 'SOL'] });
const loadCandles = bundledCandles(config);
const deps = { config, logger: silentLogger, trainer: inProcessTrainer(), loadCandles };
const cleanups: (() => Promise<void>)[] = [];
after(async () => { for (const c of cleanups) await c(); });

test('a twin member equals the member its own fit gives, on every fold and on TEST', async () => {
  const p = await planPair(deps, 'BTC', 'uptrend', 'walk-forward');
  const twins = twinFitsOf(['LightGBM', 'HistGradientBoosting', 'Ridge'], p.data, p.plan);
  assert.deepEqual([...twins], [['LightGBM', 'HistGradientBoosting']]);
  const hgb = await trainMember('HistGradientBoosting', p.data, p.plan, 7);
  const own = await trainMember('LightGBM', p.data, p.plan, 7);
  const twin = twinMember(hgb, 'LightGBM', p.data);
  assert.ok(own.ok && twin.ok);
  assert.equal(twin.kind, 'LightGBM');
  assert.equal(twin.sameFitAs, 'HistGradientBoosting');
  assert.deepEqual(twin.params, own.params);
  assert.deepEqual(twin.validation, own.validation);
  assert.deepEqual(twin.test, own.test);
  assert.deepEqual(twin.foldProba.map((f) => Array.from(f)), own.foldProba.map((f) => Array.from(f)));
  assert.deepEqual(Array.from(twin.testProba), Array.from(own.testProba));
  const decoded = decodeModel(twin.artifact!);
  assert.equal(decoded.kind, 'LightGBM');
  assert.deepEqual(decoded.toJSON(), own.model.toJSON());
});

test('a pair whose bins differ is not a twin: both kinds are fitted', async () => {
  // SOL's walk-forward folds hold tied MFI values that LightGBM's min_data_in_bin merges.
  const p = await planPair(deps, 'SOL', 'uptrend', 'walk-forward');
  assert.equal(twinFitsOf(['LightGBM', 'HistGradientBoosting'], p.data, p.plan).size, 0);
});

test('deploy logs the skipped fit as its own run, tagged with the fit it shares', async () => {
  const { store, cleanup } = await tempStore();
  cleanups.push(cleanup);
  const pool = { ...poolSettings(config, ['LightGBM', 'HistGradientBoosting']), ensembleTopK: 0, globals: [] };
  const summary = await deployTrend({ config, store, logger: silentLogger, trainer: inProcessTrainer(), loadCandles }, {
    trend: 'uptrend', symbols: ['BTC', 'SOL'], pool, protocol: 'walk-forward', seed: 7, actor: 'test',
  });
  assert.equal(summary.symbols.length, 2);
  const runs = (await store.listRuns({ experiment: 'deploy/uptrend', limit: 100 })).items;
  const lgb = (symbol: string) => runs.find((r) => r.symbol === symbol && r.name === 'LightGBM')!;
  const hgb = (symbol: string) => runs.find((r) => r.symbol === symbol && r.name === 'HistGradientBoosting')!;
  assert.equal(lgb('BTC').tags.same_fit_as, 'HistGradientBoosting');
  assert.equal(lgb('BTC').metrics.test_overall, hgb('BTC').metrics.test_overall);
  assert.equal(lgb('BTC').metrics.fit_seconds, 0);
  assert.equal(lgb('SOL').tags.same_fit_as, undefined);
  assert.ok(lgb('SOL').metrics.fit_seconds! > 0);
});

test('when the shared fit fails, the twin fails with the same reason and says whose fit it was', () => {
  const failed = twinMember({ kind: 'HistGradientBoosting', ok: false, error: 'training rows hold only class 0', fitSeconds: 0.1 }, 'LightGBM', null as never);
  assert.equal(failed.ok, false);
  assert.equal(failed.kind, 'LightGBM');
  assert.match(failed.ok ? '' : failed.error, /only class 0 \(fit shared with HistGradientBoosting\)/);
});
