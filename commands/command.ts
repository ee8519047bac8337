/**
 * The shape of one chat command. Parameters are declared rather than parsed by hand so that the router validates
 * them the same way for every command, the help text is generated, and the Discord adapter can register typed
 * options (trend as choices, symbol with autocomplete) from the same declaration.
 */
import type { CommandContext } from './context.ts';
import type { Reply } from './reply.ts';

/**
 * symbol: one of services.knownSymbols(), case-insensitive, normalised to upper case.
 * trend:  uptrend | downtrend, case-insensitive, normalised to lower case.
 * page:   a positive integer.
 */
export type ParamKind = 'symbol' | 'trend' | 'page';

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  required: boolean;
  /** Takes all remaining arguments (only the last parameter). */
  variadic?: boolean;
  description: string;
}

/**
 * everyone:        anyone anywhere.
 * admin:           admins only, everywhere.
 * admin-in-groups: anyone in a private chat, admins only in groups and servers.
 */
export type Access = 'everyone' | 'admin' | 'admin-in-groups';

/** The per-user limit the router applies before running the command (see commands/cooldown.ts). */
export type CooldownKind = 'predict' | 'deploy';

/**
 * Receives the arguments already validated and normalised by the router, one per declared parameter (an optional
 * one that was not given is ''), a variadic last parameter's values spread at the end. See commands/args.ts.
 */
export type CommandHandler = (args: string[], ctx: CommandContext) => Promise<Reply>;

export interface CommandSpec {
  name: string;
  /** One line, shown in /help and in the platforms' command menus (3..100 characters). */
  summary: string;
  params: ParamSpec[];
  access: Access;
  cooldown?: CooldownKind;
  /** Runs for minutes; adapters must not block other users while it runs. */
  longRunning?: boolean;
  run: CommandHandler;
}

/** "/predict <symbol> <uptrend|downtrend>" */
export function usageOf(spec: CommandSpec): string {
  const parts = spec.params.map((p) => {
    const label = p.kind === 'trend' ? 'uptrend|downtrend' : p.kind === 'symbol' ? 'SYMBOL' : p.name;
    const shown = p.variadic ? `${label} ...` : label;
    return p.required ? `<${shown}>` : `[${shown}]`;
  });
  return [`/${spec.name}`, ...parts].join(' ');
}
