/**
 * /help: every command with its usage, generated from the command declarations so it cannot drift from them.
 * The catalog is passed in (rather than imported) because the catalog itself contains /help.
 */
import { usageOf, type CommandSpec } from './command.ts';
import type { CommandContext } from './context.ts';
import type { Reply } from './reply.ts';

const ACCESS_NOTE = { everyone: '', admin: ' (admins only)', 'admin-in-groups': ' (admins only in groups)' } as const;

export function helpText(commands: readonly CommandSpec[], ctx: Pick<CommandContext, 'services'>): string {
  const lines = commands.map((c) => `${usageOf(c)}\n    ${c.summary}${ACCESS_NOTE[c.access]}`);
  const symbols = ctx.services.knownSymbols();
  return [
    'Signal Pool: ML signals for whether a coin\'s 10-day moving average rises (uptrend) or falls (downtrend) by the target over the next days.',
    '',
    ...lines,
    '',
    `Symbols: ${symbols.length > 0 ? symbols.join(', ') : 'none configured'}. Symbols are case-insensitive.`,
    'Signals are statistical estimates, not financial advice.',
  ].join('\n');
}

export function makeHelpCommand(catalog: () => readonly CommandSpec[]): CommandSpec {
  return {
    name: 'help',
    summary: 'List the commands and how to use them',
    params: [],
    access: 'everyone',
    run: async (_args, ctx) => ({ text: helpText(catalog(), ctx) }),
  };
}
