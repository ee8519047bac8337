/**
 * The champion rule, on rows that neither model was trained on.
 *
 * The registered model of a walk-forward deployment is refit on every labelled row, TEST included. Scoring that
 * stored champion on the next deployment's TEST window would score it on rows it was fitted on (it then looks
 * perfect for weeks), while the challenger's TEST score comes from a model that never saw TEST. So the stored
 * champion is never scored on its own training rows. In order:
 *
 * 1. **Same recipe.** The champion's recipe (its candidate name: kind and scope; an ensemble is its members) was also
 *    trained in this deployment, with the same seed, on the challenger's own training window, and scored on the same
 *    TEST window. That out-of-sample score is the champion's. When the recipe is the challenger's own, the new version
 *    is the same recipe refit on newer data and replaces the champion.
 * 2. **Live window.** Otherwise the stored champion is scored on the TEST rows dated after the last row it was
 *    trained on, when there are at least `minLiveRows` of them; the challenger on the same rows.
 * 3. Otherwise no fair comparison exists: the challenger, which passed the gate out of sample, replaces the champion,
 *    and the history says why.
 *
 * Every decision names its comparison: which rows, how many, and what was scored.
 */
import type { ModelVersion } from '../store/ports.ts';
import type { Candidate } from './candidates.ts';
import { average, metricsOf } from './candidates.ts';
import type { EvaluationMetrics } from '../app/services.ts';
import { evaluate } from './metrics.ts';

export interface ChampionDecision {
  promote: boolean;
  reason: string;
  /** What the two models were compared on (stored in the promotion history's reason and the version's tags). */
  comparison: ComparisonRecord | null;
}

export interface ComparisonRecord {
  basis: 'same-recipe' | 'recipe-refit' | 'live-window' | 'none';
  /** Dates of the first and last compared row, and how many rows. */
  window: string | null;
  rows: number;
  champion: { version: number; recipe: string; overall: number | null };
  challengerOverall: number | null;
}

export interface ChampionInput {
  /** The pair's candidates in this deployment, the selected one, and its TEST metrics (as the gate saw them). */
  candidates: readonly Candidate[];
  selected: Candidate;
  challengerTest: EvaluationMetrics;
  labels: Uint8Array;
  testDates: readonly string[];
  current: ModelVersion;
  margin: number;
  minLiveRows: number;
  /** The STORED champion's P(1) and its own decisions on the given TEST row indices; null when it cannot be scored. */
  scoreStored(rows: readonly number[]): Promise<{ proba: Float64Array; decisions: Uint8Array } | null>;
}

const fmt = (x: number) => x.toFixed(3);

/** An ensemble's recipe is its members (sorted); any other candidate's is its name. */
function recipeOf(name: string, members: readonly string[] | null): string {
  return members && members.length > 0 ? `ensemble(${[...members].sort().join('+')})` : name;
}

function versionRecipe(v: ModelVersion): string {
  const members = Array.isArray(v.tags.ensemble) ? v.tags.ensemble.filter((m): m is string => typeof m === 'string') : null;
  return recipeOf(v.tags.classifier, members);
}

function candidateRecipe(c: Candidate): string {
  return recipeOf(c.name, c.parts ? c.parts.map((p) => p.name) : null);
}

/** The champion recipe's TEST probabilities in this deployment (refit on the challenger's window), if it was trained. */
function recipeProba(recipe: string, candidates: readonly Candidate[], v: ModelVersion): Float64Array | null {
  const same = candidates.find((c) => candidateRecipe(c) === recipe);
  if (same) return same.testProba;
  // An ensemble champion whose members are all candidates now: their soft vote.
  const members = Array.isArray(v.tags.ensemble) ? v.tags.ensemble.filter((m): m is string => typeof m === 'string') : [];
  if (members.length < 2) return null;
  const parts = members.map((m) => candidates.find((c) => c.scope !== 'ensemble' && c.name === m));
  if (parts.some((p) => !p)) return null;
  return average(parts.map((p) => p!.testProba));
}

function decide(challenger: number, champion: number, margin: number, version: number, what: string): { promote: boolean; reason: string } {
  const promote = challenger > champion + margin;
  return { promote, reason: `${promote ? 'beats' : 'does not beat'} v${version} ${what}: overall ${fmt(challenger)} vs ${fmt(champion)} (margin ${margin})` };
}

export async function compareWithChampion(input: ChampionInput): Promise<ChampionDecision> {
  const { current, selected, testDates, labels } = input;
  const recipe = versionRecipe(current);
  const window = testDates.length ? `${testDates[0]}..${testDates[testDates.length - 1]}` : null;
  const challengerOverall = input.challengerTest.overall;

  if (recipe === candidateRecipe(selected)) {
    return {
      promote: true,
      reason: `same recipe as v${current.version} (${recipe}), refit on newer data: it replaces v${current.version}`,
      comparison: { basis: 'same-recipe', window, rows: testDates.length, champion: { version: current.version, recipe, overall: challengerOverall }, challengerOverall },
    };
  }
  const refit = recipeProba(recipe, input.candidates, current);
  if (refit) {
    const champ = metricsOf(labels, refit).overall;
    const d = decide(challengerOverall, champ, input.margin, current.version,
      `with its recipe (${recipe}) refit on the challenger's training window; both scored on the TEST window ${window} (${testDates.length} rows neither was trained on)`);
    return { ...d, comparison: { basis: 'recipe-refit', window, rows: testDates.length, champion: { version: current.version, recipe, overall: champ }, challengerOverall } };
  }
  const trainedThrough = typeof current.tags.trainedThrough === 'string' ? current.tags.trainedThrough : current.tags.dataRange.to;
  const live = testDates.map((d, i) => (d > trainedThrough ? i : -1)).filter((i) => i >= 0);
  if (live.length >= input.minLiveRows) {
    const stored = await input.scoreStored(live);
    if (stored) {
      const y = Uint8Array.from(live, (i) => labels[i]!);
      const champ = evaluate(y, stored.decisions, stored.proba).overall;
      const mine = Float64Array.from(live, (i) => selected.testProba[i]!);
      const ours = metricsOf(y, mine).overall;
      const liveWindow = `${testDates[live[0]!]}..${testDates[live[live.length - 1]!]}`;
      const d = decide(ours, champ, input.margin, current.version,
        `on its live window ${liveWindow} (${live.length} TEST rows dated after its training data ended ${trainedThrough})`);
      return { ...d, comparison: { basis: 'live-window', window: liveWindow, rows: live.length, champion: { version: current.version, recipe, overall: champ }, challengerOverall: ours } };
    }
  }
  return {
    promote: true,
    reason: `no fair comparison with v${current.version} (${recipe}): its recipe is not in this pool and only ${live.length} TEST rows (fewer than ${input.minLiveRows}) postdate its training data; the challenger passed the gate out of sample and replaces it`,
    comparison: { basis: 'none', window: null, rows: live.length, champion: { version: current.version, recipe, overall: null }, challengerOverall },
  };
}
