/**
 * `signal-pool models`: registered models with the version holding the champion alias and its test metrics.
 * A pure function returning the text to print; src/cli/index.ts wires it into the command line.
 */
import type { Trend } from '../data/candle.ts';
import { isTrend } from '../data/candle.ts';
import type { ModelVersion, RegisteredModel, Store } from '../store/ports.ts';
import { renderTable } from '../util/table.ts';
import { CliError } from './errors.ts';
import { formatMetric } from './runs.ts';

export const CHAMPION = 'champion';

export interface ModelRow {
  readonly name: string;
  readonly symbol: string;
  readonly trend: Trend;
  readonly latestVersion: number;
  readonly champion: {
    readonly version: number;
    readonly classifier: string;
    readonly metrics: Record<string, number>;
    readonly trainedAt: string;
    readonly dataRange: { readonly from: string; readonly to: string };
    readonly protocol: string;
  } | null;
}

function toRow(model: RegisteredModel, champion: ModelVersion | undefined): ModelRow {
  return {
    name: model.name,
    symbol: model.symbol,
    trend: model.trend,
    latestVersion: model.latestVersion,
    champion: champion
      ? {
          version: champion.version,
          classifier: champion.tags.classifier,
          metrics: champion.tags.metrics,
          trainedAt: champion.createdAt.toISOString(),
          dataRange: champion.tags.dataRange,
          protocol: champion.tags.protocol,
        }
      : null,
  };
}

export async function listModelsCommand(store: Store, opts: { trend?: Trend; json: boolean }): Promise<string> {
  if (opts.trend !== undefined && !isTrend(opts.trend)) throw new CliError(`--trend must be uptrend or downtrend, got "${String(opts.trend)}"`, 2);
  const filter = opts.trend === undefined ? {} : { trend: opts.trend };
  const [models, champions] = await Promise.all([store.listRegisteredModels(filter), store.listAliased(CHAMPION, filter)]);
  const byName = new Map(champions.map((v) => [v.modelName, v]));
  const rows = models.map((m) => toRow(m, byName.get(m.name)));
  if (opts.json) return JSON.stringify(rows, null, 2);
  if (rows.length === 0) return 'No registered models yet: `signal-pool deploy <trend>` trains and registers them.';
  return renderTable(
    ['model', 'symbol', 'trend', 'champion', 'versions', 'classifier', 'overall', 'precision', 'pos_acc', 'neg_acc', 'trained'],
    rows.map((r) => [
      r.name,
      r.symbol,
      r.trend,
      r.champion ? `v${r.champion.version}` : '-',
      String(r.latestVersion),
      r.champion?.classifier ?? '-',
      formatMetric(r.champion?.metrics.overall),
      formatMetric(r.champion?.metrics.precision),
      formatMetric(r.champion?.metrics.positive_accuracy),
      formatMetric(r.champion?.metrics.negative_accuracy),
      r.champion ? r.champion.trainedAt.slice(0, 10) : '-',
    ]),
  );
}
