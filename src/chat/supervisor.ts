/**
 * Chat platforms for the service, started in the background (issue 19): the HTTP API and the jobs never wait for
 * Telegram or Discord. Each platform with a token gets:
 *
 * - start attempts bounded by `startTimeoutMs` (a Bot API that never answers used to hang start-up forever);
 * - on failure or timeout, a retry with exponential back-off (5 s doubling to 5 min, with jitter), one log line per
 *   failed attempt;
 * - no retry when the platform rejects the token (HTTP 401/403): that needs a person, so the state is `failed`,
 *   with an error line naming the variable to fix;
 * - its state in /health: starting, up, retrying (with the last error and the next attempt), failed.
 *
 * Each attempt builds a fresh bot, so a half-started client from a timed-out attempt is never reused; the platform
 * handed to the daily-post notifier always sends through the newest one (sending needs no polling or gateway).
 */
import type { SignalPoolServices } from '../app/services.ts';
import type { Logger } from '../app/logger.ts';
import type { ChatPlatformHealth } from '../api/health.ts';
import { createRouter, type Router } from '../../commands/router.ts';
import type { Reply } from '../../commands/reply.ts';
import { createChatNotifier, type ChatNotifier } from './daily-post.ts';
import { createDiscordBot } from './discord.ts';
import type { ChatPlatform } from './platform.ts';
import { createTelegramBot } from './telegram.ts';

export interface SupervisedChatOptions {
  services: SignalPoolServices;
  logger?: Logger;
  router?: Router;
  /** Bound of one start attempt. Default config.chat.startTimeoutMs. */
  startTimeoutMs?: number;
  /** First retry delay and its ceiling. Default 5 s and 5 min. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Test seams (otherwise from config.chat). */
  telegramApiRoot?: string;
  discordRestApi?: string;
  telegramPollTimeoutSeconds?: number;
}

export interface SupervisedChat {
  /** One per platform with a token, usable for sending at once. */
  readonly platforms: ChatPlatform[];
  readonly notifier: ChatNotifier | null;
  status(): ChatPlatformHealth[];
  /** Resolves once every platform is up or failed for good (tests; the service never waits for it). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

interface Attempt {
  platform: ChatPlatform;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

interface PlatformSpec {
  name: 'telegram' | 'discord';
  label: string;
  variables: string;
  configuredChatIds: readonly string[];
  build(): Attempt;
}

/** A rejected token is not a network problem: retrying will not fix it. */
function isPermanent(message: string): boolean {
  return /\b(401|403)\b|unauthori[sz]ed|invalid token|TokenInvalid|An invalid token was provided/i.test(message);
}

export function superviseChatPlatforms(options: SupervisedChatOptions): SupervisedChat {
  const { services } = options;
  const chat = services.config.chat;
  const logger = (options.logger ?? services.logger).child({ component: 'chat' });
  const router = options.router ?? createRouter();
  const startTimeoutMs = options.startTimeoutMs ?? chat.startTimeoutMs ?? 15_000;
  const retryBaseMs = options.retryBaseMs ?? 5_000;
  const retryMaxMs = options.retryMaxMs ?? 5 * 60_000;
  const telegramApiRoot = options.telegramApiRoot ?? chat.telegramApiRoot;
  const discordRestApi = options.discordRestApi ?? chat.discordRestApi;

  const specs: PlatformSpec[] = [];
  if (chat.telegramToken) {
    const token = chat.telegramToken;
    specs.push({
      name: 'telegram', label: 'Telegram', variables: 'SIGNAL_POOL_TELEGRAM_TOKEN', configuredChatIds: chat.telegramChatIds,
      build: () => {
        const bot = createTelegramBot({
          token, services, adminIds: chat.telegramAdminIds, chatIds: chat.telegramChatIds, apiRoot: telegramApiRoot, router, logger,
          pollTimeoutSeconds: options.telegramPollTimeoutSeconds,
        });
        return { platform: bot.platform, start: (signal) => bot.start(signal), stop: () => bot.stop() };
      },
    });
  } else {
    logger.info('Telegram is off: SIGNAL_POOL_TELEGRAM_TOKEN is not set');
  }
  if (chat.discordToken) {
    const token = chat.discordToken;
    specs.push({
      name: 'discord', label: 'Discord', variables: 'SIGNAL_POOL_DISCORD_TOKEN and SIGNAL_POOL_DISCORD_APPLICATION_ID',
      configuredChatIds: chat.discordChannelIds,
      build: () => {
        const bot = createDiscordBot({
          token, services, applicationId: chat.discordApplicationId, guildId: chat.discordGuildId, channelIds: chat.discordChannelIds,
          restApi: discordRestApi, router, logger,
        });
        return { platform: bot.platform, start: () => bot.start(), stop: () => bot.stop() };
      },
    });
  } else {
    logger.info('Discord is off: SIGNAL_POOL_DISCORD_TOKEN is not set');
  }

  let stopped = false;
  const wake = new Set<() => void>();
  const loops: Promise<void>[] = [];
  const states: ChatPlatformHealth[] = [];
  const platforms: ChatPlatform[] = [];
  /** Each platform's newest attempt (index as in specs). */
  const currents: Attempt[] = [];

  for (const [index, spec] of specs.entries()) {
    const state: ChatPlatformHealth = { platform: spec.name, state: 'starting', attempts: 0, last_error: null, since: new Date().toISOString(), next_attempt_at: null };
    states.push(state);
    currents[index] = spec.build();
    platforms.push({
      name: spec.name,
      configuredChatIds: () => spec.configuredChatIds,
      sendReply: (chatId: string, reply: Reply) => currents[index]!.platform.sendReply(chatId, reply),
    });
    const set = (next: ChatPlatformHealth['state'], error: string | null, nextAttempt: Date | null) => {
      if (state.state !== next) state.since = new Date().toISOString();
      state.state = next;
      state.last_error = error;
      state.next_attempt_at = nextAttempt?.toISOString() ?? null;
    };

    loops.push((async () => {
      for (let failures = 0; !stopped; ) {
        state.attempts++;
        const abort = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            currents[index]!.start(abort.signal),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${startTimeoutMs} ms`)), startTimeoutMs);
            }),
          ]);
          clearTimeout(timer);
          if (stopped) return;
          set('up', null, null);
          if (failures > 0) logger.info(`${spec.label} is up after ${state.attempts} attempts`);
          return;
        } catch (err) {
          clearTimeout(timer);
          abort.abort();
          const message = (err as Error).message;
          // Tear the attempt down; the next one gets a fresh client.
          await currents[index]!.stop().catch(() => undefined);
          if (stopped) return;
          currents[index] = spec.build();
          if (isPermanent(message)) {
            set('failed', message, null);
            logger.error(`${spec.label} did not start (${message}). Check ${spec.variables}; the service runs on without ${spec.label}.`);
            return;
          }
          failures++;
          const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** (failures - 1)) * (0.8 + 0.4 * Math.random());
          set('retrying', message, new Date(Date.now() + delay));
          logger.warn(`${spec.label} did not start (${message}); retrying in ${Math.round(delay / 1000)} s in the background`, { attempt: state.attempts });
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => { wake.delete(resolve); resolve(); }, delay);
            t.unref();
            wake.add(() => { clearTimeout(t); resolve(); });
          });
        }
      }
    })());
  }

  return {
    platforms,
    notifier: platforms.length > 0 ? createChatNotifier({ platforms, store: services.store, services, logger }) : null,
    status: () => states.map((s) => ({ ...s })),
    settled: async () => { await Promise.all(loops); },
    async stop() {
      stopped = true;
      for (const w of [...wake]) w();
      // Stopping the newest attempts also ends a start still under way, so the loops finish promptly.
      await Promise.all(currents.map((a) => a.stop().catch((error: unknown) => logger.warn('chat platform did not stop cleanly', { error: String(error) }))));
      await Promise.all(loops);
    },
  };
}
