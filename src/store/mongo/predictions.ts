/**
 * Predictions on MongoDB (collection `predictions`), unique per (modelName, version, asOf) through a unique index.
 * Saves are upserts on that key: the first save sets the id and createdAt, later ones replace the probability and
 * features and keep the id, createdAt and outcome.
 */
import { randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Filter, UpdateFilter } from 'mongodb';
import type { NewPrediction, Prediction, PredictionFilter, PredictionOutcome, PredictionStore } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage, pageOf } from '../paging.ts';
import { assertDay, assertOutcome, assertPrediction } from '../validate.ts';
import { isDuplicateKeyError, retryOnDuplicateKey, type Collections, type PredictionDoc } from './collections.ts';

const BULK_CHUNK = 1000;

function toPrediction(d: PredictionDoc): Prediction {
  return {
    id: d._id,
    modelName: d.modelName,
    version: d.version,
    symbol: d.symbol,
    trend: d.trend,
    asOf: d.asOf,
    probability: d.probability,
    features: d.features,
    ...(d.classifier === undefined || d.classifier === null ? {} : { classifier: d.classifier }),
    createdAt: d.createdAt,
    outcome: d.outcome ?? null,
  };
}

const keyFilter = (p: NewPrediction): Filter<PredictionDoc> => ({ modelName: p.modelName, version: p.version, asOf: p.asOf });
const keyOf = (p: { modelName: string; version: number; asOf: string }) => `${p.modelName}#${p.version}#${p.asOf}`;

function upsertOf(p: NewPrediction, now: Date): UpdateFilter<PredictionDoc> {
  return {
    $set: {
      symbol: p.symbol,
      trend: p.trend,
      probability: p.probability,
      features: { ...p.features },
      ...(p.classifier === undefined ? {} : { classifier: p.classifier }),
    },
    ...(p.classifier === undefined ? { $unset: { classifier: '' } } : {}),
    $setOnInsert: { _id: randomUUID(), createdAt: now, outcome: null },
  };
}

export function mongoPredictions(c: Collections): PredictionStore {
  async function savePrediction(p: NewPrediction): Promise<Prediction> {
    assertPrediction(p);
    const doc = await retryOnDuplicateKey(() =>
      c.predictions.findOneAndUpdate(keyFilter(p), upsertOf(p, new Date()), { upsert: true, returnDocument: 'after' }),
    );
    if (!doc) throw new Error(`prediction ${keyOf(p)} was not saved`);
    return toPrediction(doc);
  }

  return {
    savePrediction,

    async savePredictions(ps: readonly NewPrediction[]): Promise<Prediction[]> {
      ps.forEach(assertPrediction);
      if (ps.length === 0) return [];
      const last = new Map<string, NewPrediction>(); // a key repeated in the batch: the last one wins
      for (const p of ps) last.set(keyOf(p), p);
      const unique = [...last.values()];
      const now = new Date();
      for (let i = 0; i < unique.length; i += BULK_CHUNK) {
        const ops: AnyBulkWriteOperation<PredictionDoc>[] = unique
          .slice(i, i + BULK_CHUNK)
          .map((p) => ({ updateOne: { filter: keyFilter(p), update: upsertOf(p, now), upsert: true } }));
        try {
          await c.predictions.bulkWrite(ops, { ordered: false });
        } catch (err) {
          // Two savers inserting the same new key: the loser's upsert fails once; replaying it now updates.
          if (!isDuplicateKeyError(err)) throw err;
          await c.predictions.bulkWrite(ops, { ordered: false });
        }
      }
      // Read back the saved documents (ids and createdAt of existing keys were kept), grouped by model version.
      const byVersion = new Map<string, { modelName: string; version: number; asOfs: string[] }>();
      for (const p of unique) {
        const k = `${p.modelName}#${p.version}`;
        const group = byVersion.get(k) ?? { modelName: p.modelName, version: p.version, asOfs: [] };
        group.asOfs.push(p.asOf);
        byVersion.set(k, group);
      }
      const saved = new Map<string, Prediction>();
      for (const g of byVersion.values()) {
        const docs = await c.predictions.find({ modelName: g.modelName, version: g.version, asOf: { $in: g.asOfs } }).toArray();
        for (const d of docs) saved.set(keyOf(d), toPrediction(d));
      }
      return ps.map((p) => {
        const found = saved.get(keyOf(p));
        if (!found) throw new Error(`prediction ${keyOf(p)} was not saved`);
        return found;
      });
    },

    async getPrediction(id: string): Promise<Prediction | null> {
      const doc = await c.predictions.findOne({ _id: id });
      return doc ? toPrediction(doc) : null;
    },

    async findPrediction(modelName: string, version: number, asOf: string): Promise<Prediction | null> {
      const doc = await c.predictions.findOne({ modelName, version, asOf });
      return doc ? toPrediction(doc) : null;
    },

    async listPredictions(filter: PredictionFilter = {}) {
      const page = normalizePage(filter);
      const query: Filter<PredictionDoc> = {};
      if (filter.symbol !== undefined) query.symbol = filter.symbol;
      if (filter.trend !== undefined) query.trend = filter.trend;
      if (filter.modelName !== undefined) query.modelName = filter.modelName;
      if (filter.version !== undefined) query.version = filter.version;
      if (filter.from !== undefined || filter.to !== undefined) {
        if (filter.from !== undefined) assertDay(filter.from, 'prediction filter "from"');
        if (filter.to !== undefined) assertDay(filter.to, 'prediction filter "to"');
        query.asOf = {
          ...(filter.from === undefined ? {} : { $gte: filter.from }),
          ...(filter.to === undefined ? {} : { $lte: filter.to }),
        };
      }
      if (filter.hasOutcome !== undefined) query.outcome = filter.hasOutcome ? { $ne: null } : null;
      const [docs, total] = await Promise.all([
        c.predictions.find(query).sort({ asOf: -1, modelName: 1, version: -1, _id: 1 }).skip(page.offset).limit(page.limit).toArray(),
        c.predictions.countDocuments(query),
      ]);
      return pageOf(docs.map(toPrediction), total, page);
    },

    async setOutcome(id: string, outcome: PredictionOutcome): Promise<Prediction> {
      assertOutcome(outcome);
      const doc = await c.predictions.findOneAndUpdate(
        { _id: id },
        { $set: { outcome: { label: outcome.label, pct: outcome.pct, resolvedAt: outcome.resolvedAt } } },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError(`prediction ${id} not found`);
      return toPrediction(doc);
    },

    async deletePrediction(id: string): Promise<boolean> {
      const { deletedCount } = await c.predictions.deleteOne({ _id: id });
      return deletedCount === 1;
    },
  };
}
