/**
 * The candle cache on the embedded store (journal `candles.jsonl`): one collection per symbol, keyed by date, so a
 * daily refresh upserts only the new or changed days.
 */
import type { Candle } from '../../data/candle.ts';
import type { CandleCache } from '../ports.ts';
import { assertCandle, assertDay, assertNonEmpty } from '../validate.ts';
import type { JournalOp } from './journal.ts';
import type { JournaledState } from './journaled-state.ts';

const collectionOf = (symbol: string) => `candles:${symbol}`;

const sameCandle = (a: Candle, b: Candle) =>
  a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;

const copy = (c: Candle): Candle => ({ date: c.date, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });

export function embeddedCandles(db: JournaledState): CandleCache {
  return {
    async upsertCandles(symbol: string, candles: readonly Candle[]): Promise<number> {
      assertNonEmpty(symbol, 'candle symbol');
      for (const c of candles) assertCandle(symbol, c);
      return db.write((state) => {
        const latest = new Map<string, Candle>(); // the last row wins when a date repeats in the input
        for (const c of candles) latest.set(c.date, copy(c));
        const ops: JournalOp[] = [];
        for (const [date, candle] of latest) {
          const stored = state.get<Candle>(collectionOf(symbol), date);
          if (!stored || !sameCandle(stored, candle)) ops.push({ op: 'put', c: collectionOf(symbol), k: date, v: candle });
        }
        return { ops, result: ops.length };
      });
    },

    async getCandles(symbol: string, range: { from?: string; to?: string } = {}): Promise<Candle[]> {
      if (range.from !== undefined) assertDay(range.from, 'candle range "from"');
      if (range.to !== undefined) assertDay(range.to, 'candle range "to"');
      return db
        .read()
        .values<Candle>(collectionOf(symbol))
        .filter((c) => (range.from === undefined || c.date >= range.from) && (range.to === undefined || c.date <= range.to))
        .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
        .map(copy);
    },

    async lastCandleDate(symbol: string): Promise<string | null> {
      let last: string | null = null;
      for (const c of db.read().values<Candle>(collectionOf(symbol))) if (last === null || c.date > last) last = c.date;
      return last;
    },

    async deleteCandles(symbol: string): Promise<number> {
      return db.write((state) => {
        const ops: JournalOp[] = state.values<Candle>(collectionOf(symbol)).map((c) => ({ op: 'del', c: collectionOf(symbol), k: c.date }));
        return { ops, result: ops.length };
      });
    },
  };
}
