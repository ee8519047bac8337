/** The candle cache on MongoDB (collection `candles`, one document per symbol and day). */
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import type { Candle } from '../../data/candle.ts';
import type { CandleCache } from '../ports.ts';
import { assertCandle, assertDay, assertNonEmpty } from '../validate.ts';
import type { CandleDoc, Collections } from './collections.ts';

const toCandle = (d: CandleDoc): Candle => ({ date: d.date, open: d.open, high: d.high, low: d.low, close: d.close, volume: d.volume });

export function mongoCandles(c: Collections): CandleCache {
  return {
    async upsertCandles(symbol: string, candles: readonly Candle[]): Promise<number> {
      assertNonEmpty(symbol, 'candle symbol');
      for (const candle of candles) assertCandle(symbol, candle);
      const latest = new Map<string, Candle>(); // the last row wins when a date repeats in the input
      for (const candle of candles) latest.set(candle.date, candle);
      if (latest.size === 0) return 0;
      const ops: AnyBulkWriteOperation<CandleDoc>[] = [...latest.values()].map((k) => ({
        updateOne: {
          filter: { _id: `${symbol}|${k.date}` },
          update: { $set: { symbol, date: k.date, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume } },
          upsert: true,
        },
      }));
      const result = await c.candles.bulkWrite(ops, { ordered: false });
      // The server counts an update that sets identical values as matched but not modified: exactly "new or changed".
      return result.upsertedCount + result.modifiedCount;
    },

    async getCandles(symbol: string, range: { from?: string; to?: string } = {}): Promise<Candle[]> {
      const query: Filter<CandleDoc> = { symbol };
      if (range.from !== undefined || range.to !== undefined) {
        if (range.from !== undefined) assertDay(range.from, 'candle range "from"');
        if (range.to !== undefined) assertDay(range.to, 'candle range "to"');
        query.date = { ...(range.from === undefined ? {} : { $gte: range.from }), ...(range.to === undefined ? {} : { $lte: range.to }) };
      }
      const docs = await c.candles.find(query).sort({ date: 1 }).toArray();
      return docs.map(toCandle);
    },

    async lastCandleDate(symbol: string): Promise<string | null> {
      const doc = await c.candles.findOne({ symbol }, { sort: { date: -1 }, projection: { date: 1 } });
      return doc?.date ?? null;
    },

    async deleteCandles(symbol: string): Promise<number> {
      const { deletedCount } = await c.candles.deleteMany({ symbol });
      return deletedCount;
    },
  };
}
