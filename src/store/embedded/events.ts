/**
 * The store's own history of recoveries (table `store_events`): what an import of an old journal store could not
 * bring over, damage found in the store itself (records, database pages, the WAL, the format marker), and where the
 * damaged bytes were copied. `signal-pool store verify` and the service's start-up check
 * report every event whose moved-aside file is still there, so nothing recovered from is forgotten.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { StoreDatabase } from './database.ts';
import { defineTable } from './schema.ts';

export interface StoreEvent {
  readonly kind:
    | 'journal-damaged-lines' | 'journal-unimportable-records' | 'journal-missing-artifacts'
    // Found in the SQLite store itself (issue 19): records failing their checksum, a database file whose structure
    // is damaged, a WAL with a damaged frame, an unreadable store.json. Each is copied byte for byte under damaged/.
    | 'damaged-records' | 'damaged-database' | 'damaged-wal' | 'damaged-marker';
  readonly at: string;
  /** One line for logs and reports, naming what was affected. */
  readonly message: string;
  /** Where damaged data was moved, relative to the data directory, if anywhere. */
  readonly savedTo: string | null;
  /** Ids of the records concerned (`collection/key`), where they could be read. */
  readonly ids: string[];
}

export const STORE_EVENTS = defineTable<StoreEvent>({
  table: 'store_events',
  what: 'store event',
  columns: ['kind', 'at'],
  key: [],
  mutable: [],
  valuesOf: (e) => [e.kind, e.at],
  idOf: (row) => `#${String(row.seq ?? '?')} (${String(row.kind)})`,
});

export interface ListedEvent extends StoreEvent {
  readonly seq: number;
  /** True while the moved-aside file still exists: someone should look at it (delete it once dealt with). */
  readonly open: boolean;
}

export async function listStoreEvents(db: StoreDatabase, dataDir: string): Promise<ListedEvent[]> {
  const rows = await db.read(() => db.statement('SELECT seq, kind, doc, crc FROM store_events ORDER BY seq').all() as { seq: number; kind: string; doc: string; crc: number }[]);
  return rows.map((row) => {
    const event = db.decode(STORE_EVENTS, row);
    const file = event.savedTo === null ? null : isAbsolute(event.savedTo) ? event.savedTo : join(dataDir, event.savedTo);
    return { ...event, seq: row.seq, open: file !== null && existsSync(file) };
  });
}
