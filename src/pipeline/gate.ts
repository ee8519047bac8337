/** The registration gate and the champion rule. */
import type { AppConfig } from '../../config/schema.ts';

export interface GateResult {
  passed: boolean;
  /** Every failed condition, or the passed summary. */
  reasons: string[];
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** positive_accuracy > gate, negative_accuracy > gate and overall > gate, all strictly, on the test window. */
export function checkGate(m: Record<string, number>, gate: AppConfig['gate']): GateResult {
  const reasons: string[] = [];
  const check = (name: string, value: number | undefined, min: number) => {
    if (!(value !== undefined && value > min)) reasons.push(`${name} ${fmt(value ?? Number.NaN)} is not > ${min}`);
  };
  check('positive_accuracy', m.positive_accuracy, gate.positiveAccuracy);
  check('negative_accuracy', m.negative_accuracy, gate.negativeAccuracy);
  check('overall', m.overall, gate.overall);
  return reasons.length === 0
    ? { passed: true, reasons: [`passed: positive_accuracy ${fmt(m.positive_accuracy!)}, negative_accuracy ${fmt(m.negative_accuracy!)}, overall ${fmt(m.overall!)}`] }
    : { passed: false, reasons };
}

export interface ChampionDecision {
  promote: boolean;
  reason: string;
}

/** The challenger takes the alias only when it beats the champion on the same window by more than `margin`. */
export function decideChampion(challengerOverall: number, champion: { version: number; overall: number } | null, margin: number, window: string): ChampionDecision {
  if (!champion) return { promote: true, reason: 'no champion yet' };
  if (challengerOverall > champion.overall + margin) {
    return { promote: true, reason: `beats v${champion.version} on the test window ${window}: overall ${fmt(challengerOverall)} vs ${fmt(champion.overall)} (margin ${margin})` };
  }
  return { promote: false, reason: `does not beat v${champion.version} on the test window ${window}: overall ${fmt(challengerOverall)} vs ${fmt(champion.overall)} (margin ${margin})` };
}
