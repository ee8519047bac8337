/**
 * Everything a command may know about who asked and where. Adapters fill it in; commands never see a bot library.
 */
import type { SignalPoolServices } from '../src/app/services.ts';

export interface CommandContext {
  /** 'telegram' | 'discord' | 'console' (also the key of subscriptions and daily-post job runs). */
  platform: string;
  userId: string;
  /** Where the reply goes and what /subscribe subscribes: a Telegram chat id, a Discord channel id, 'console'. */
  chatId: string;
  /** Decided by the adapter: Telegram allow-list, Discord Administrator permission, always true on the console. */
  isAdmin: boolean;
  /** A group, supergroup or server channel (not a private chat). Some commands are admin-only there. */
  isGroup: boolean;
  /** Quoted in error replies and logged with the error, so a user's report can be matched to the log line. */
  correlationId: string;
  services: SignalPoolServices;
  /**
   * Shows or updates one progress message (the first call posts it, later calls edit it in place). Optional: a
   * command must work without it. Adapters throttle and swallow their own delivery errors.
   */
  progress?: (text: string) => Promise<void>;
}
