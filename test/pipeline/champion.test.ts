import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithChampion, type ChampionInput } from '../../src/pipeline/champion.ts';
import { metricsOf, type Candidate } from '../../src/pipeline/candidates.ts';
import { deployTrend } from '../../src/pipeline/deploy.ts';
import { loadModel } from '../../src/pipeline/artifacts.ts';
import { inProcessTrainer } from '../../src/pipeline/trainer.ts';
import { planPair, poolSettings } from '../../src/pipeline/trend-pools.ts';
import { evaluate } from '../../src/pipeline/metrics.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { createRng } from '../../src/models/rng.ts';
import { registeredModelName, type ModelVersion } from '../../src/store/ports.ts';
import { bundledCandles, tempStore, testConfig } from '../helpers/system.ts';

const rng = createRng(5);
const N = 80;
const labels = Uint8Array.from({ length: N }, () => (rng() < 0.3 ? 1 : 0));
const dates = Array.from({ length: N }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10));
const cand = (name: string, skill: number, parts?: Candidate[]): Candidate => {
  const testProba = Float64Array.from(labels, (y) => 0.5 + (y ? 1 : -1) * skill * 0.4 + (rng() - 0.5) * 0.6);
  return { ok: true, name, scope: parts ? 'ensemble' : 'coin', featureSet: 'seed19', params: {}, foldProba: [], folds: [], validation: { overall: 0.6 }, test: metricsOf(labels, testProba), testProba, fitSeconds: 0, ...(parts ? { parts } : {}) };
};
const champion = (tags: Record<string, unknown>): ModelVersion => ({
  modelName: 'BTC_uptrend_model', version: 4, symbol: 'BTC', trend: 'uptrend', sourceRunId: 'r', artifactId: 'a', createdAt: new Date(0),
  tags: { classifier: 'RandomForest', metrics: {}, featureNames: [], shapImportance: {}, shapMeanAbs: {}, targetPct: 0.05, window: 10, dataRange: { from: '2020-01-01', to: '2024-12-31' }, protocol: 'walk-forward', trainedThrough: '2024-12-31', ...tags } as ModelVersion['tags'],
});
const input = (over: Partial<ChampionInput>): ChampionInput => {
  const selected = over.selected ?? cand('Ridge', 0.5);
  return {
    candidates: [selected], selected, challengerTest: selected.test, labels, testDates: dates, current: champion({}), margin: 0, minLiveRows: 30,
    scoreStored: async () => { throw new Error('the stored champion must not be scored here'); },
    ...over,
  };
};

test('same recipe: the new version is the recipe refit on newer data and replaces the champion', async () => {
  const rf = cand('RandomForest', 0.2);
  const d = await compareWithChampion(input({ selected: rf, candidates: [rf] }));
  assert.equal(d.promote, true);
  assert.equal(d.comparison!.basis, 'same-recipe');
  assert.match(d.reason, /same recipe as v4 \(RandomForest\), refit on newer data/);
});

test("the champion's recipe, refit on the challenger's window, is scored on the same TEST rows; the stored model is not", async () => {
  for (const [mine, theirs] of [[0.6, 0.1], [0.1, 0.6]] as const) {
    const ridge = cand('Ridge', mine);
    const rf = cand('RandomForest', theirs);
    const d = await compareWithChampion(input({ selected: ridge, candidates: [rf, ridge] }));
    assert.equal(d.comparison!.basis, 'recipe-refit');
    assert.equal(d.comparison!.champion.overall, rf.test.overall);
    assert.equal(d.promote, ridge.test.overall > rf.test.overall);
    assert.match(d.reason, new RegExp(`with its recipe \\(RandomForest\\) refit on the challenger's training window; both scored on the TEST window ${dates[0]}\\.\\.${dates[N - 1]} \\(${N} rows neither was trained on\\)`));
  }
  // With a margin, a small lead is not enough.
  const ridge = cand('Ridge', 0.5);
  const rf = { ...ridge, name: 'RandomForest' } as Candidate;
  assert.equal((await compareWithChampion(input({ selected: ridge, candidates: [rf, ridge], margin: 0.01 }))).promote, false);
});

test('an ensemble champion is its members: their soft vote in this deployment is its score', async () => {
  const a = cand('Ridge', 0.3);
  const b = cand('KNeighbors', 0.4);
  const selected = cand('SupportVectorMachine', 0.5);
  const d = await compareWithChampion(input({ selected, candidates: [a, b, selected], current: champion({ classifier: 'ensemble(top2)', ensemble: ['Ridge', 'KNeighbors'] }) }));
  assert.equal(d.comparison!.basis, 'recipe-refit');
  const vote = Float64Array.from(a.testProba, (p, i) => p / 2 + b.testProba[i]! / 2);
  assert.equal(d.comparison!.champion.overall, metricsOf(labels, vote).overall);
});

test('a champion whose recipe is gone is scored on its live window only, else the challenger replaces it', async () => {
  const selected = cand('Ridge', 0.5);
  // Trained through the 40th TEST date: 40 later rows form its live window.
  const seen: number[][] = [];
  const d = await compareWithChampion(input({
    selected, candidates: [selected], current: champion({ classifier: 'MLP', trainedThrough: dates[39] }),
    scoreStored: async (rows) => { seen.push([...rows]); return { proba: Float64Array.from(rows, () => 0.9), decisions: Uint8Array.from(rows, () => 1) }; },
  }));
  assert.deepEqual(seen, [Array.from({ length: 40 }, (_, i) => 40 + i)]);
  assert.equal(d.comparison!.basis, 'live-window');
  assert.equal(d.comparison!.rows, 40);
  const y = labels.subarray(40);
  assert.equal(d.comparison!.champion.overall, evaluate(y, new Uint8Array(40).fill(1), new Float64Array(40).fill(0.9)).overall);
  assert.match(d.reason, new RegExp(`on its live window ${dates[40]}\\.\\.${dates[79]} \\(40 TEST rows dated after its training data ended ${dates[39]}\\)`));

  const none = await compareWithChampion(input({ selected, candidates: [selected], current: champion({ classifier: 'MLP', trainedThrough: dates[70] }) }));
  assert.equal(none.promote, true);
  assert.equal(none.comparison!.basis, 'none');
  assert.match(none.reason, /no fair comparison with v4 \(MLP\): its recipe is not in this pool and only 9 TEST rows \(fewer than 30\)/);
});

const cleanups: (() => Promise<void>)[] = [];
after(async () => { for (const c of cleanups) await c(); });

test('a champion refit on all rows does not win merely by having seen TEST (the issue\'s table, reproduced)', async () => {
  const base = testConfig({ symbols: ['SOL'] });
  const config = { ...base, gate: { positiveAccuracy: -1, negativeAccuracy: -1, overall: -1 } };
  const loadCandles = bundledCandles(base);
  const t = await tempStore();
  cleanups.push(t.cleanup);
  const deps = { config, store: t.store, logger: silentLogger, loadCandles, trainer: inProcessTrainer() };
  const deploy = (names: string[]) => deployTrend(deps, {
    trend: 'uptrend', symbols: ['SOL'], pool: { ...poolSettings(base, names), ensembleTopK: 0 }, protocol: 'walk-forward', seed: 7, actor: 'test',
  });
  await deploy(['RandomForest']);
  const v1 = (await t.store.getAlias(registeredModelName('SOL', 'uptrend'), 'champion'))!;
  const trainedOn = v1.tags.trainedOn as { from: string; to: string; rows: number };
  assert.equal(trainedOn.to, v1.tags.trainedThrough);
  assert.ok(trainedOn.rows > 1500);

  // The stored champion on the TEST window: it was refit on those very rows.
  const pair = await planPair({ config, logger: silentLogger, trainer: inProcessTrainer(), loadCandles }, 'SOL', 'uptrend', 'walk-forward');
  const rows = { nRows: pair.plan.test.end - pair.plan.test.start, nCols: pair.data.X.nCols, data: pair.data.X.data.slice(pair.plan.test.start * pair.data.X.nCols, pair.plan.test.end * pair.data.X.nCols) };
  const stored = await loadModel(t.store, v1.artifactId, v1.tags.featureNames);
  const inSample = evaluate(pair.labels.test, stored.predict(rows), stored.predictProba(rows)).overall;
  const outOfSample = (v1.tags.metrics as Record<string, number>).overall!;
  assert.ok(inSample > outOfSample + 0.2, `in-sample ${inSample} vs out-of-sample ${outOfSample}`);

  // Next deployment: Ridge joins the pool. Whatever is selected, the comparison never uses the in-sample figure.
  const summary = await deploy(['Ridge', 'RandomForest']);
  const s = summary.symbols[0]!;
  assert.ok(s.ok && s.registered, s.error ?? '');
  const versions = await t.store.listVersions(registeredModelName('SOL', 'uptrend'));
  const v2 = versions.at(-1)!;
  const cmp = v2.tags.championComparison as { basis: string; champion: { overall: number }; rows: number; window: string };
  const parent = (await t.store.listRuns({ parentRunId: null, limit: 10 })).items.find((r) => r.params.classifiers === 'Ridge,RandomForest')!;
  const rfRun = (await t.store.listRuns({ parentRunId: parent.id, limit: 10 })).items.find((r) => r.name === 'RandomForest')!;
  if (s.selected === 'RandomForest') {
    assert.equal(cmp.basis, 'same-recipe');
    assert.equal(s.becameChampion, true);
  } else {
    assert.equal(cmp.basis, 'recipe-refit');
    assert.equal(cmp.champion.overall, rfRun.metrics.test_overall, "the champion's score is its recipe's out-of-sample TEST score");
    assert.notEqual(cmp.champion.overall, inSample);
    assert.equal(s.becameChampion, s.testMetrics!.overall! > rfRun.metrics.test_overall!);
  }
  assert.equal(cmp.rows, pair.plan.test.end - pair.plan.test.start);
  assert.equal(cmp.window, pair.testWindow);
  // The promotion history names the comparison when the alias moved.
  const history = await t.store.aliasHistory(registeredModelName('SOL', 'uptrend'));
  if (s.becameChampion) assert.match(history.at(-1)!.reason, /same recipe|TEST window/);
});
