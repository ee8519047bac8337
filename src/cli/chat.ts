/** `signal-pool chat`: the console chat platform — every bot command from stdin, images written to files. */
import { resolve } from 'node:path';
import { runConsoleChat } from '../chat/console.ts';
import type { CliContext } from './context.ts';

export async function chatCommand(ctx: CliContext, opts: { images: string }): Promise<number> {
  const services = await ctx.services();
  await runConsoleChat({ services, input: process.stdin, output: process.stdout, imageDir: resolve(opts.images), isAdmin: true });
  return 0;
}
