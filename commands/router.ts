/**
 * The one entry point adapters call: parses a command line (or takes an already-parsed name and arguments), checks
 * access, validates arguments, applies per-user cooldowns and runs the command.
 *
 * dispatch() never throws. A UserFacingError (or DeploymentBusyError) is shown as its message; anything else is
 * logged with the context's correlation id and the user sees only "Something went wrong (ref <id>)". Every reply is
 * finally scrubbed of configured secrets and stack-trace lines, as a last line of defence.
 */
import { randomBytes } from 'node:crypto';
import { DeploymentBusyError, UserFacingError } from '../src/app/services.ts';
import { redactText } from '../src/app/logger.ts';
import { secretsOf } from '../config/schema.ts';
import { validateArgs } from './args.ts';
import { COMMANDS, findCommand } from './catalog.ts';
import { closestMatches } from './closest.ts';
import type { CommandSpec, CooldownKind } from './command.ts';
import type { CommandContext } from './context.ts';
import { CooldownTracker, type BucketRule } from './cooldown.ts';
import { quoteInput, type Reply } from './reply.ts';

/** `length`: how long the user's text was, when an adapter parsed it first (checked against MAX_LINE). */
export type CommandInput = string | { name: string; args: readonly string[]; length?: number };

export interface ParsedCommand {
  name: string;
  args: string[];
  /** The "@botname" suffix Telegram adds in groups, without the @; undefined when absent. */
  target?: string;
  /** Characters of the line, trimmed (for the MAX_LINE check). */
  length?: number;
}

export interface RouterOptions {
  commands?: readonly CommandSpec[];
  /** Milliseconds since the epoch; injected so tests can move time for cooldowns. */
  now?: () => number;
}

export interface Router {
  readonly commands: readonly CommandSpec[];
  dispatch(input: CommandInput, ctx: CommandContext): Promise<Reply>;
}

/**
 * Longer input is refused as such: no legitimate command line comes close. (It used to be cut before parsing, so a
 * long /deploy line answered "Unknown symbol BT" about a symbol the user never typed; issue 19.)
 */
export const MAX_LINE = 2000;

function tooLong(length: number): Reply {
  return { text: `That command is too long (${length} characters; the limit is ${MAX_LINE}). Nothing was run. Send /help for the commands.`, ephemeral: true };
}

/** A short id to quote in replies and find in the logs. */
export function newCorrelationId(): string {
  return randomBytes(5).toString('hex');
}

/**
 * "/predict@SignalPoolBot btc  uptrend" -> { name: 'predict', args: ['btc', 'uptrend'], target: 'SignalPoolBot' }.
 * The leading slash is optional (the console accepts "predict btc uptrend"). Arguments split on spaces and commas.
 * Returns null when the line does not start with a command word.
 */
export function parseCommandLine(line: string): ParsedCommand | null {
  const m = /^\/?([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:[\s,]+([\s\S]*))?$/.exec(line.trim());
  if (!m) return null;
  const args = (m[3] ?? '').split(/[\s,]+/).filter((a) => a.length > 0);
  const parsed: ParsedCommand = { name: m[1].toLowerCase(), args, target: m[2] };
  if (line.trim().length > MAX_LINE) parsed.length = line.trim().length;
  return parsed;
}

function isUserFacing(error: unknown): error is Error {
  return error instanceof UserFacingError || error instanceof DeploymentBusyError
    || (error instanceof Error && (error.name === 'UserFacingError' || error.name === 'DeploymentBusyError'));
}

function accessDenied(spec: CommandSpec, ctx: CommandContext): string | null {
  if (ctx.isAdmin || spec.access === 'everyone') return null;
  if (spec.access === 'admin') return `/${spec.name} is for admins only.`;
  if (spec.access === 'admin-in-groups' && ctx.isGroup) return `In groups and servers, only admins can use /${spec.name}.`;
  return null;
}

function cooldownRule(kind: CooldownKind, ctx: CommandContext): BucketRule {
  const chat = ctx.services.config.chat;
  return kind === 'predict'
    ? { burst: chat.predictBurst, refillSeconds: chat.predictCooldownSeconds }
    : { burst: 1, refillSeconds: chat.deployCooldownSeconds };
}

/** Removes configured secrets and anything that looks like a stack frame from every piece of text in a reply. */
function scrub(reply: Reply, secrets: readonly string[]): Reply {
  const clean = (s: string) => redactText(s, secrets).split('\n').filter((l) => !/^\s+at\s/.test(l)).join('\n');
  return {
    ...reply,
    text: clean(reply.text),
    table: reply.table && { columns: reply.table.columns.map(clean), rows: reply.table.rows.map((r) => r.map(clean)) },
    images: reply.images?.map((img) => ({ ...img, caption: img.caption === undefined ? undefined : clean(img.caption) })),
  };
}

function safeSecrets(ctx: CommandContext): string[] {
  try {
    return secretsOf(ctx.services.config);
  } catch {
    return [];
  }
}

export function createRouter(options: RouterOptions = {}): Router {
  const commands = options.commands ?? COMMANDS;
  const trackers: Record<CooldownKind, CooldownTracker> = {
    predict: new CooldownTracker(options.now),
    deploy: new CooldownTracker(options.now),
  };

  async function route(input: CommandInput, ctx: CommandContext): Promise<Reply> {
    // Checked before parsing, on the whole input (line, or name and arguments from an adapter).
    const length = typeof input === 'string' ? input.trim().length : input.length ?? input.name.length + 1 + input.args.join(' ').length;
    if (length > MAX_LINE) return tooLong(length);
    const parsed = typeof input === 'string' ? parseCommandLine(input) : { name: input.name.toLowerCase(), args: [...input.args] };
    if (!parsed) return { text: 'Commands start with /, for example /predict BTC uptrend. Send /help for the list.', ephemeral: true };
    const spec = findCommand(parsed.name, commands);
    if (!spec) {
      const near = closestMatches(parsed.name, commands.map((c) => c.name));
      const hint = near.length > 0 ? ` Did you mean /${near[0]}?` : '';
      return { text: `Unknown command /${quoteInput(parsed.name)}.${hint} Send /help for the list.`, ephemeral: true };
    }
    const denied = accessDenied(spec, ctx);
    if (denied) return { text: denied, ephemeral: true };

    const args = validateArgs(spec, parsed.args, ctx.services.knownSymbols());
    if (spec.cooldown) {
      const wait = trackers[spec.cooldown].take(`${ctx.platform}:${ctx.userId}`, cooldownRule(spec.cooldown, ctx));
      if (wait > 0) return { text: `Slow down: /${spec.name} is rate-limited per user. Try again in ${wait} s.`, ephemeral: true };
    }
    ctx.services.logger.info('chat command', { correlationId: ctx.correlationId, platform: ctx.platform, command: spec.name, userId: ctx.userId, chatId: ctx.chatId });
    return spec.run(args, ctx);
  }

  async function dispatch(input: CommandInput, ctx: CommandContext): Promise<Reply> {
    let reply: Reply;
    try {
      reply = await route(input, ctx);
    } catch (error) {
      if (isUserFacing(error)) {
        reply = { text: error.message, ephemeral: true };
      } else {
        try {
          ctx.services.logger.error('chat command failed', { correlationId: ctx.correlationId, platform: ctx.platform, userId: ctx.userId, error });
        } catch { /* a broken logger must not break the reply */ }
        reply = { text: `Something went wrong (ref ${ctx.correlationId}). It has been logged; please try again later.`, ephemeral: true };
      }
    }
    return scrub(reply, safeSecrets(ctx));
  }

  return { commands, dispatch };
}
