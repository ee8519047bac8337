/**
 * `signal-pool report`: writes the notebook-style HTML report (index.html plus one page per coin and trend) and,
 * on request, one PDF of the whole report. Everything is read from the store and the candle loader passed in.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Candle, Trend } from '../../src/data/candle.ts';
import { TRENDS } from '../../src/data/candle.ts';
import { computeFeatures } from '../../src/data/features.ts';
import { DEFAULT_GATE, type GateThresholds } from '../tags.ts';
import { htmlDocument } from './document.ts';
import { modelPageBody } from './model-page.ts';
import { overviewBody } from './overview-page.ts';
import { ChromiumNotFoundError, DEFAULT_CHROMIUM_PATH, printPdf } from './pdf.ts';
import { loadModelPage, type BuildFeatureTable, type ModelPageData, type ReportStore } from './report-data.ts';

export interface WriteReportOptions {
  readonly store: ReportStore;
  readonly outDir: string;
  /** Coins to report; default every coin with a registered model. Pass config.symbols to list undeployed ones too. */
  readonly symbols?: readonly string[];
  readonly trends?: readonly Trend[];
  /** Also print the whole report into <outDir>/report.pdf (needs Chromium). */
  readonly pdf?: boolean;
  readonly loadCandles: (symbol: string) => Promise<Candle[]>;
  /** Feature rows for the feature table; default computeFeatures(candles, { period: indicatorPeriod }). */
  readonly buildFeatureTable?: BuildFeatureTable;
  /** config.indicatorPeriod, used by the default feature builder. Default 7. */
  readonly indicatorPeriod?: number;
  /** config.signalThreshold. Default 0.5. */
  readonly threshold?: number;
  /** config.gate, for versions that do not record their thresholds. */
  readonly gate?: GateThresholds;
  /** config.backtest, for versions that do not store a backtest. */
  readonly backtest?: { readonly feePct: number; readonly allowShort: boolean };
  readonly chromiumPath?: string;
  readonly now?: Date;
}

export interface WriteReportResult {
  /** Absolute paths of the HTML files written, index.html first. */
  readonly files: string[];
  readonly pdf?: string;
  readonly warnings: string[];
}

export async function writeReport(options: WriteReportOptions): Promise<WriteReportResult> {
  const outDir = resolve(options.outDir);
  const threshold = options.threshold ?? 0.5;
  const gate = options.gate ?? DEFAULT_GATE;
  const period = options.indicatorPeriod ?? 7;
  const generatedAt = (options.now ?? new Date()).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const trends = options.trends ?? TRENDS;
  const symbols = options.symbols ?? [...new Set((await options.store.listRegisteredModels()).map((m) => m.symbol))].sort();
  const warnings: string[] = [];
  if (symbols.length === 0) warnings.push('No symbols to report: the store has no registered models and none were given.');

  const deps = {
    store: options.store,
    loadCandles: memoize(options.loadCandles),
    buildFeatureTable: options.buildFeatureTable ?? ((candles: readonly Candle[]) => computeFeatures(candles, { period })),
    settings: {
      threshold,
      feePct: options.backtest?.feePct ?? 0.001,
      allowShort: options.backtest?.allowShort ?? false,
      featureRowCount: 10,
    },
  };
  // One coin at a time: pages of the same coin share its candles, and a 2-core machine gains nothing from more.
  const pages: ModelPageData[] = [];
  for (const symbol of symbols) for (const trend of trends) pages.push(await loadModelPage(deps, symbol, trend));
  for (const p of pages) warnings.push(...p.warnings);

  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const indexPath = join(outDir, 'index.html');
  const overview = (hrefOf: (id: string) => string) => overviewBody(pages, { generatedAt, threshold, hrefOf });
  await writeFile(indexPath, htmlDocument('Signal Pool report', overview((id) => `${id}.html`)));
  files.push(indexPath);

  const bodies: string[] = [];
  for (const page of pages) {
    const body = await modelPageBody(page, { threshold, gate, overviewHref: 'index.html', generatedAt });
    const path = join(outDir, `${page.pageId}.html`);
    await writeFile(path, htmlDocument(`${page.symbol} ${page.trend} · Signal Pool report`, body));
    files.push(path);
    // In the single-document PDF the way back to the overview is an in-document anchor.
    if (options.pdf) bodies.push(body.replaceAll('href="index.html"', 'href="#overview"'));
  }

  if (!options.pdf) return { files, warnings };
  // The PDF is one document: the overview and every page in turn, cross-links turned into in-document anchors.
  const all = [overview((id) => `#page-${id}`), ...bodies.map((b, i) => `<div class="page" id="page-${pages[i]!.pageId}">${b}</div>`)];
  const pdfPath = join(outDir, 'report.pdf');
  try {
    await printPdf(htmlDocument('Signal Pool report', all.map((b, i) => (i === 0 ? `<div class="page">${b}</div>` : b)).join('\n')), pdfPath, options.chromiumPath ?? DEFAULT_CHROMIUM_PATH);
    return { files, pdf: pdfPath, warnings };
  } catch (err) {
    const why = err instanceof ChromiumNotFoundError ? err.message : `PDF printing failed: ${err instanceof Error ? err.message : String(err)}`;
    warnings.push(`${why}. The HTML report was written to ${indexPath}.`);
    return { files, warnings };
  }
}

function memoize<T>(load: (symbol: string) => Promise<T>): (symbol: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (symbol) => {
    let p = cache.get(symbol);
    if (!p) {
      p = load(symbol);
      cache.set(symbol, p);
    }
    return p;
  };
}
