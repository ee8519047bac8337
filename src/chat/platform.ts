/**
 * What the daily signal post needs from a chat platform: a name (the key of subscriptions and job runs), a way to
 * deliver a Reply to a chat id, and the chat ids the operator configured to always receive posts.
 * Telegram, Discord and the console each provide one (createTelegramBot().platform, createDiscordBot().platform,
 * createConsolePlatform()).
 */
import type { Reply } from '../../commands/reply.ts';

export interface ChatPlatform {
  /** 'telegram' | 'discord' | 'console' */
  readonly name: string;
  /** Delivers the reply to one chat. Rejects when the chat cannot be reached (blocked bot, deleted channel...). */
  sendReply(chatId: string, reply: Reply): Promise<void>;
  /** Chats that receive the daily post without subscribing (SIGNAL_POOL_TELEGRAM_CHAT_IDS, ..._DISCORD_CHANNEL_IDS). */
  configuredChatIds(): readonly string[];
}
