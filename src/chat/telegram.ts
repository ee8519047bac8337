/**
 * The Telegram adapter (grammY, long polling). It only translates: a message "/cmd@bot args" becomes a
 * router.dispatch() call, and the Reply becomes sendMessage (HTML, escaped) / sendPhoto calls. A long command's
 * progress message is sent once and edited in place (editMessageText).
 *
 * Admins are the configured allow-list of user ids (SIGNAL_POOL_TELEGRAM_ADMIN_IDS). Telegram has no per-command
 * permissions, so in groups every member can send /deploy: the router refuses it unless the sender is on the list.
 *
 * Updates are handled without awaiting each other: grammY's built-in polling handles updates one at a time, and a
 * /deploy lasting minutes must not stall everyone else's /predict.
 */
import { Bot, InputFile, type Context } from 'grammy';
import type { SignalPoolServices } from '../app/services.ts';
import { redactText, type Logger } from '../app/logger.ts';
import type { Reply } from '../../commands/reply.ts';
import { createRouter, newCorrelationId, parseCommandLine, type Router } from '../../commands/router.ts';
import type { ChatPlatform } from './platform.ts';
import { createProgressMessage } from './progress.ts';
import { retryAfterTransformer } from './telegram-retry.ts';
import { toTelegramMessages } from './telegram-format.ts';

export interface TelegramBotOptions {
  token: string;
  services: SignalPoolServices;
  /** Telegram user ids allowed to run admin commands. */
  adminIds: readonly string[];
  /** Chats that always receive the daily post. */
  chatIds?: readonly string[];
  /** Bot API root; tests point it at a local fake server. Default https://api.telegram.org. */
  apiRoot?: string;
  router?: Router;
  logger?: Logger;
  /** Minimum time between two edits of a progress message. */
  progressIntervalMs?: number;
  /** Longest 429 retry_after that is waited out; longer ones fail the call. */
  maxRetryAfterSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
  /** getUpdates long-poll timeout in seconds (tests use a short one so stop() is quick). */
  pollTimeoutSeconds?: number;
}

export interface TelegramChat {
  readonly bot: Bot;
  readonly platform: ChatPlatform;
  /** Registers the command menu and starts long polling; resolves once polling runs. `signal` aborts the attempt. */
  start(signal?: AbortSignal): Promise<void>;
  /** Stops polling and waits (up to 10 s) for commands in flight. */
  stop(): Promise<void>;
}

/** Telegram's own first message to a bot is /start; answer it with the help. */
const ALIASES: Record<string, string> = { start: 'help' };
const STOP_GRACE_MS = 10_000;

export function createTelegramBot(options: TelegramBotOptions): TelegramChat {
  const { token, services } = options;
  const logger = (options.logger ?? services.logger).child({ platform: 'telegram' });
  const router = options.router ?? createRouter();
  const adminIds = new Set(options.adminIds.map(String));
  const bot = new Bot(token, options.apiRoot ? { client: { apiRoot: options.apiRoot } } : undefined);
  const inFlight = new Set<Promise<void>>();
  let polling: Promise<void> | null = null;

  /** Error text without the token (network errors quote the request URL, which contains it). */
  const describe = (error: unknown): string => {
    const e = error as { message?: unknown; error?: { message?: unknown } };
    const text = `${String(e?.message ?? error)}${e?.error?.message ? `: ${String(e.error.message)}` : ''}`;
    return redactText(text, [token]);
  };

  bot.api.config.use(retryAfterTransformer({
    maxWaitSeconds: options.maxRetryAfterSeconds,
    sleep: options.sleep,
    onRetry: ({ method, retryAfter }) => logger.warn('telegram flood control; waiting before retrying', { method, retryAfter }),
  }));

  async function sendReply(chatId: string, reply: Reply, replyTo?: number): Promise<void> {
    let first = true;
    for (const message of toTelegramMessages(reply)) {
      const replyParameters = first && replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {};
      first = false;
      if (message.kind === 'text') {
        await bot.api.sendMessage(chatId, message.html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...replyParameters });
      } else {
        await bot.api.sendPhoto(chatId, new InputFile(message.png, message.name), {
          ...(message.captionHtml ? { caption: message.captionHtml, parse_mode: 'HTML' as const } : {}),
          ...replyParameters,
        });
      }
    }
  }

  async function handleMessage(tctx: Context): Promise<void> {
    const message = tctx.message;
    if (!message?.text || !message.from) return;
    if (!message.text.startsWith('/')) return; // ordinary chatter in groups is none of our business
    const parsed = parseCommandLine(message.text);
    if (!parsed) return;
    // "/predict@OtherBot" in a group is meant for another bot.
    if (parsed.target && parsed.target.toLowerCase() !== bot.botInfo.username.toLowerCase()) return;
    const chatId = String(message.chat.id);
    const correlationId = newCorrelationId();
    let progressMessageId: number | undefined;
    const progress = createProgressMessage({
      minIntervalMs: options.progressIntervalMs,
      sleep: options.sleep,
      post: async (text) => {
        const sent = await bot.api.sendMessage(chatId, text, { link_preview_options: { is_disabled: true } });
        progressMessageId = sent.message_id;
      },
      edit: async (text) => {
        if (progressMessageId !== undefined) await bot.api.editMessageText(chatId, progressMessageId, text);
      },
      onError: (error) => logger.warn('progress message update failed', { correlationId, error: describe(error) }),
    });
    const reply = await router.dispatch(
      { name: ALIASES[parsed.name] ?? parsed.name, args: parsed.args, length: message.text.trim().length },
      {
        platform: 'telegram',
        userId: String(message.from.id),
        chatId,
        isAdmin: adminIds.has(String(message.from.id)),
        isGroup: message.chat.type !== 'private',
        correlationId,
        services,
        progress,
      },
    );
    try {
      await sendReply(chatId, reply, message.message_id);
    } catch (error) {
      logger.error('could not deliver a reply', { correlationId, chatId, error: describe(error) });
    }
  }

  bot.on('message:text', (tctx) => {
    const task = handleMessage(tctx)
      .catch((error) => logger.error('telegram update failed', { error: describe(error) }))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  });
  bot.catch((err) => logger.error('telegram middleware error', { error: describe(err.error) }));

  const platform: ChatPlatform = {
    name: 'telegram',
    sendReply: (chatId, reply) => sendReply(chatId, reply),
    configuredChatIds: () => options.chatIds ?? [],
  };

  return {
    bot,
    platform,
    async start(signal?: AbortSignal) {
      // grammY types its signal with the abort-controller shim; the runtime takes the platform's AbortSignal.
      const grammySignal = signal as Parameters<Bot['init']>[0];
      await bot.init(grammySignal);
      await bot.api.setMyCommands(router.commands.map((c) => ({ command: c.name, description: c.summary })), undefined, grammySignal);
      await new Promise<void>((resolve, reject) => {
        polling = bot
          .start({ allowed_updates: ['message'], timeout: options.pollTimeoutSeconds, onStart: () => resolve() })
          .catch((error) => {
            logger.error('telegram polling stopped', { error: describe(error) });
            reject(new Error(`Telegram polling failed: ${describe(error)}`));
          });
      });
      logger.info('telegram bot started', { username: bot.botInfo.username });
    },
    async stop() {
      if (bot.isRunning()) await bot.stop().catch((error) => logger.warn('telegram stop failed', { error: describe(error) }));
      await polling;
      const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
      await Promise.race([Promise.all(inFlight), grace]);
    },
  };
}
