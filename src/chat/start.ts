/**
 * Turns the configuration into running chat platforms. A platform whose token is not set is simply off. With
 * `listen: false` the platforms are only built for sending (the daily post from a one-shot job): no Telegram long
 * polling, no Discord gateway connection, just their HTTP APIs.
 *
 * Token formats are validated by the config schema; a token the platform rejects fails start-up with a message that
 * names the variable to fix, never the token.
 */
import type { SignalPoolServices } from '../app/services.ts';
import type { Logger } from '../app/logger.ts';
import { createRouter, type Router } from '../../commands/router.ts';
import { createChatNotifier, type ChatNotifier } from './daily-post.ts';
import { createDiscordBot } from './discord.ts';
import type { ChatPlatform } from './platform.ts';
import { createTelegramBot } from './telegram.ts';

export interface StartChatOptions {
  services: SignalPoolServices;
  logger?: Logger;
  /** Receive commands (default true). False: send-only, for daily posts. */
  listen?: boolean;
  router?: Router;
  /** Test seams: where the platforms' APIs live. */
  telegramApiRoot?: string;
  discordRestApi?: string;
}

export interface RunningChat {
  platforms: ChatPlatform[];
  /**
   * Posts the daily signals to every platform's configured and subscribed chats; null when no platform is on (the
   * caller then falls back to logging the signals).
   */
  notifier: ChatNotifier | null;
  stop(): Promise<void>;
}

export async function startChatPlatforms(options: StartChatOptions): Promise<RunningChat> {
  const { services } = options;
  const chat = services.config.chat;
  const logger = (options.logger ?? services.logger).child({ component: 'chat' });
  const listen = options.listen ?? true;
  const router = options.router ?? createRouter();
  const platforms: ChatPlatform[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => logger.warn('chat platform did not stop cleanly', { error: String(error) }));
  };

  try {
    if (chat.telegramToken) {
      const telegram = createTelegramBot({
        token: chat.telegramToken,
        services,
        adminIds: chat.telegramAdminIds,
        chatIds: chat.telegramChatIds,
        apiRoot: options.telegramApiRoot,
        router,
        logger,
      });
      if (listen) {
        await telegram.start().catch((error: Error) => {
          throw new Error(`Telegram did not start (${error.message}). Check SIGNAL_POOL_TELEGRAM_TOKEN.`);
        });
        stops.push(() => telegram.stop());
      }
      platforms.push(telegram.platform);
    } else {
      logger.info('Telegram is off: SIGNAL_POOL_TELEGRAM_TOKEN is not set');
    }

    if (chat.discordToken) {
      const discord = createDiscordBot({
        token: chat.discordToken,
        services,
        applicationId: chat.discordApplicationId,
        guildId: chat.discordGuildId,
        channelIds: chat.discordChannelIds,
        restApi: options.discordRestApi,
        router,
        logger,
      });
      stops.push(() => discord.stop());
      if (listen) {
        await discord.start().catch((error: Error) => {
          throw new Error(`Discord did not start (${error.message}). Check SIGNAL_POOL_DISCORD_TOKEN and SIGNAL_POOL_DISCORD_APPLICATION_ID.`);
        });
      }
      platforms.push(discord.platform);
    } else {
      logger.info('Discord is off: SIGNAL_POOL_DISCORD_TOKEN is not set');
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    platforms,
    notifier: platforms.length > 0 ? createChatNotifier({ platforms, store: services.store, services, logger }) : null,
    stop: stopAll,
  };
}
