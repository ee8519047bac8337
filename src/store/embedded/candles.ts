/**
 * The candle cache on the embedded store (table `candles`), keyed by (symbol, date), so a daily refresh upserts only
 * the new or changed days.
 */
import type { Candle } from '../../data/candle.ts';
import type { CandleCache } from '../ports.ts';
import { assertCandle, assertDay, assertNonEmpty } from '../validate.ts';
import type { StoreDatabase } from './database.ts';
import { defineTable } from './schema.ts';
import { whereClause } from './sql.ts';

export type StoredCandle = Candle & { symbol: string };

export const CANDLES = defineTable<StoredCandle>({
  table: 'candles',
  what: 'candle',
  columns: ['symbol', 'date'],
  key: ['symbol', 'date'],
  mutable: [],
  valuesOf: (c) => [c.symbol, c.date],
  idOf: (row) => `${String(row.symbol)} ${String(row.date)}`,
});

type Row = { symbol: string; date: string; doc: string; crc: number };

const sameCandle = (a: Candle, b: Candle) =>
  a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;

const toCandle = (c: Candle): Candle => ({ date: c.date, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });

export function embeddedCandles(db: StoreDatabase): CandleCache {
  return {
    async upsertCandles(symbol: string, candles: readonly Candle[]): Promise<number> {
      assertNonEmpty(symbol, 'candle symbol');
      for (const c of candles) assertCandle(symbol, c);
      const latest = new Map<string, Candle>(); // the last row wins when a date repeats in the input
      for (const c of candles) latest.set(c.date, toCandle(c));
      return db.write(() => {
        let changed = 0;
        const find = db.statement('SELECT symbol, date, doc, crc FROM candles WHERE symbol = ? AND date = ?');
        for (const [date, candle] of latest) {
          const row = find.get(symbol, date) as Row | undefined;
          if (row && sameCandle(db.decode(CANDLES, row), candle)) continue;
          db.put(CANDLES, { symbol, ...candle });
          changed++;
        }
        return changed;
      });
    },

    async getCandles(symbol: string, range: { from?: string; to?: string } = {}): Promise<Candle[]> {
      if (range.from !== undefined) assertDay(range.from, 'candle range "from"');
      if (range.to !== undefined) assertDay(range.to, 'candle range "to"');
      const where = whereClause([['symbol = ?', symbol], ['date >= ?', range.from], ['date <= ?', range.to]]);
      const rows = await db.read(() => db.statement(`SELECT symbol, date, doc, crc FROM candles ${where.sql} ORDER BY date`).all(...where.params) as Row[]);
      return db.decodeEach(CANDLES, rows).map(toCandle);
    },

    async lastCandleDate(symbol: string): Promise<string | null> {
      const row = await db.read(() => db.statement('SELECT max(date) AS last FROM candles WHERE symbol = ?').get(symbol) as { last: string | null });
      return row.last;
    },

    async deleteCandles(symbol: string): Promise<number> {
      return db.write(() => db.statement('DELETE FROM candles WHERE symbol = ?').run(symbol).changes);
    },
  };
}
