/**
 * Predictions on the embedded store (table `predictions`), unique per (modelName, version, asOf) through a unique
 * index. A batch from savePredictions is one transaction: after a crash all of it is there or none.
 */
import { randomUUID } from 'node:crypto';
import type { NewPrediction, Prediction, PredictionFilter, PredictionOutcome, PredictionStore } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage } from '../paging.ts';
import { assertDay, assertOutcome, assertPrediction } from '../validate.ts';
import type { StoreDatabase } from './database.ts';
import { defineTable } from './schema.ts';
import { whereClause } from './sql.ts';

interface StoredOutcome {
  label: 0 | 1;
  pct: number;
  resolvedAt: string;
}

export interface StoredPrediction {
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

export const PREDICTIONS = defineTable<StoredPrediction>({
  table: 'predictions',
  what: 'prediction',
  columns: ['id', 'model_name', 'version', 'symbol', 'trend', 'as_of', 'has_outcome'],
  key: ['id'],
  mutable: ['has_outcome'],
  valuesOf: (p) => [p.id, p.modelName, p.version, p.symbol, p.trend, p.asOf, p.outcome === null ? 0 : 1],
  idOf: (row) => String(row.id),
});

type Row = { id: string; doc: string; crc: number };

function toPrediction(s: StoredPrediction): Prediction {
  return {
    id: s.id,
    modelName: s.modelName,
    version: s.version,
    symbol: s.symbol,
    trend: s.trend,
    asOf: s.asOf,
    probability: s.probability,
    features: s.features, // freshly decoded for this call: nothing else holds it
    ...(s.classifier === undefined ? {} : { classifier: s.classifier }),
    createdAt: new Date(s.createdAt),
    outcome: s.outcome === null ? null : { label: s.outcome.label, pct: s.outcome.pct, resolvedAt: new Date(s.outcome.resolvedAt) },
  };
}

export function embeddedPredictions(db: StoreDatabase): PredictionStore {
  const byKey = (modelName: string, version: number, asOf: string): StoredPrediction | null => {
    const row = db.statement('SELECT id, doc, crc FROM predictions WHERE model_name = ? AND version = ? AND as_of = ?').get(modelName, version, asOf) as Row | undefined;
    return row ? db.decode(PREDICTIONS, row) : null;
  };
  const byId = (id: string): StoredPrediction | null => {
    const row = db.statement('SELECT id, doc, crc FROM predictions WHERE id = ?').get(id) as Row | undefined;
    return row ? db.decode(PREDICTIONS, row) : null;
  };

  /** Saves a batch inside one write; a key repeated inside the batch keeps one id (the last values win). */
  function save(inputs: readonly NewPrediction[]): Prediction[] {
    const now = new Date().toISOString();
    const inBatch = new Map<string, StoredPrediction>();
    const keys = inputs.map((p) => {
      const key = `${p.modelName}#${p.version}#${p.asOf}`;
      const base = inBatch.get(key) ?? byKey(p.modelName, p.version, p.asOf);
      inBatch.set(key, {
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
      });
      return key;
    });
    // Write each key once, with its final values.
    for (const doc of inBatch.values()) db.put(PREDICTIONS, doc);
    return keys.map((key) => toPrediction(inBatch.get(key)!));
  }

  return {
    async savePrediction(p: NewPrediction): Promise<Prediction> {
      assertPrediction(p);
      const [saved] = await db.write(() => save([p]));
      return saved!;
    },

    async savePredictions(ps: readonly NewPrediction[]): Promise<Prediction[]> {
      ps.forEach(assertPrediction);
      if (ps.length === 0) return [];
      return db.write(() => save(ps));
    },

    async getPrediction(id: string): Promise<Prediction | null> {
      const p = await db.read(() => byId(id));
      return p ? toPrediction(p) : null;
    },

    async findPrediction(modelName: string, version: number, asOf: string): Promise<Prediction | null> {
      const p = await db.read(() => byKey(modelName, version, asOf));
      return p ? toPrediction(p) : null;
    },

    async listPredictions(filter: PredictionFilter = {}) {
      const page = normalizePage(filter);
      if (filter.from !== undefined) assertDay(filter.from, 'prediction filter "from"');
      if (filter.to !== undefined) assertDay(filter.to, 'prediction filter "to"');
      const where = whereClause([
        ['symbol = ?', filter.symbol],
        ['trend = ?', filter.trend],
        ['model_name = ?', filter.modelName],
        ['version = ?', filter.version],
        ['as_of >= ?', filter.from],
        ['as_of <= ?', filter.to],
        ['has_outcome = ?', filter.hasOutcome],
      ]);
      // Newest as-of first; then model name, newest version, id, so pages are stable. Mongo sorts the same way.
      const orderBy = 'as_of DESC, model_name ASC, version DESC, id ASC';
      const found = await db.read(() => db.page(PREDICTIONS, { select: 'id', where, orderBy, page }));
      return { ...found, items: found.items.map(toPrediction) };
    },

    async setOutcome(id: string, outcome: PredictionOutcome): Promise<Prediction> {
      assertOutcome(outcome);
      return db.write(() => {
        const old = byId(id);
        if (!old) throw new NotFoundError(`prediction ${id} not found`);
        const doc: StoredPrediction = { ...old, outcome: { label: outcome.label, pct: outcome.pct, resolvedAt: outcome.resolvedAt.toISOString() } };
        db.put(PREDICTIONS, doc);
        return toPrediction(doc);
      });
    },

    async deletePrediction(id: string): Promise<boolean> {
      return db.write(() => db.statement('DELETE FROM predictions WHERE id = ?').run(id).changes > 0);
    },
  };
}
