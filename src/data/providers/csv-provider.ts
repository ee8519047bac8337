/**
 * The default, offline provider: one `<dir>/<SYMBOL>.csv` file per coin (the bundled data/ohlcv set, or files
 * written by a collector). Nothing is fetched, so there are no limits, retries or keys.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Candle } from '../candle.ts';
import { parseCandleCsv } from '../csv.ts';
import { CandleValidationError } from '../validate.ts';
import { InvalidDataError, ProviderConfigError, UnknownSymbolError } from './errors.ts';
import type { FetchOptions, MarketDataProvider } from './provider.ts';
import { checkSymbol, sinceFilter } from './common.ts';

export interface CsvProviderOptions {
  dir: string;
  onWarning?: (msg: string) => void;
}

export function createCsvProvider(options: CsvProviderOptions): MarketDataProvider {
  const { dir } = options;
  const provider = 'csv' as const;

  async function availableSymbols(): Promise<string[]> {
    try {
      const names = await readdir(dir);
      return names.filter((n) => n.endsWith('.csv')).map((n) => n.slice(0, -4)).sort();
    } catch {
      throw new ProviderConfigError(`data directory ${dir} does not exist or cannot be read (check provider.dataDir)`, { provider });
    }
  }

  async function fetchDaily(symbol: string, opts: FetchOptions = {}): Promise<Candle[]> {
    const keep = sinceFilter(opts.since, provider);
    // The ticker becomes part of a path: checkSymbol keeps "../x" and friends out.
    checkSymbol(symbol, provider);
    const file = join(dir, `${symbol}.csv`);
    let text: string;
    try {
      text = await readFile(file, { encoding: 'utf8', signal: opts.signal });
    } catch (error) {
      opts.signal?.throwIfAborted();
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const available = await availableSymbols();
      throw new UnknownSymbolError(
        `unknown symbol: ${file} does not exist (available in ${dir}: ${available.join(', ') || 'none'})`,
        { provider, symbol },
      );
    }
    try {
      const { candles, warnings } = parseCandleCsv(text, file);
      warnings.forEach((w) => options.onWarning?.(w));
      return candles.filter(keep);
    } catch (error) {
      if (error instanceof CandleValidationError) throw new InvalidDataError(error.message, { provider, symbol, cause: error });
      throw error;
    }
  }

  return { name: provider, fetchDaily };
}
