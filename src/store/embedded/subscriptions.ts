/** Chat subscriptions on the embedded store (journal `subscriptions.jsonl`), unique per (platform, chatId). */
import type { Subscription, SubscriptionStore } from '../ports.ts';
import { assertNonEmpty } from '../validate.ts';
import type { JournaledState } from './journaled-state.ts';

const SUBSCRIPTIONS = 'subscriptions';

interface StoredSubscription {
  platform: string;
  chatId: string;
  createdAt: string;
  createdBy: string | null;
}

// JSON of the pair cannot collide, whatever characters the platform or chat id contain.
const keyOf = (platform: string, chatId: string) => JSON.stringify([platform, chatId]);

const toSubscription = (s: StoredSubscription): Subscription => ({
  platform: s.platform,
  chatId: s.chatId,
  createdAt: new Date(s.createdAt),
  createdBy: s.createdBy,
});

export function embeddedSubscriptions(db: JournaledState): SubscriptionStore {
  return {
    async addSubscription(platform: string, chatId: string, createdBy?: string): Promise<boolean> {
      assertNonEmpty(platform, 'subscription platform');
      assertNonEmpty(chatId, 'subscription chatId');
      return db.write((state) => {
        if (state.has(SUBSCRIPTIONS, keyOf(platform, chatId))) return { ops: [], result: false };
        const doc: StoredSubscription = { platform, chatId, createdAt: new Date().toISOString(), createdBy: createdBy ?? null };
        return { ops: [{ op: 'put', c: SUBSCRIPTIONS, k: keyOf(platform, chatId), v: doc }], result: true };
      });
    },

    async removeSubscription(platform: string, chatId: string): Promise<boolean> {
      return db.write((state) =>
        state.has(SUBSCRIPTIONS, keyOf(platform, chatId))
          ? { ops: [{ op: 'del', c: SUBSCRIPTIONS, k: keyOf(platform, chatId) }], result: true }
          : { ops: [], result: false },
      );
    },

    async listSubscriptions(platform?: string): Promise<Subscription[]> {
      return db
        .read()
        .values<StoredSubscription>(SUBSCRIPTIONS)
        .filter((s) => platform === undefined || s.platform === platform)
        .sort((a, b) => cmp(a.platform, b.platform) || cmp(a.chatId, b.chatId))
        .map(toSubscription);
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
