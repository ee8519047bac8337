/**
 * Charts decorate replies; they never decide whether a command succeeds. A chart that cannot be drawn (no data yet,
 * renderer failure) is logged and left out, and the text reply still goes out.
 */
import type { ChartImage } from '../src/app/services.ts';
import type { CommandContext } from './context.ts';
import type { ReplyImage } from './reply.ts';

export function toReplyImage(chart: ChartImage): ReplyImage {
  const name = /\.png$/i.test(chart.name) ? chart.name : `${chart.name}.png`;
  return { name: name.replace(/[^A-Za-z0-9._-]/g, '_'), png: chart.png, caption: chart.title };
}

export async function optionalChart(ctx: CommandContext, label: string, draw: () => Promise<ChartImage | null>): Promise<ReplyImage | null> {
  try {
    const chart = await draw();
    return chart ? toReplyImage(chart) : null;
  } catch (error) {
    ctx.services.logger.warn(`chart "${label}" could not be drawn; replying without it`, { correlationId: ctx.correlationId, error });
    return null;
  }
}
