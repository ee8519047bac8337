/**
 * Picks the storage backend: MongoDB when a connection string is configured (MONGODB_URI), otherwise the embedded
 * store under `dataDir` (SIGNAL_POOL_DATA_DIR, default var/store). Both satisfy the same Store contract, and both
 * can be opened by several processes at once.
 */
import type { Store } from './ports.ts';
import { openEmbeddedStore } from './embedded/embedded-store.ts';
import type { ImportNotice } from './embedded/legacy-import.ts';
import { openMongoStore } from './mongo/mongo-store.ts';

export interface OpenStoreOptions {
  readonly mongoUri?: string;
  readonly mongoDb: string;
  readonly dataDir: string;
  readonly connectTimeoutMs: number;
  readonly gridFsThresholdBytes?: number;
  /** Embedded store: hears about an import of an old journal store (one info line, a warning per problem). */
  readonly onNotice?: (notice: ImportNotice) => void;
}

export function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.mongoUri !== undefined && opts.mongoUri.trim() !== '') {
    return openMongoStore({
      uri: opts.mongoUri.trim(),
      dbName: opts.mongoDb,
      connectTimeoutMs: opts.connectTimeoutMs,
      gridFsThresholdBytes: opts.gridFsThresholdBytes,
    });
  }
  return openEmbeddedStore({ dataDir: opts.dataDir, onNotice: opts.onNotice });
}
