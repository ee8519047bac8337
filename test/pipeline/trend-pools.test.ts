/**
 * Honesty checks of the walk-forward pools: TEST labels decide nothing, the pooled training rows of a pair never
 * come from its purge gap or TEST window, and a coin with too little history is served by the global models only.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Candle } from '../../src/data/candle.ts';
import { buildPooledUniverse } from '../../src/data/pooled-dataset.ts';
import { POOLED_FEATURE_NAMES } from '../../src/data/pooled-features.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { deployTrend } from '../../src/pipeline/deploy.ts';
import { GlobalBank, globalSpec, gridDate } from '../../src/pipeline/global-bank.ts';
import { inProcessTrainer, type Trainer } from '../../src/pipeline/trainer.ts';
import type { FitRequest } from '../../src/pipeline/fit-rows.ts';
import { planPair, poolSettings, trainTrendPools, type PairEvaluation, type TrendPoolsResult } from '../../src/pipeline/trend-pools.ts';
import { registeredModelName } from '../../src/store/ports.ts';
import { bundledCandles, tempStore, testConfig } from '../helpers/system.ts';

const symbols = ['BTC', 'ETH', 'AVAX'];
// AVAX has the shortest history of the three, so its TEST window starts last: no other coin's validation window reaches into it.
const config = testConfig({ symbols });
const bundled = bundledCandles(config);
const pool = { ...poolSettings(config, ['Ridge', 'KNeighbors', 'global:Ridge']), ensembleTopK: 3 };
const cleanups: (() => Promise<void>)[] = [];
after(async () => { for (const c of cleanups) await c(); });

async function pools(loadCandles: (s: string) => Promise<Candle[]>, list = symbols, trainer: Trainer = inProcessTrainer()): Promise<TrendPoolsResult> {
  return trainTrendPools({ config, logger: silentLogger, trainer, loadCandles }, { trend: 'uptrend', symbols: list, protocol: 'walk-forward', seed: 7, pool });
}

/** What selection, ensembling and calibration decided for a pair: everything but its TEST metrics. */
function decisions(p: TrendPoolsResult['pairs'][number]) {
  assert.ok(p.ok, p.ok ? '' : p.error);
  const e = p as PairEvaluation;
  return {
    selected: e.selected.name,
    score: e.selectionScore,
    calibration: e.calibration,
    validation: e.candidates.map((c) => (c.ok ? [c.name, c.validation, c.foldProba.map((f) => (f ? Array.from(f) : null))] : [c.name, c.error])),
  };
}

test('perturbing the TEST labels of a pair changes no selection, ensemble, calibration or registered candidate', async () => {
  const avax = await planPair({ config, logger: silentLogger, trainer: inProcessTrainer(), loadCandles: bundled }, 'AVAX', 'uptrend', 'walk-forward');
  const testStart = avax.data.dates[avax.plan.test.start]!;
  // Invert the price path inside AVAX's TEST window (mirror it around its first close): every trend there changes.
  const perturbed = async (s: string) => {
    const c = await bundled(s);
    if (s !== 'AVAX') return c;
    const i0 = c.findIndex((k) => k.date >= testStart);
    const p0 = c[i0]!.close;
    return c.map((k, i) => {
      if (i < i0) return k;
      const f = (p0 * p0) / k.close / k.close;
      return { ...k, open: k.open * f, high: k.low * f, low: k.high * f, close: k.close * f };
    });
  };
  const before = await pools(bundled);
  const after = await pools(perturbed);
  const labelsBefore = (before.pairs.find((p) => p.symbol === 'AVAX') as PairEvaluation).labels.test;
  const labelsAfter = (after.pairs.find((p) => p.symbol === 'AVAX') as PairEvaluation).labels.test;
  const changed = labelsBefore.filter((y, i) => y !== labelsAfter[i]).length;
  assert.ok(changed >= 5, `the perturbation changed ${changed} TEST labels`);
  for (const s of symbols) {
    assert.deepEqual(decisions(after.pairs.find((p) => p.symbol === s)!), decisions(before.pairs.find((p) => p.symbol === s)!), `${s}: decided differently`);
  }
  const testOf = (r: TrendPoolsResult) => (r.pairs.find((p) => p.symbol === 'AVAX') as PairEvaluation).test;
  assert.notDeepEqual(testOf(after), testOf(before), 'the TEST metrics do see the new labels');

  // The same through a whole deployment: the registered version's candidate, calibration and selection tags.
  const registered = async (load: (s: string) => Promise<Candle[]>) => {
    const t = await tempStore();
    cleanups.push(t.cleanup);
    // A gate that passes everything (below the schema's range on purpose): registration must not hinge on TEST here.
    const permissive = { ...config, gate: { positiveAccuracy: -1, negativeAccuracy: -1, overall: -1 } };
    await deployTrend({ config: permissive, store: t.store, logger: silentLogger, loadCandles: load, trainer: inProcessTrainer() }, { trend: 'uptrend', symbols: ['AVAX'], pool, protocol: 'walk-forward', seed: 7, actor: 'test' });
    const v = await t.store.getAlias(registeredModelName('AVAX', 'uptrend'), 'champion');
    assert.ok(v, 'AVAX registered under the permissive gate');
    const cal = v.tags.calibration as { method: string; a: number; b: number } | null;
    // (brierBefore/brierAfter are TEST figures and may change. Floating-point sums over the pooled rows may differ in
    // the last bits between two runs, so the calibration is compared to 1e-9: a leak would move it far more.)
    const r9 = (x: unknown) => (typeof x === 'number' ? Number(x.toPrecision(9)) : x);
    const sel = v.tags.selection as { score: number; lambda: number; prior: number | null };
    return {
      classifier: v.tags.classifier, calibration: cal && { method: cal.method, a: r9(cal.a), b: r9(cal.b) },
      selection: { score: r9(sel.score), lambda: sel.lambda, prior: r9(sel.prior) }, threshold: r9(v.tags.signalThreshold), ensemble: v.tags.ensemble ?? null,
    };
  };
  assert.deepEqual(await registered(perturbed), await registered(bundled));
});

test('the pooled rows that train a global model for a window hold no row of any coin from that pair\'s purge gap or TEST window', async () => {
  const deps = { config, logger: silentLogger, trainer: inProcessTrainer(), loadCandles: bundled };
  const plans = await Promise.all(symbols.map((s) => planPair(deps, s, 'uptrend', 'walk-forward')));
  const candles = new Map(await Promise.all(symbols.map(async (s) => [s, await bundled(s)] as const)));
  const universe = buildPooledUniverse(candles, { trend: 'uptrend', window: 10, targetPct: 0.05, period: 7 });
  const limits = new Map(plans.map((p) => [p.symbol, p.data.dates[p.plan.test.start]!]));
  const fits: FitRequest[] = [];
  const inner = inProcessTrainer();
  const recording: Trainer = { ...inner, parallelism: 1, fit: (req) => { fits.push(req); return inner.fit(req); } };
  const bank = new GlobalBank(universe, recording, { gridDays: 30, seed: 7, evaluationLimit: limits, featureNames: POOLED_FEATURE_NAMES });

  for (const p of plans) {
    assert.equal(p.plan.protocol, 'walk-forward');
    if (p.plan.protocol !== 'walk-forward') continue;
    const purgeStart = p.data.dates[p.plan.test.start - config.predictionWindow]!;
    const windows = [...p.plan.folds.map((f) => f.valid), p.plan.test];
    for (const w of windows) {
      const start = p.data.dates[w.start]!;
      const grid = gridDate(start, 30);
      assert.ok(grid <= start);
      const rows = bank.trainingRows(grid, true);
      assert.ok(rows.X.nRows > 500);
      for (let i = 0; i < rows.dates.length; i++) {
        const coin = universe.coins.get(rows.symbols[i]!)!;
        const end = coin.labelEnd[coin.rowOf.get(rows.dates[i]!)!]!;
        assert.ok(end < start, `${rows.symbols[i]} ${rows.dates[i]}: label known ${end}, after the window starts ${start}`);
        if (w === p.plan.test) assert.ok(rows.dates[i]! < purgeStart, `${rows.symbols[i]} ${rows.dates[i]} lies in ${p.symbol}'s purge gap or TEST window (from ${purgeStart})`);
        assert.ok(end < limits.get(rows.symbols[i]!)!, `${rows.symbols[i]} ${rows.dates[i]}: a label from that coin's own TEST window`);
      }
    }
    // And the bank fits exactly those rows for the TEST window.
    fits.length = 0;
    const testDates = p.data.dates.slice(p.plan.test.start, p.plan.test.end);
    const [scored] = await bank.scoreWindows(globalSpec('Ridge'), [{ symbol: p.symbol, start: testDates[0]!, dates: testDates }]);
    assert.ok(scored && scored.length === testDates.length);
    assert.equal(fits.length, 1);
    const expected = bank.trainingRows(gridDate(testDates[0]!, 30), true);
    assert.deepEqual(fits[0]!.X.data, expected.X.data);
    assert.deepEqual(fits[0]!.y, expected.y);
  }
});

test('a coin with too little history of its own is a pair served by the global models alone', async () => {
  const short = async (s: string) => (s === 'NEWC' ? (await bundled('SOL')).slice(-110) : bundled(s));
  const shortConfig = testConfig({ symbols: ['BTC', 'ETH', 'NEWC'] });
  const result = await trainTrendPools({ config: shortConfig, logger: silentLogger, trainer: inProcessTrainer(), loadCandles: short }, {
    trend: 'uptrend', symbols: ['BTC', 'ETH', 'NEWC'], protocol: 'walk-forward', seed: 7, pool,
  });
  const newc = result.pairs.find((p) => p.symbol === 'NEWC')!;
  assert.ok(newc.ok, newc.ok ? '' : newc.error);
  const e = newc as PairEvaluation;
  assert.equal(e.plan.protocol === 'walk-forward' && e.plan.folds.length, 0);
  assert.equal(e.selected.name, 'global:Ridge');
  assert.equal(e.calibration, null, 'no validation predictions of its own to calibrate on');
  const perCoin = e.candidates.filter((c) => c.scope === 'coin');
  assert.equal(perCoin.length, 2);
  for (const c of perCoin) assert.match(c.ok ? '' : c.error, /too little history of its own \(\d+ labelled rows\)/);
  assert.ok(!e.candidates.some((c) => c.scope === 'ensemble'));
  // Its score is the global model's mean validation score over the other pairs.
  assert.equal(e.selectionScore, result.rule.priors.get('global:Ridge'));

  // Alone, with no other pair to learn from, it is refused with a reason.
  const alone = await trainTrendPools({ config: shortConfig, logger: silentLogger, trainer: inProcessTrainer(), loadCandles: short }, {
    trend: 'uptrend', symbols: ['NEWC'], protocol: 'walk-forward', seed: 7, pool,
  });
  assert.equal(alone.pairs[0]!.ok, false);
  assert.match(alone.pairs[0]!.ok ? '' : alone.pairs[0]!.error, /too little history .* deploy it together with other coins/);
});
