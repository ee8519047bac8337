/** The registration gate (the champion rule is in champion.ts). */
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
