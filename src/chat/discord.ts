/**
 * The Discord adapter (discord.js 14). It registers the commands as slash commands with typed options, turns each
 * interaction into a router.dispatch() call, and the Reply into interaction responses (text, code-block tables,
 * images as attachments inside embeds).
 *
 * - Acknowledgement: Discord wants an answer within 3 s. A reply ready within `deferAfterMs` is sent directly (so
 *   refusals can be ephemeral); otherwise the interaction is deferred and the result arrives by editReply, or by
 *   followUp when a progress message already occupies the original reply.
 * - Admins: Discord's Administrator permission in the server. /deploy, /subscribe and /unsubscribe are registered with
 *   default_member_permissions = Administrator (hidden from others), and the router checks again at run time because
 *   server owners can override command permissions.
 * - 429: @discordjs/rest queues requests per rate-limit bucket and, on a 429, waits Retry-After and repeats. We only
 *   add a ceiling (`maxRetryAfterSeconds`) above which the call fails instead of hanging.
 * - Interaction tokens expire after 15 minutes; a /deploy that runs longer posts its summary to the channel.
 */
import {
  ApplicationCommandOptionType,
  Client,
  Events,
  GatewayIntentBits,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type APIApplicationCommandOption,
} from 'discord.js';
import type { SignalPoolServices } from '../app/services.ts';
import { redactText, type Logger } from '../app/logger.ts';
import type { CommandSpec, ParamSpec } from '../../commands/command.ts';
import type { Reply } from '../../commands/reply.ts';
import { createRouter, newCorrelationId, type Router } from '../../commands/router.ts';
import type { ChatPlatform } from './platform.ts';
import { createProgressMessage } from './progress.ts';
import { toDiscordMessages, type DiscordMessage } from './discord-format.ts';

export interface DiscordBotOptions {
  token: string;
  services: SignalPoolServices;
  /** Defaults to the application id the gateway reports in READY. */
  applicationId?: string;
  /** When set, commands are registered to this guild (instant); otherwise globally. */
  guildId?: string;
  /** Channels that always receive the daily post. */
  channelIds?: readonly string[];
  /** REST base, e.g. http://127.0.0.1:PORT/api in tests. The gateway URL comes from GET /gateway/bot. */
  restApi?: string;
  router?: Router;
  logger?: Logger;
  deferAfterMs?: number;
  progressIntervalMs?: number;
  maxRetryAfterSeconds?: number;
}

export interface DiscordChat {
  readonly client: Client;
  readonly platform: ChatPlatform;
  /** Logs in, waits for READY, registers the slash commands. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** PUTs the command definitions (guild or global); returns the route used. */
  registerCommands(applicationId: string): Promise<string>;
}

const ADMIN_PERMISSION = PermissionFlagsBits.Administrator.toString();
/** Interaction tokens live 15 minutes; stop using one a minute before. */
const INTERACTION_TOKEN_TTL_MS = 14 * 60_000;
const MAX_AUTOCOMPLETE_CHOICES = 25;

function optionFor(param: ParamSpec): APIApplicationCommandOption {
  const base = { name: param.name, description: param.description.slice(0, 100), required: param.required };
  switch (param.kind) {
    case 'trend':
      return { ...base, type: ApplicationCommandOptionType.String, choices: [{ name: 'uptrend', value: 'uptrend' }, { name: 'downtrend', value: 'downtrend' }] };
    case 'symbol':
      return { ...base, type: ApplicationCommandOptionType.String, autocomplete: true, max_length: param.variadic ? 300 : 10 };
    case 'page':
      return { ...base, type: ApplicationCommandOptionType.Integer, min_value: 1 };
  }
}

/** The slash-command registration payload, generated from the command declarations. */
export function discordCommandDefinitions(commands: readonly CommandSpec[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return commands.map((spec) => ({
    name: spec.name,
    description: spec.summary.slice(0, 100),
    options: spec.params.map(optionFor),
    // Administrator-only commands are hidden from everyone else in servers; an admin-only command makes no sense in
    // a DM, where nobody holds server permissions.
    default_member_permissions: spec.access === 'everyone' ? null : ADMIN_PERMISSION,
    contexts: spec.access === 'admin' ? [InteractionContextType.Guild] : [InteractionContextType.Guild, InteractionContextType.BotDM],
  }));
}

/** Autocomplete choices: symbols starting with what was typed first, then those containing it. */
export function symbolChoices(typed: string, known: readonly string[], variadic: boolean): { name: string; value: string }[] {
  const tokens = typed.toUpperCase().split(/[\s,]+/);
  const last = variadic ? tokens.pop() ?? '' : typed.toUpperCase().trim();
  const prefix = variadic ? tokens.filter(Boolean).join(' ') : '';
  const starts = known.filter((s) => s.startsWith(last));
  const contains = known.filter((s) => !s.startsWith(last) && s.includes(last));
  return [...starts, ...contains].slice(0, MAX_AUTOCOMPLETE_CHOICES).map((s) => {
    const value = prefix ? `${prefix} ${s}` : s;
    return { name: value.slice(0, 100), value: value.slice(0, 100) };
  });
}

export function createDiscordBot(options: DiscordBotOptions): DiscordChat {
  const { token, services } = options;
  const logger = (options.logger ?? services.logger).child({ platform: 'discord' });
  const router = options.router ?? createRouter();
  const deferAfterMs = options.deferAfterMs ?? 1000;
  const maxRetryAfterMs = (options.maxRetryAfterSeconds ?? 60) * 1000;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: {
      ...(options.restApi ? { api: options.restApi } : {}),
      // Wait out a 429 (the default behaviour) unless Discord asks for longer than the ceiling: then fail the call.
      rejectOnRateLimit: (info) => info.retryAfter > maxRetryAfterMs,
    },
  });
  // Set now rather than at login, so REST calls (daily posts, registration) work without a gateway connection.
  client.rest.setToken(token);
  const inFlight = new Set<Promise<void>>();
  const describe = (error: unknown): string => redactText(error instanceof Error ? error.message : String(error), [token]);

  const toInteractionPayload = (m: DiscordMessage) => ({
    content: m.content || undefined,
    embeds: m.embeds,
    files: m.files.map((f) => ({ attachment: f.data, name: f.name })),
    allowedMentions: { parse: [] },
  });

  async function sendToChannel(channelId: string, reply: Reply): Promise<void> {
    for (const m of toDiscordMessages(reply)) {
      await client.rest.post(Routes.channelMessages(channelId), {
        body: {
          content: m.content || undefined,
          embeds: m.embeds,
          allowed_mentions: { parse: [] },
          attachments: m.files.map((f, id) => ({ id, filename: f.name })),
        },
        files: m.files.map((f) => ({ name: f.name, data: f.data, contentType: 'image/png' })),
      });
    }
  }

  async function handleAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const spec = router.commands.find((c) => c.name === interaction.commandName);
    const param = spec?.params.find((p) => p.name === focused.name);
    const choices = param?.kind === 'symbol' ? symbolChoices(String(focused.value), services.knownSymbols(), param.variadic === true) : [];
    await interaction.respond(choices);
  }

  async function handleCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const startedAt = Date.now();
    const correlationId = newCorrelationId();
    const spec = router.commands.find((c) => c.name === interaction.commandName);
    const args = (spec?.params ?? []).flatMap((p) => {
      const value = interaction.options.get(p.name)?.value;
      if (value === undefined || value === null) return [];
      return p.variadic ? String(value).split(/[\s,]+/).filter(Boolean) : [String(value)];
    });

    let deferred: Promise<unknown> | null = null;
    const defer = () => (deferred ??= interaction.deferReply());
    let progressShown = false;
    const showProgress = async (text: string) => {
      if (Date.now() - startedAt > INTERACTION_TOKEN_TTL_MS) return;
      await defer();
      await interaction.editReply({ content: text.slice(0, 2000), allowedMentions: { parse: [] } });
      progressShown = true;
    };
    const progress = createProgressMessage({
      minIntervalMs: options.progressIntervalMs,
      post: showProgress,
      edit: showProgress,
      onError: (error) => logger.warn('progress message update failed', { correlationId, error: describe(error) }),
    });
    if (deferAfterMs <= 0) void defer();
    const timer = setTimeout(() => { defer().catch((error) => logger.warn('deferReply failed', { correlationId, error: describe(error) })); }, Math.max(0, deferAfterMs));

    const reply = await router.dispatch({ name: interaction.commandName, args }, {
      platform: 'discord',
      userId: interaction.user.id,
      chatId: interaction.channelId,
      isAdmin: interaction.inGuild() && interaction.memberPermissions?.has(PermissionFlagsBits.Administrator) === true,
      isGroup: interaction.inGuild() || interaction.context === InteractionContextType.PrivateChannel,
      correlationId,
      services,
      progress,
    }).finally(() => clearTimeout(timer));

    const [first, ...rest] = toDiscordMessages(reply);
    try {
      if (Date.now() - startedAt > INTERACTION_TOKEN_TTL_MS) {
        await sendToChannel(interaction.channelId, reply);
        return;
      }
      if (!deferred) {
        await interaction.reply({ ...toInteractionPayload(first), ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral as const } : {}) });
      } else {
        await deferred;
        if (progressShown) await interaction.followUp(toInteractionPayload(first));
        else await interaction.editReply(toInteractionPayload(first));
      }
      for (const m of rest) await interaction.followUp(toInteractionPayload(m));
    } catch (error) {
      logger.error('could not deliver a reply', { correlationId, channelId: interaction.channelId, error: describe(error) });
    }
  }

  function onInteraction(interaction: Interaction): void {
    let task: Promise<void>;
    if (interaction.isAutocomplete()) task = handleAutocomplete(interaction);
    else if (interaction.isChatInputCommand()) task = handleCommand(interaction);
    else return;
    const tracked = task
      .catch((error) => logger.error('discord interaction failed', { error: describe(error) }))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }

  client.on(Events.InteractionCreate, onInteraction);
  client.on(Events.Error, (error) => logger.error('discord client error', { error: describe(error) }));

  async function registerCommands(applicationId: string): Promise<string> {
    const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
    await client.rest.put(route, { body: discordCommandDefinitions(router.commands) });
    logger.info('discord commands registered', { scope: options.guildId ? 'guild' : 'global', count: router.commands.length });
    return route;
  }

  return {
    client,
    platform: { name: 'discord', sendReply: sendToChannel, configuredChatIds: () => options.channelIds ?? [] },
    registerCommands,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(token).catch((error) => { throw new Error(`Discord login failed: ${describe(error)}`); });
      await ready;
      const applicationId = options.applicationId ?? client.application?.id;
      if (!applicationId) throw new Error('Discord application id unknown: set SIGNAL_POOL_DISCORD_APPLICATION_ID');
      await registerCommands(applicationId);
      logger.info('discord bot started', { user: client.user?.tag });
    },
    async stop() {
      await client.destroy();
      await Promise.race([Promise.all(inFlight), new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
    },
  };
}
