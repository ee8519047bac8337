/**
 * The global (cross-coin) models of a deployment: one model per kind, trained on the pooled rows of every coin of the
 * universe up to a cut-off date, and scored on each coin's own validation and TEST windows.
 *
 * Leak rules, per scored window starting on date S:
 * - a pooled row trains the model only if its label was known before S (labelEnd < S). The label of a row reads
 *   `window` candles ahead, so no row from the purge gap before S, nor from S on, of ANY coin is used: no coin's
 *   future leaks into another coin's past;
 * - during evaluation no coin contributes a row whose label reaches into that coin's own TEST window (labelEnd <
 *   testStart of that coin). Selection, ensembling and calibration therefore never depend on a TEST label of any
 *   coin: perturbing one changes nothing but the TEST metrics.
 *
 * Sharing: cut-offs are rounded down to a grid of `gridDays` (default 30), so that the ~100 windows of 20 coins need
 * about 25 models per kind instead of 100. A model may be up to gridDays older than the window allows; it never
 * sees more. The grid is anchored at 1970-01-01, so the models do not depend on which coins are deployed together.
 *
 * Models registered for serving are refit on every labelled row known on the coin's last candle date.
 */
import type { ClassifierKind, Params } from '../models/classifier.ts';
import type { Matrix } from '../models/matrix.ts';
import type { PooledUniverse } from '../data/pooled-dataset.ts';
import { pooledRowsAt } from '../data/pooled-dataset.ts';
import type { Trainer } from './trainer.ts';
import type { FitResult } from './fit-rows.ts';

/** A global candidate: a classifier kind with the hyper-parameters it uses on the pooled data. */
export interface GlobalSpec {
  readonly kind: ClassifierKind;
  readonly params: Partial<Params>;
}

export const globalName = (kind: ClassifierKind) => `global:${kind}`;

/**
 * Hyper-parameters a kind uses on the pooled data (~40,000 rows instead of one coin's ~2,000), chosen on the
 * validation folds (README, "Signal quality"): the forest's leaves hold at least 50 rows and features are binned into
 * 64 levels. Kinds not listed use their defaults.
 */
const POOLED_PARAMS: Partial<Record<ClassifierKind, Partial<Params>>> = {
  RandomForest: { minSamplesLeaf: 50, maxBins: 64 },
};

export function globalSpec(kind: ClassifierKind): GlobalSpec {
  return { kind, params: POOLED_PARAMS[kind] ?? {} };
}

export interface WindowQuery {
  readonly symbol: string;
  /** First date of the scored window: the cut-off. */
  readonly start: string;
  readonly dates: readonly string[];
}

export interface GlobalFitInfo {
  kind: ClassifierKind;
  /** Rows with labelEnd before this date trained the model. */
  trainedBefore: string;
  rows: number;
  coins: number;
  fitSeconds: number;
}

const DAY_MS = 86_400_000;

/** The grid date at or before `date`. */
export function gridDate(date: string, gridDays: number): string {
  const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
  return new Date(Math.floor(day / gridDays) * gridDays * DAY_MS).toISOString().slice(0, 10);
}

/** A tiny semaphore: the pooled training matrices (~15 MB each) are built only when a fit can start. */
function limiter(max: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export interface GlobalBankOptions {
  gridDays: number;
  seed: number;
  /** Per coin: evaluation rows must have labelEnd before this date (the coin's TEST start); absent: no limit. */
  evaluationLimit: ReadonlyMap<string, string>;
  featureNames: readonly string[];
  onFit?: (info: GlobalFitInfo) => void;
}

export class GlobalBank {
  private readonly run: <T>(job: () => Promise<T>) => Promise<T>;
  private readonly finals = new Map<string, Promise<FitResult & { info: GlobalFitInfo }>>();

  constructor(private readonly universe: PooledUniverse, private readonly trainer: Trainer, private readonly opts: GlobalBankOptions) {
    this.run = limiter(Math.max(1, trainer.parallelism));
  }

  /** The pooled training rows whose labels were known before `before` (and, when evaluating, before each coin's TEST). */
  trainingRows(before: string, evaluating: boolean): { X: Matrix; y: Uint8Array; dates: string[]; symbols: string[] } {
    const picks: { coin: string; row: number }[] = [];
    for (const coin of this.universe.coins.values()) {
      const limit = evaluating ? this.opts.evaluationLimit.get(coin.symbol) : undefined;
      for (let r = 0; r < coin.dates.length; r++) {
        const end = coin.labelEnd[r]!;
        if (coin.label[r]! < 0 || end === '' || !(end < before) || (limit !== undefined && !(end < limit))) continue;
        picks.push({ coin: coin.symbol, row: r });
      }
    }
    const d = this.opts.featureNames.length;
    const X = { nRows: picks.length, nCols: d, data: new Float64Array(picks.length * d) };
    const y = new Uint8Array(picks.length);
    const dates: string[] = [];
    const symbols: string[] = [];
    picks.forEach((p, i) => {
      const coin = this.universe.coins.get(p.coin)!;
      X.data.set(coin.X.data.subarray(p.row * d, (p.row + 1) * d), i * d);
      y[i] = coin.label[p.row]!;
      dates.push(coin.dates[p.row]!);
      symbols.push(p.coin);
    });
    return { X, y, dates, symbols };
  }

  /**
   * Probabilities of the spec's model on every query window (null where the coin has no pooled row for a date, or
   * the model could not be fitted). One model is fitted per grid date.
   */
  async scoreWindows(spec: GlobalSpec, queries: readonly WindowQuery[]): Promise<(Float64Array | null)[]> {
    const out: (Float64Array | null)[] = queries.map(() => null);
    const groups = new Map<string, number[]>();
    queries.forEach((q, i) => {
      const g = gridDate(q.start, this.opts.gridDays);
      groups.set(g, [...(groups.get(g) ?? []), i]);
    });
    await Promise.all([...groups].map(([grid, members]) => this.run(async () => {
      const rows = members.map((i) => {
        const coin = this.universe.coins.get(queries[i]!.symbol);
        return coin ? pooledRowsAt(coin, queries[i]!.dates) : null;
      });
      const scored = members.filter((_, k) => rows[k] !== null);
      if (scored.length === 0) return;
      const d = this.opts.featureNames.length;
      const total = scored.reduce((s, i) => s + queries[i]!.dates.length, 0);
      const Q = { nRows: total, nCols: d, data: new Float64Array(total * d) };
      let offset = 0;
      for (const m of rows) {
        if (!m) continue;
        Q.data.set(m.data, offset * d);
        offset += m.nRows;
      }
      const train = this.trainingRows(grid, true);
      let result: FitResult;
      try {
        result = await this.trainer.fit({ kind: spec.kind, params: spec.params, X: train.X, y: train.y, seed: this.opts.seed, queries: Q, featureNames: this.opts.featureNames, keepArtifact: false });
      } catch {
        return; // a window whose model cannot be fitted stays unscored; the candidate reports it
      }
      this.opts.onFit?.({ kind: spec.kind, trainedBefore: grid, rows: train.X.nRows, coins: new Set(train.symbols).size, fitSeconds: result.fitSeconds });
      offset = 0;
      for (const i of scored) {
        const n = queries[i]!.dates.length;
        out[i] = result.proba.slice(offset, offset + n);
        offset += n;
      }
    })));
    return out;
  }

  /** The model to register: refit on every labelled row known on `asOf` (the coin's last candle date). Cached. */
  finalModel(spec: GlobalSpec, asOf: string): Promise<FitResult & { info: GlobalFitInfo }> {
    const key = `${spec.kind}|${JSON.stringify(spec.params)}|${asOf}`;
    let p = this.finals.get(key);
    if (!p) {
      // labelEnd <= asOf, i.e. labelEnd < the next day.
      const before = new Date(Date.parse(`${asOf}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
      p = this.run(async () => {
        const train = this.trainingRows(before, false);
        const empty = { nRows: 0, nCols: train.X.nCols, data: new Float64Array(0) };
        const result = await this.trainer.fit({ kind: spec.kind, params: spec.params, X: train.X, y: train.y, seed: this.opts.seed, queries: empty, featureNames: this.opts.featureNames, keepArtifact: true });
        const info = { kind: spec.kind, trainedBefore: before, rows: train.X.nRows, coins: new Set(train.symbols).size, fitSeconds: result.fitSeconds };
        this.opts.onFit?.(info);
        return { ...result, info };
      });
      this.finals.set(key, p);
      p.catch(() => this.finals.delete(key));
    }
    return p;
  }
}
