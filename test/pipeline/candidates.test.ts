import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ensembleCandidate, metricsOf, outOfFold, selectCandidate, selectionPriors, selectionScore,
  type Candidate, type PairLabels,
} from '../../src/pipeline/candidates.ts';
import { createRng } from '../../src/models/rng.ts';

const rng = createRng(11);
const N = 60;
const labels: PairLabels = {
  folds: [0, 1, 2, 3].map(() => Uint8Array.from({ length: N }, () => (rng() < 0.3 ? 1 : 0))),
  test: Uint8Array.from({ length: N }, () => (rng() < 0.3 ? 1 : 0)),
};

/** A candidate whose fold f probabilities agree with the labels with strength skill[f] (0: noise, 1: perfect). */
function candidate(name: string, skill: number[], scope: Candidate['scope'] = 'coin'): Candidate {
  const foldProba = labels.folds.map((y, f) => Float64Array.from(y, (v) => 0.5 + (v === 1 ? 1 : -1) * skill[f]! * 0.45 + (rng() - 0.5) * 0.5));
  const folds = foldProba.map((p, f) => metricsOf(labels.folds[f]!, p));
  const mean = folds.reduce((s, m) => s + m.overall, 0) / folds.length;
  const testProba = Float64Array.from(labels.test, () => rng());
  return {
    ok: true, name, scope, featureSet: scope === 'global' ? 'pooled-v1' : 'seed19', params: {}, foldProba, folds,
    validation: { overall: mean }, test: metricsOf(labels.test, testProba), testProba, fitSeconds: 0,
  };
}

test('the selection score shrinks a pair\'s validation score toward the candidate\'s mean over all pairs', () => {
  const a = candidate('A', [0.9, 0.9, 0.9, 0.9]);
  const rule = { lambda: 0.25, priors: new Map([['A', 0.5]]) };
  assert.ok(Math.abs(selectionScore(a, rule) - (0.25 * a.validation!.overall! + 0.75 * 0.5)) < 1e-12);
  assert.equal(selectionScore(a, { lambda: 1, priors: rule.priors }), a.validation!.overall);
  // Without a prior the candidate keeps its own score; the seed protocol (no validation) selects by TEST overall.
  assert.equal(selectionScore(a, { lambda: 0.25, priors: new Map() }), a.validation!.overall);
  assert.equal(selectionScore({ ...a, validation: null }, rule), a.test.overall);
});

test('a strong prior outweighs a lucky pair score, and λ = 1 picks the lucky one', () => {
  const lucky = candidate('Lucky', [0.8, 0.8, 0.8, 0.8]);
  const steady = candidate('Steady', [0.6, 0.6, 0.6, 0.6]);
  const priors = new Map([['Lucky', 0.45], ['Steady', 0.7]]);
  assert.equal(selectCandidate([lucky, steady], { lambda: 0.05, priors })!.name, 'Steady');
  assert.equal(selectCandidate([lucky, steady], { lambda: 1, priors })!.name, 'Lucky');
  assert.equal(selectCandidate([{ ok: false, name: 'X', scope: 'coin', error: 'boom', fitSeconds: 0 }], { lambda: 1, priors }), null);
});

test('priors average every pair\'s validation score plus the stored scores of earlier deployments', () => {
  const pairs = [[candidate('A', [0.9, 0.9, 0.9, 0.9]), candidate('B', [0, 0, 0, 0])], [candidate('A', [0.2, 0.2, 0.2, 0.2])]];
  const priors = selectionPriors(pairs, [{ name: 'B', score: 0.9 }, { name: 'C', score: 0.4 }, { name: 'A', score: Number.NaN }]);
  const a = (pairs[0]![0]!.validation!.overall! + pairs[1]![0]!.validation!.overall!) / 2;
  assert.ok(Math.abs(priors.get('A')! - a) < 1e-12);
  assert.ok(Math.abs(priors.get('B')! - (pairs[0]![1]!.validation!.overall! + 0.9) / 2) < 1e-12);
  assert.equal(priors.get('C'), 0.4);
});

test('a pair without validation folds is scored by the prior alone', () => {
  const g = { ...candidate('global:Ridge', [0.5, 0.5, 0.5, 0.5], 'global'), foldProba: [], folds: [], validation: { overall: Number.NaN } };
  assert.equal(selectionScore(g, { lambda: 0.05, priors: new Map([['global:Ridge', 0.64]]) }), 0.64);
  assert.ok(Number.isNaN(selectionScore(g, { lambda: 0.05, priors: new Map() })));
});

test('the ensemble is scored on each fold by members ranked on the other folds (no selection on its own folds)', () => {
  // A is brilliant on fold 0 only; B and C are steady. Ranked on all folds A makes the top 2; on folds 1-3 it does not.
  const A = candidate('A', [1, 0.1, 0.1, 0.1]);
  const B = candidate('B', [0.3, 0.45, 0.45, 0.45]);
  const C = candidate('C', [0.3, 0.4, 0.4, 0.4]);
  const rule = { lambda: 1, priors: new Map<string, number>() };
  const ens = ensembleCandidate([A, B, C], 2, rule, labels)!;
  assert.equal(ens.name, 'ensemble(top2)');
  assert.equal(ens.scope, 'ensemble');
  const fold0 = Float64Array.from(B.foldProba[0]!, (p, i) => (p + C.foldProba[0]![i]!) / 2);
  assert.deepEqual(ens.foldProba[0], fold0, 'fold 0 averages B and C, the top 2 on folds 1-3');
  const top2All = [A, B, C].sort((x, y) => y.validation!.overall! - x.validation!.overall!).slice(0, 2);
  assert.deepEqual(ens.parts!.map((p) => p.name), top2All.map((p) => p.name));
  assert.deepEqual(ens.testProba, Float64Array.from(top2All[0]!.testProba, (p, i) => (p + top2All[1]!.testProba[i]!) / 2));
  assert.equal(ensembleCandidate([A], 3, rule, labels), null, 'one member is no ensemble');
});

test('outOfFold concatenates the scored folds with their labels', () => {
  const A = candidate('A', [0.5, 0.5, 0.5, 0.5]);
  const withGap = { ...A, foldProba: [A.foldProba[0]!, null, A.foldProba[2]!, A.foldProba[3]!] };
  const oof = outOfFold(withGap, labels);
  assert.equal(oof.proba.length, 3 * N);
  assert.deepEqual(oof.labels.subarray(N, 2 * N), labels.folds[2]);
  assert.deepEqual(oof.proba.subarray(0, N), A.foldProba[0]);
});
