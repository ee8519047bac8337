/**
 * /unsubscribe: this chat stops receiving the daily signal post. Chats configured by id (SIGNAL_POOL_*_CHAT_IDS /
 * CHANNEL_IDS) keep receiving it: that list is the operator's decision, not a subscription.
 */
import type { CommandSpec } from './command.ts';
import type { CommandContext } from './context.ts';
import type { Reply } from './reply.ts';

async function run(_args: string[], ctx: CommandContext): Promise<Reply> {
  const removed = await ctx.services.store.removeSubscription(ctx.platform, ctx.chatId);
  return {
    text: removed
      ? 'Unsubscribed: this chat will no longer receive the daily signal post.'
      : 'This chat was not subscribed to the daily signal post.',
  };
}

export const unsubscribeCommand: CommandSpec = {
  name: 'unsubscribe',
  summary: 'Stop the daily signal post in this chat',
  params: [],
  access: 'admin-in-groups',
  run,
};
