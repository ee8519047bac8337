/** Chat subscriptions on MongoDB (collection `subscriptions`, one document per platform and chat). */
import type { Filter } from 'mongodb';
import type { SubscriptionStore } from '../ports.ts';
import { assertNonEmpty } from '../validate.ts';
import { isDuplicateKeyError, type Collections, type SubscriptionDoc } from './collections.ts';

const keyOf = (platform: string, chatId: string) => JSON.stringify([platform, chatId]);

export function mongoSubscriptions(c: Collections): SubscriptionStore {
  return {
    async addSubscription(platform: string, chatId: string, createdBy?: string): Promise<boolean> {
      assertNonEmpty(platform, 'subscription platform');
      assertNonEmpty(chatId, 'subscription chatId');
      try {
        const result = await c.subscriptions.updateOne(
          { _id: keyOf(platform, chatId) },
          { $setOnInsert: { platform, chatId, createdAt: new Date(), createdBy: createdBy ?? null } },
          { upsert: true },
        );
        return result.upsertedCount === 1;
      } catch (err) {
        if (isDuplicateKeyError(err)) return false; // a concurrent add won
        throw err;
      }
    },

    async removeSubscription(platform: string, chatId: string): Promise<boolean> {
      const { deletedCount } = await c.subscriptions.deleteOne({ _id: keyOf(platform, chatId) });
      return deletedCount === 1;
    },

    async listSubscriptions(platform?: string) {
      const query: Filter<SubscriptionDoc> = platform === undefined ? {} : { platform };
      const docs = await c.subscriptions.find(query).sort({ platform: 1, chatId: 1 }).toArray();
      return docs.map((d) => ({ platform: d.platform, chatId: d.chatId, createdAt: d.createdAt, createdBy: d.createdBy }));
    },
  };
}
