/**
 * Predictions on the embedded store (journal `predictions.jsonl`), unique per (modelName, version, asOf) through an
 * in-memory index. A batch from savePredictions is one journal record: after a crash all of it is there or none.
 */
import { randomUUID } from 'node:crypto';
import type { NewPrediction, Prediction, PredictionFilter, PredictionOutcome, PredictionStore } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage, slicePage } from '../paging.ts';
import { assertDay, assertOutcome, assertPrediction } from '../validate.ts';
import type { JournalOp } from './journal.ts';
import type { JournaledState } from './journaled-state.ts';
import type { MemoryState } from './memory-state.ts';

export const PREDICTIONS = 'predictions';
export const PREDICTION_KEY_INDEX = 'predictions-by-key';

interface StoredOutcome {
  label: 0 | 1;
  pct: number;
  resolvedAt: string;
}

interface StoredPrediction {
  id: string;
  modelName: string;
  version: number;
  symbol: string;
  trend: Prediction['trend'];
  asOf: string;
  probability: number;
  features: Record<string, number>;
  classifier?: string;
  createdAt: string;
  outcome: StoredOutcome | null;
}

export const predictionKey = (modelName: string, version: number, asOf: string) => `${modelName}#${version}#${asOf}`;

/** Declares the (modelName, version, asOf) index; call before the journal is replayed. */
export function definePredictionIndexes(state: MemoryState): void {
  state.defineIndex(PREDICTION_KEY_INDEX, PREDICTIONS, (doc) => {
    const p = doc as StoredPrediction;
    return predictionKey(p.modelName, p.version, p.asOf);
  });
}

function toPrediction(s: StoredPrediction): Prediction {
  return {
    id: s.id,
    modelName: s.modelName,
    version: s.version,
    symbol: s.symbol,
    trend: s.trend,
    asOf: s.asOf,
    probability: s.probability,
    features: { ...s.features },
    ...(s.classifier === undefined ? {} : { classifier: s.classifier }),
    createdAt: new Date(s.createdAt),
    outcome: s.outcome === null ? null : { label: s.outcome.label, pct: s.outcome.pct, resolvedAt: new Date(s.outcome.resolvedAt) },
  };
}

export function embeddedPredictions(db: JournaledState): PredictionStore {
  /** Builds the documents for a batch; a key repeated inside the batch keeps one id (the last values win). */
  function plan(state: MemoryState, inputs: readonly NewPrediction[]): { ops: JournalOp[]; result: Prediction[] } {
    const now = new Date().toISOString();
    const inBatch = new Map<string, StoredPrediction>();
    const docs = inputs.map((p) => {
      const key = predictionKey(p.modelName, p.version, p.asOf);
      const existingId = state.lookup(PREDICTION_KEY_INDEX, key);
      const base = inBatch.get(key) ?? (existingId === undefined ? undefined : state.get<StoredPrediction>(PREDICTIONS, existingId));
      const doc: StoredPrediction = {
        id: base?.id ?? randomUUID(),
        modelName: p.modelName,
        version: p.version,
        symbol: p.symbol,
        trend: p.trend,
        asOf: p.asOf,
        probability: p.probability,
        features: { ...p.features },
        ...(p.classifier === undefined ? {} : { classifier: p.classifier }),
        createdAt: base?.createdAt ?? now,
        outcome: base?.outcome ?? null,
      };
      inBatch.set(key, doc);
      return doc;
    });
    // Put each key once, with its final values.
    const ops: JournalOp[] = [...inBatch.values()].map((doc) => ({ op: 'put', c: PREDICTIONS, k: doc.id, v: doc }));
    return { ops, result: docs.map((d) => toPrediction(inBatch.get(predictionKey(d.modelName, d.version, d.asOf))!)) };
  }

  return {
    async savePrediction(p: NewPrediction): Promise<Prediction> {
      assertPrediction(p);
      const [saved] = await db.write((state) => plan(state, [p]));
      return saved!;
    },

    async savePredictions(ps: readonly NewPrediction[]): Promise<Prediction[]> {
      ps.forEach(assertPrediction);
      if (ps.length === 0) return [];
      return db.write((state) => plan(state, ps));
    },

    async getPrediction(id: string): Promise<Prediction | null> {
      const p = db.read().get<StoredPrediction>(PREDICTIONS, id);
      return p ? toPrediction(p) : null;
    },

    async findPrediction(modelName: string, version: number, asOf: string): Promise<Prediction | null> {
      const state = db.read();
      const id = state.lookup(PREDICTION_KEY_INDEX, predictionKey(modelName, version, asOf));
      const p = id === undefined ? undefined : state.get<StoredPrediction>(PREDICTIONS, id);
      return p ? toPrediction(p) : null;
    },

    async listPredictions(filter: PredictionFilter = {}) {
      const page = normalizePage(filter);
      if (filter.from !== undefined) assertDay(filter.from, 'prediction filter "from"');
      if (filter.to !== undefined) assertDay(filter.to, 'prediction filter "to"');
      const matches = db
        .read()
        .values<StoredPrediction>(PREDICTIONS)
        .filter(
          (p) =>
            (filter.symbol === undefined || p.symbol === filter.symbol) &&
            (filter.trend === undefined || p.trend === filter.trend) &&
            (filter.modelName === undefined || p.modelName === filter.modelName) &&
            (filter.version === undefined || p.version === filter.version) &&
            (filter.from === undefined || p.asOf >= filter.from) &&
            (filter.to === undefined || p.asOf <= filter.to) &&
            (filter.hasOutcome === undefined || (p.outcome !== null) === filter.hasOutcome),
        )
        .sort(newestAsOfFirst);
      const sliced = slicePage(matches, page);
      return { ...sliced, items: sliced.items.map(toPrediction) };
    },

    async setOutcome(id: string, outcome: PredictionOutcome): Promise<Prediction> {
      assertOutcome(outcome);
      return db.write((state) => {
        const old = state.get<StoredPrediction>(PREDICTIONS, id);
        if (!old) throw new NotFoundError(`prediction ${id} not found`);
        const doc: StoredPrediction = { ...old, outcome: { label: outcome.label, pct: outcome.pct, resolvedAt: outcome.resolvedAt.toISOString() } };
        return { ops: [{ op: 'put', c: PREDICTIONS, k: id, v: doc }], result: toPrediction(doc) };
      });
    },

    async deletePrediction(id: string): Promise<boolean> {
      return db.write((state) =>
        state.has(PREDICTIONS, id) ? { ops: [{ op: 'del', c: PREDICTIONS, k: id }], result: true } : { ops: [], result: false },
      );
    },
  };
}

/** Newest as-of first; then model name, newest version, id, so pages are stable. Mongo sorts the same way. */
function newestAsOfFirst(a: StoredPrediction, b: StoredPrediction): number {
  if (a.asOf !== b.asOf) return a.asOf < b.asOf ? 1 : -1;
  if (a.modelName !== b.modelName) return a.modelName < b.modelName ? -1 : 1;
  if (a.version !== b.version) return b.version - a.version;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
