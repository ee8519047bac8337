/**
 * The shapes of the model-version tags the reports read beyond VersionTags' typed core: `evaluation`, `backtest`,
 * `pool` and `gate` (written by the deployment pipeline). Tags are stored JSON, i.e. external input, so each one is
 * validated here with zod; a malformed tag makes its report section say so instead of crashing the whole report.
 */
import { z } from 'zod';
import type { VersionTags } from '../src/store/ports.ts';

/** Keeps the finite numbers of a metrics map (JSON has no NaN: a missing metric may have been stored as null). */
const numberRecord = z.record(z.string(), z.unknown()).transform((r) => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
});

export const poolEntrySchema = z.object({
  classifier: z.string().min(1),
  metrics: numberRecord.default({}),
  validationMetrics: numberRecord.nullish(),
  ok: z.boolean(),
  error: z.string().nullish(),
});
export type PoolEntry = z.infer<typeof poolEntrySchema>;
export const poolTagSchema = z.array(poolEntrySchema);

/** How the pool ranks its classifiers: mean validation overall when recorded (walk-forward), else test overall. */
export function selectionScore(p: PoolEntry): number {
  return p.validationMetrics?.overall ?? p.metrics.overall ?? -Infinity;
}

/** The registration gate's thresholds (config.gate). */
export interface GateThresholds {
  readonly positiveAccuracy: number;
  readonly negativeAccuracy: number;
  readonly overall: number;
}
/** The defaults of config/signal-pool.json, used when a version does not record the thresholds it was gated with. */
export const DEFAULT_GATE: GateThresholds = { positiveAccuracy: 0.5, negativeAccuracy: 0.5, overall: 0.6 };

export const gateTagSchema = z.object({
  passed: z.boolean(),
  reasons: z.array(z.string()).default([]),
  thresholds: z.object({ positiveAccuracy: z.number(), negativeAccuracy: z.number(), overall: z.number() }).nullish(),
});
export type GateTag = z.infer<typeof gateTagSchema>;

export const evaluationTagSchema = z
  .object({
    dates: z.array(z.string()),
    proba: z.array(z.number()),
    label: z.array(z.union([z.literal(0), z.literal(1)])),
  })
  .refine((e) => e.dates.length === e.proba.length && e.dates.length === e.label.length, {
    message: 'dates, proba and label must have the same length',
  });
export type EvaluationTag = z.infer<typeof evaluationTagSchema>;

export const equityPointSchema = z.object({ date: z.string(), strategy: z.number(), buyHold: z.number() });

export const backtestTagSchema = z.object({
  params: z
    .object({
      threshold: z.number(),
      trend: z.string(),
      window: z.number(),
      feePct: z.number(),
      allowShort: z.boolean(),
      defaultSide: z.string().optional(),
      signalSide: z.string().optional(),
    })
    .partial()
    .nullish(),
  from: z.string().nullish(),
  to: z.string().nullish(),
  equity: z.array(equityPointSchema).min(1),
  totalReturn: z.number(),
  buyHoldReturn: z.number(),
  maxDrawdown: z.number(),
  buyHoldMaxDrawdown: z.number().nullish(),
  winRate: z.number().nullable(),
  trades: z.number(),
  exposure: z.number(),
});
export type BacktestTag = z.infer<typeof backtestTagSchema>;

export type TagResult<T> = { ok: true; value: T } | { ok: false; missing: boolean; error: string };

/** Reads one optional tag through its schema; `missing` distinguishes "not recorded" from "recorded but malformed". */
export function readTag<T>(tags: VersionTags, key: string, schema: z.ZodType<T>): TagResult<T> {
  const raw = tags[key];
  if (raw === undefined || raw === null) return { ok: false, missing: true, error: `tag "${key}" is not recorded` };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, missing: false, error: `tag "${key}" is malformed${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: parsed.data };
}
