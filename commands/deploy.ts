/**
 * /deploy <uptrend|downtrend> [SYMBOL ...] (admins only): trains and registers new model versions. It runs for
 * minutes, so the command posts a progress message that is edited as each pool completes (through ctx.progress) and
 * resolves with the final summary. Only one deployment runs at a time (services.deploy enforces it process-wide).
 */
import type { Trend } from '../src/data/candle.ts';
import { DeploymentBusyError, type DeployProgress, type DeploySummary, type SymbolDeploySummary } from '../src/app/services.ts';
import type { CommandSpec } from './command.ts';
import type { CommandContext } from './context.ts';
import { formatScore, quoteInput, type Reply } from './reply.ts';

/** Progress lines kept in the message; older ones are summarised so the message stays under platform limits. */
const PROGRESS_LINES = 12;

export function describePool(s: SymbolDeploySummary): string {
  if (!s.ok) return `failed: ${quoteInput(s.error ?? 'unknown error', 80)}`;
  if (!s.registered) return `not registered${s.gateReason ? `: ${quoteInput(s.gateReason, 80)}` : ''}`;
  if (s.becameChampion) return `v${s.version}, new champion`;
  return `v${s.version}, champion kept${s.championReason ? `: ${quoteInput(s.championReason, 80)}` : ''}`;
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Turns the deployment's progress events into the text of the progress message. */
export class DeployProgressText {
  private total = 0;
  private fits = '';
  private readonly done: string[] = [];

  constructor(private readonly trend: Trend, private readonly requested: string[]) {}

  apply(event: DeployProgress): void {
    if (event.type === 'start') this.total = event.symbols.length;
    if (event.type === 'classifier') this.fits = ` (model fits ${event.done}/${event.total})`;
    if (event.type === 'symbol') this.done.push(`${event.summary.symbol}: ${describePool(event.summary)}`);
  }

  text(): string {
    const total = this.total || this.requested.length;
    const header = `Deploying ${this.trend} models: ${this.done.length} of ${total || '?'} pools done${this.fits}`;
    const hidden = this.done.length - PROGRESS_LINES;
    const lines = hidden > 0 ? [`... ${hidden} earlier`, ...this.done.slice(hidden)] : this.done;
    return [header, ...lines].join('\n');
  }
}

export function summaryReply(summary: DeploySummary): Reply {
  const pools = summary.symbols;
  const registered = pools.filter((s) => s.registered).length;
  const champions = pools.filter((s) => s.becameChampion).length;
  const failed = pools.filter((s) => !s.ok).length;
  return {
    text:
      `Deployment of ${summary.trend} models finished in ${formatDuration(summary.seconds)} (${summary.protocol} protocol): ` +
      `${registered} of ${pools.length} registered, ${champions} new champion${champions === 1 ? '' : 's'}` +
      `${failed > 0 ? `, ${failed} failed` : ''}.`,
    table: {
      columns: ['Symbol', 'Selected', 'Overall', 'Result'],
      rows: pools.map((s) => [s.symbol, s.selected ?? '-', formatScore(s.testMetrics?.overall), describePool(s)]),
    },
  };
}

async function run(args: string[], ctx: CommandContext): Promise<Reply> {
  const [trendArg, ...symbols] = args;
  const trend = trendArg as Trend;
  // Checked before posting a progress message, so a refused request leaves nothing behind.
  if (ctx.services.isDeploying()) throw new DeploymentBusyError();
  const progress = new DeployProgressText(trend, symbols);
  const report = (): void => {
    ctx.progress?.(progress.text()).catch(() => { /* the adapter logs its own delivery failures */ });
  };
  report();
  const summary = await ctx.services.deploy({
    trend,
    symbols: symbols.length > 0 ? symbols : undefined,
    actor: `${ctx.platform}:${ctx.userId}`,
    onProgress: (event) => {
      progress.apply(event);
      report();
    },
  });
  // Leave the progress message showing the finished state before the summary arrives.
  await ctx.progress?.(progress.text()).catch(() => {});
  return summaryReply(summary);
}

export const deployCommand: CommandSpec = {
  name: 'deploy',
  summary: 'Train and register new models for a trend',
  params: [
    { name: 'trend', kind: 'trend', required: true, description: 'uptrend or downtrend' },
    { name: 'symbols', kind: 'symbol', required: false, variadic: true, description: 'Coins to deploy (default: all)' },
  ],
  access: 'admin',
  cooldown: 'deploy',
  longRunning: true,
  run,
};
