/**
 * Test helper: the npm `talib` binding (TA-Lib's C code) as the oracle for src/data/indicators. Each case pairs one
 * of our indicators with the TA-Lib call that must produce the same numbers. Only tests import this.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as ind from '../../../src/data/indicators/index.ts';
import type { Series } from './load-csv.ts';

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
}
interface Talib {
  execute(params: Record<string, unknown>): TalibResult & { error?: string };
}
const talib = createRequire(import.meta.url)('talib') as Talib;

type Input = 'inReal' | 'high' | 'low' | 'close' | 'volume';

export interface IndicatorCase {
  /** e.g. "RSI(7)". */
  readonly label: string;
  /** TA-Lib function name and options. */
  readonly name: string;
  readonly inputs: readonly Input[];
  readonly options: Readonly<Record<string, number>>;
  /** Our outputs keyed by TA-Lib's output names. */
  readonly ours: (s: Series) => Record<string, Float64Array>;
}

/** Every indicator/parameter combination the features use, plus a few other periods. */
export function indicatorCases(periods: readonly number[] = [7]): IndicatorCase[] {
  const cases: IndicatorCase[] = [];
  for (const p of [2, 10, 20]) {
    cases.push({ label: `SMA(${p})`, name: 'SMA', inputs: ['inReal'], options: { optInTimePeriod: p }, ours: (s) => ({ outReal: ind.sma(s.close, p) }) });
  }
  cases.push({ label: 'OBV', name: 'OBV', inputs: ['inReal', 'volume'], options: {}, ours: (s) => ({ outReal: ind.obv(s.close, s.volume) }) });
  cases.push({ label: 'AD', name: 'AD', inputs: ['high', 'low', 'close', 'volume'], options: {}, ours: (s) => ({ outReal: ind.ad(s.high, s.low, s.close, s.volume) }) });
  cases.push({
    label: 'MACD(12,26,9)', name: 'MACD', inputs: ['inReal'], options: { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 },
    ours: (s) => {
      const m = ind.macd(s.close);
      return { outMACD: m.macd, outMACDSignal: m.signal, outMACDHist: m.hist };
    },
  });
  cases.push({
    label: 'STOCH(5,3,3)', name: 'STOCH', inputs: ['high', 'low', 'close'],
    options: { optInFastK_Period: 5, optInSlowK_Period: 3, optInSlowK_MAType: 0, optInSlowD_Period: 3, optInSlowD_MAType: 0 },
    ours: (s) => {
      const st = ind.stoch(s.high, s.low, s.close);
      return { outSlowK: st.slowK, outSlowD: st.slowD };
    },
  });
  cases.push({ label: 'PPO(12,26,SMA)', name: 'PPO', inputs: ['inReal'], options: { optInFastPeriod: 12, optInSlowPeriod: 26, optInMAType: 0 }, ours: (s) => ({ outReal: ind.ppo(s.close) }) });
  for (const p of periods) {
    cases.push({ label: `ADX(${p})`, name: 'ADX', inputs: ['high', 'low', 'close'], options: { optInTimePeriod: p }, ours: (s) => ({ outReal: ind.adx(s.high, s.low, s.close, p) }) });
    cases.push({ label: `DX(${p})`, name: 'DX', inputs: ['high', 'low', 'close'], options: { optInTimePeriod: p }, ours: (s) => ({ outReal: ind.dx(s.high, s.low, s.close, p) }) });
    cases.push({
      label: `AROON(${p})`, name: 'AROON', inputs: ['high', 'low'], options: { optInTimePeriod: p },
      ours: (s) => {
        const a = ind.aroon(s.high, s.low, p);
        return { outAroonDown: a.down, outAroonUp: a.up };
      },
    });
    cases.push({ label: `RSI(${p})`, name: 'RSI', inputs: ['inReal'], options: { optInTimePeriod: p }, ours: (s) => ({ outReal: ind.rsi(s.close, p) }) });
    cases.push({ label: `MFI(${p})`, name: 'MFI', inputs: ['high', 'low', 'close', 'volume'], options: { optInTimePeriod: p }, ours: (s) => ({ outReal: ind.mfi(s.high, s.low, s.close, s.volume, p) }) });
    cases.push({ label: `TRIX(${p})`, name: 'TRIX', inputs: ['inReal'], options: { optInTimePeriod: p }, ours: (s) => ({ outReal: ind.trix(s.close, p) }) });
    cases.push({
      label: `BBANDS(${p},2,2,SMA)`, name: 'BBANDS', inputs: ['inReal'], options: { optInTimePeriod: p, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 },
      ours: (s) => {
        const b = ind.bbands(s.close, p, 2, 2);
        return { outRealUpperBand: b.upper, outRealMiddleBand: b.middle, outRealLowerBand: b.lower };
      },
    });
  }
  return cases;
}

/**
 * TA-Lib's outputs for startIdx 0 .. n-1, spread to full length with NaN before begIndex (and after the last value,
 * which never happens but would then be caught). The binding aborts the process on empty input, so n = 0 is
 * answered here with empty arrays.
 */
export function talibOutputs(c: IndicatorCase, s: Series, outputNames: readonly string[]): Record<string, Float64Array> {
  const n = s.close.length;
  const out: Record<string, Float64Array> = {};
  if (n === 0) {
    for (const name of outputNames) out[name] = new Float64Array(0);
    return out;
  }
  const params: Record<string, unknown> = { name: c.name, startIdx: 0, endIdx: n - 1, ...c.options };
  for (const input of c.inputs) params[input] = Array.from(input === 'inReal' ? s.close : s[input]);
  const res = talib.execute(params);
  if (res.error) throw new Error(`talib ${c.label}: ${res.error}`);
  for (const name of outputNames) {
    const values = res.result[name];
    if (!values) throw new Error(`talib ${c.label} has no output ${name}`);
    const full = new Float64Array(n).fill(NaN);
    for (let k = 0; k < res.nbElement; k++) full[res.begIndex + k] = values[k]!;
    out[name] = full;
  }
  return out;
}

export const REL_TOLERANCE = 1e-9;

/** Asserts equal NaN positions (TA-Lib's begIndex) and values within REL_TOLERANCE relative error. */
export function assertMatches(actual: Float64Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.equal(Number.isNaN(a), Number.isNaN(e), `${what}[${i}]: ours ${a}, TA-Lib ${e} (warm-up / begIndex mismatch)`);
      continue;
    }
    if (a === e) continue;
    const rel = Math.abs(a - e) / Math.max(Math.abs(a), Math.abs(e));
    assert.ok(rel <= REL_TOLERANCE, `${what}[${i}]: ours ${a}, TA-Lib ${e}, relative error ${rel}`);
  }
}

/** Runs every case on the series and compares each output with TA-Lib. */
export function assertAllMatchTalib(s: Series, what: string, cases: readonly IndicatorCase[] = indicatorCases()): void {
  for (const c of cases) {
    const ours = c.ours(s);
    const names = Object.keys(ours);
    const expected = talibOutputs(c, s, names);
    for (const name of names) assertMatches(ours[name]!, expected[name]!, `${what} ${c.label} ${name}`);
  }
}
