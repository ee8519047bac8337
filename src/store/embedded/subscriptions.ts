/** Chat subscriptions on the embedded store (table `subscriptions`), unique per (platform, chatId). */
import type { Subscription, SubscriptionStore } from '../ports.ts';
import { assertNonEmpty } from '../validate.ts';
import type { StoreDatabase } from './database.ts';
import { defineTable } from './schema.ts';

export interface StoredSubscription {
  platform: string;
  chatId: string;
  createdAt: string;
  createdBy: string | null;
}

export const SUBSCRIPTIONS = defineTable<StoredSubscription>({
  table: 'subscriptions',
  what: 'subscription',
  columns: ['platform', 'chat_id'],
  key: ['platform', 'chat_id'],
  mutable: [],
  valuesOf: (s) => [s.platform, s.chatId],
  idOf: (row) => `${String(row.platform)}:${String(row.chat_id)}`,
});

type Row = { platform: string; chat_id: string; doc: string; crc: number };

const toSubscription = (s: StoredSubscription): Subscription => ({
  platform: s.platform,
  chatId: s.chatId,
  createdAt: new Date(s.createdAt),
  createdBy: s.createdBy,
});

export function embeddedSubscriptions(db: StoreDatabase): SubscriptionStore {
  return {
    async addSubscription(platform: string, chatId: string, createdBy?: string): Promise<boolean> {
      assertNonEmpty(platform, 'subscription platform');
      assertNonEmpty(chatId, 'subscription chatId');
      return db.write(() => {
        if (db.statement('SELECT 1 FROM subscriptions WHERE platform = ? AND chat_id = ?').get(platform, chatId) !== undefined) return false;
        db.put(SUBSCRIPTIONS, { platform, chatId, createdAt: new Date().toISOString(), createdBy: createdBy ?? null });
        return true;
      });
    },

    async removeSubscription(platform: string, chatId: string): Promise<boolean> {
      return db.write(() => db.statement('DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?').run(platform, chatId).changes > 0);
    },

    async listSubscriptions(platform?: string): Promise<Subscription[]> {
      const rows = await db.read(() =>
        platform === undefined
          ? (db.statement('SELECT platform, chat_id, doc, crc FROM subscriptions ORDER BY platform, chat_id').all() as Row[])
          : (db.statement('SELECT platform, chat_id, doc, crc FROM subscriptions WHERE platform = ? ORDER BY chat_id').all(platform) as Row[]),
      );
      return db.decodeEach(SUBSCRIPTIONS, rows).map(toSubscription);
    },
  };
}
