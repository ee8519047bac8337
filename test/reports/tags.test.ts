import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backtestTagSchema, evaluationTagSchema, gateTagSchema, poolTagSchema, readTag, selectionScore } from '../../reports/tags.ts';
import type { VersionTags } from '../../src/store/ports.ts';

const base: VersionTags = {
  classifier: 'XGBoost',
  metrics: {},
  featureNames: [],
  shapImportance: {},
  shapMeanAbs: {},
  targetPct: 0.05,
  window: 10,
  dataRange: { from: '2020-01-01', to: '2020-12-31' },
  protocol: 'seed',
};

test('readTag tells "not recorded" from "malformed" and names the bad path', () => {
  const missing = readTag(base, 'pool', poolTagSchema);
  assert.deepEqual(missing, { ok: false, missing: true, error: 'tag "pool" is not recorded' });
  const bad = readTag({ ...base, pool: [{ classifier: 'X', ok: 'yes' }] }, 'pool', poolTagSchema);
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && !bad.missing && /^tag "pool" is malformed at 0\.ok: /.test(bad.error), JSON.stringify(bad));
  const uneven = readTag({ ...base, evaluation: { dates: ['a'], proba: [0.1, 0.2], label: [1] } }, 'evaluation', evaluationTagSchema);
  assert.ok(!uneven.ok && /same length/.test(uneven.error));
});

test('pool metrics keep only finite numbers (JSON stores NaN as null)', () => {
  const r = readTag({ ...base, pool: [{ classifier: 'Ridge', ok: true, metrics: { overall: 0.6, auc: null, note: 'x' } }] }, 'pool', poolTagSchema);
  assert.ok(r.ok);
  assert.deepEqual(r.value[0]!.metrics, { overall: 0.6 });
  assert.equal(selectionScore(r.value[0]!), 0.6);
  assert.equal(selectionScore({ ...r.value[0]!, validationMetrics: { overall: 0.7 } }), 0.7);
  assert.equal(selectionScore({ classifier: 'x', ok: false, metrics: {} }), -Infinity);
});

test('gate and backtest tags parse the pipeline shapes', () => {
  const g = readTag({ ...base, gate: { passed: false, reasons: ['overall 0.55 < 0.6'] } }, 'gate', gateTagSchema);
  assert.ok(g.ok && g.value.passed === false && g.value.reasons[0] === 'overall 0.55 < 0.6');
  const b = readTag(
    { ...base, backtest: { equity: [{ date: '2020-01-01', strategy: 1, buyHold: 1 }], totalReturn: 0, buyHoldReturn: 0, maxDrawdown: 0, winRate: null, trades: 0, exposure: 0 } },
    'backtest',
    backtestTagSchema,
  );
  assert.ok(b.ok);
  assert.ok(!readTag({ ...base, backtest: { equity: [] } }, 'backtest', backtestTagSchema).ok);
});
