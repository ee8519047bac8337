/**
 * The MongoDB store, on the official driver. Works with MongoDB Atlas (`mongodb+srv://...`), a replica set or a
 * single local `mongod`: nothing here needs transactions (see registry.ts for how registration stays atomic).
 *
 * Start-up connects (failing within `connectTimeoutMs` when no server answers), creates the indexes, and rolls back
 * model registrations that a crashed process left half-done. Errors never contain the password: they name the
 * host(s) from the connection string and pass driver messages through `scrubMongoSecrets`.
 */
import { MongoClient } from 'mongodb';
import type { Store } from '../ports.ts';
import { StoreUnavailableError } from '../ports.ts';
import { mongoHostsOf, redactMongoUri, scrubMongoSecrets } from '../redact-uri.ts';
import { collectionsOf, ensureIndexes } from './collections.ts';
import { mongoRuns } from './runs.ts';
import { mongoArtifacts } from './artifacts.ts';
import { mongoRegistry, recoverPendingRegistrations } from './registry.ts';
import { mongoPredictions } from './predictions.ts';
import { mongoCandles } from './candles.ts';
import { mongoSubscriptions } from './subscriptions.ts';
import { mongoJobs } from './jobs.ts';

export interface MongoStoreOptions {
  readonly uri: string;
  readonly dbName: string;
  /** How long start-up waits for a reachable server before failing. */
  readonly connectTimeoutMs: number;
  /** Artifacts larger than this go to GridFS. Default 8 MiB (documents cap at 16 MB). */
  readonly gridFsThresholdBytes?: number;
  /**
   * A registration still pending after this long is taken to belong to a dead process and is rolled back at
   * start-up. Default 10 minutes: far longer than a registration takes, so a live one is never disturbed.
   */
  readonly pendingRecoveryAgeMs?: number;
}

export const DEFAULT_GRIDFS_THRESHOLD_BYTES = 8 * 1024 * 1024;
const DEFAULT_PENDING_RECOVERY_AGE_MS = 10 * 60 * 1000;

export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const { uri, dbName, connectTimeoutMs } = options;
  const hosts = mongoHostsOf(uri);
  const safe = (err: unknown) => scrubMongoSecrets(err instanceof Error ? err.message : String(err), uri);
  if (!dbName) throw new StoreUnavailableError('MongoDB database name is empty (set SIGNAL_POOL_MONGO_DB)');

  let client: MongoClient;
  try {
    client = new MongoClient(uri, {
      serverSelectionTimeoutMS: connectTimeoutMs,
      connectTimeoutMS: connectTimeoutMs,
      appName: 'signal-pool',
    });
  } catch (err) {
    throw new StoreUnavailableError(`invalid MongoDB connection string ${redactMongoUri(uri)}: ${safe(err)}`);
  }

  const started = Date.now();
  let stage = 'connect';
  try {
    await client.connect();
    const db = client.db(dbName);
    await db.command({ ping: 1 });
    const collections = collectionsOf(db);
    stage = 'create indexes';
    await ensureIndexes(collections);
    stage = 'recover interrupted registrations';
    await recoverPendingRegistrations(collections, options.pendingRecoveryAgeMs ?? DEFAULT_PENDING_RECOVERY_AGE_MS);

    let closed = false;
    const store: Store = {
      kind: 'mongo',
      location: `${/^mongodb\+srv:/i.test(uri) ? 'mongodb+srv' : 'mongodb'}://${hosts}/${dbName}`,
      ...mongoRuns(collections),
      ...mongoArtifacts(collections, options.gridFsThresholdBytes ?? DEFAULT_GRIDFS_THRESHOLD_BYTES),
      ...mongoRegistry(collections),
      ...mongoPredictions(collections),
      ...mongoCandles(collections),
      ...mongoSubscriptions(collections),
      ...mongoJobs(collections),

      async ping(): Promise<boolean> {
        if (closed) return false;
        try {
          await db.command({ ping: 1 });
          return true;
        } catch {
          return false;
        }
      },

      async close(): Promise<void> {
        if (closed) return;
        closed = true;
        await client.close();
      },
    };
    return store;
  } catch (err) {
    await client.close().catch(() => undefined);
    const waited = Date.now() - started;
    const reason = stage === 'connect'
      ? `cannot reach MongoDB at ${hosts} (database ${dbName}) within ${connectTimeoutMs} ms`
      : `MongoDB at ${hosts} (database ${dbName}) failed to ${stage} after ${waited} ms`;
    throw new StoreUnavailableError(`${reason}: ${safe(err)}`);
  }
}
