/**
 * /models [uptrend|downtrend] [page]: the champion of every pool as a table, PAGE_SIZE rows per page so that one page
 * always fits in a single chat message (Discord caps messages at 2000 characters).
 */
import type { Trend } from '../src/data/candle.ts';
import { UserFacingError, type DeployedModel } from '../src/app/services.ts';
import type { CommandSpec } from './command.ts';
import type { CommandContext } from './context.ts';
import { formatDay, formatScore, type Reply } from './reply.ts';

export const MODELS_PAGE_SIZE = 10;

function byTrendThenSymbol(a: DeployedModel, b: DeployedModel): number {
  return a.trend.localeCompare(b.trend) || a.symbol.localeCompare(b.symbol);
}

async function run(args: string[], ctx: CommandContext): Promise<Reply> {
  const trend = (args[0] || undefined) as Trend | undefined;
  const page = args[1] ? Number(args[1]) : 1;
  const champions = [...(await ctx.services.listChampions(trend))].sort(byTrendThenSymbol);
  const scope = trend ?? 'both trends';
  if (champions.length === 0) {
    return { text: `No champion models yet for ${scope}. An admin can train them with /deploy ${trend ?? 'uptrend'}.` };
  }
  const pages = Math.ceil(champions.length / MODELS_PAGE_SIZE);
  if (page > pages) {
    throw new UserFacingError(`Page ${page} does not exist: there ${pages === 1 ? 'is 1 page' : `are ${pages} pages`} of models for ${scope}.`);
  }
  const shown = champions.slice((page - 1) * MODELS_PAGE_SIZE, page * MODELS_PAGE_SIZE);
  const next = page < pages ? ` Next: /models ${trend ? `${trend} ` : ''}${page + 1}` : '';
  return {
    text: `Champion models for ${scope} (${champions.length}), page ${page} of ${pages}. Scores are out-of-sample (TEST window, a model trained before it); the served model is then refit on all rows.${next}`,
    table: {
      columns: ['Symbol', 'Trend', 'Classifier', 'Overall', 'Precision', 'Version', 'Trained'],
      rows: shown.map((m) => [
        m.symbol,
        m.trend,
        m.classifier,
        formatScore(m.metrics.overall),
        formatScore(m.metrics.precision),
        `v${m.version}`,
        formatDay(m.trainedAt),
      ]),
    },
  };
}

export const modelsCommand: CommandSpec = {
  name: 'models',
  summary: 'Champion model of every coin, with scores and versions',
  params: [
    { name: 'trend', kind: 'trend', required: false, description: 'Only this trend' },
    { name: 'page', kind: 'page', required: false, description: 'Page number, from 1' },
  ],
  access: 'everyone',
  run,
};
