/**
 * /subscribe: this chat (Telegram chat, Discord channel, console) receives the daily signal post. Admin-only in groups
 * and servers, because it makes the bot post to everyone there.
 */
import type { CommandSpec } from './command.ts';
import type { CommandContext } from './context.ts';
import type { Reply } from './reply.ts';

async function run(_args: string[], ctx: CommandContext): Promise<Reply> {
  const added = await ctx.services.store.addSubscription(ctx.platform, ctx.chatId, `${ctx.platform}:${ctx.userId}`);
  return {
    text: added
      ? 'Subscribed: this chat will receive the daily signal post. /unsubscribe stops it.'
      : 'This chat is already subscribed to the daily signal post.',
  };
}

export const subscribeCommand: CommandSpec = {
  name: 'subscribe',
  summary: 'Receive the daily signal post in this chat',
  params: [],
  access: 'admin-in-groups',
  run,
};
