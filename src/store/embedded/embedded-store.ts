/**
 * The embedded store: the default backend, no server needed, and shared by every process on the machine that opens
 * the same data directory (the service, any CLI command, a second service replica):
 *
 *     <dataDir>/store.json           format marker (name + version 2)
 *     <dataDir>/store.sqlite         the SQLite database (WAL mode): every record and every artifact
 *     <dataDir>/store.sqlite-wal     SQLite's write-ahead log and its index (-shm), while the store is open
 *     <dataDir>/journal-backup-<time>/ the files of an imported journal store (format 1), kept until you delete them
 *     <dataDir>/damaged/             data an import could not bring over, byte for byte (reported by store verify)
 *
 * See database.ts for the concurrency and crash guarantees, legacy-import.ts for the import of the old journal
 * format, and verify.ts for `signal-pool store verify`.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Store } from '../ports.ts';
import { StoreDatabase } from './database.ts';
import { MarkerUnreadableError, readFormatVersion, writeFormatMarker, FORMAT_VERSION } from './format-marker.ts';
import { STORE_EVENTS, type StoreEvent } from './events.ts';
import { checkWal } from './wal-check.ts';
import { importLegacyStore, type ImportNotice, type ImportSummary } from './legacy-import.ts';
import { embeddedRuns } from './runs.ts';
import { embeddedArtifacts } from './artifacts.ts';
import { embeddedRegistry } from './registry.ts';
import { embeddedPredictions } from './predictions.ts';
import { embeddedCandles } from './candles.ts';
import { embeddedSubscriptions } from './subscriptions.ts';
import { embeddedJobs } from './jobs.ts';
import { verifyDatabase, type VerifyOptions, type VerifyReport } from './verify.ts';

export const DATABASE_FILE = 'store.sqlite';

export interface EmbeddedStoreOptions {
  readonly dataDir: string;
  /** How long a write waits for other processes' writes before failing. Default 15 s. */
  readonly lockTimeoutMs?: number;
  /** Receives what opening did that a user should hear about: an import of an old journal store and its problems. */
  readonly onNotice?: (notice: ImportNotice) => void;
}

/** The Store, plus what only the embedded store offers: checking itself. */
export interface EmbeddedStore extends Store {
  readonly kind: 'embedded';
  readonly dataDir: string;
  /** What this open imported from an old journal store (null when there was none). */
  readonly imported: ImportSummary | null;
  verify(options?: VerifyOptions): Promise<VerifyReport>;
}

export function isEmbeddedStore(store: Store): store is EmbeddedStore {
  return store.kind === 'embedded' && typeof (store as Partial<EmbeddedStore>).verify === 'function';
}

export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  let markerEvent: StoreEvent | null = null;
  let format: number | null;
  try {
    format = await readFormatVersion(dataDir); // refuses a directory of a newer format before touching anything
  } catch (err) {
    // A damaged store.json beside our database (one flipped bit makes it invalid JSON) must not lock the user out
    // of intact data: copy it aside as found, write a fresh marker, and say so (issue 19). Without a database the
    // directory may not be ours, so it is still refused.
    if (!(err instanceof MarkerUnreadableError) || !existsSync(join(dataDir, DATABASE_FILE))) throw err;
    markerEvent = await setAsideMarker(dataDir, err.message);
    options.onNotice?.({ level: 'warn', message: markerEvent.message });
    format = FORMAT_VERSION;
  }
  const walEvent = await setAsideDamagedWal(dataDir);
  if (walEvent) options.onNotice?.({ level: 'warn', message: walEvent.message });
  const db = await StoreDatabase.open(join(dataDir, DATABASE_FILE), {
    lockTimeoutMs: options.lockTimeoutMs,
    // A list that leaves out a damaged record says so (once per record).
    onDamaged: (err) => options.onNotice?.({ level: 'warn', message: err.message }),
  });
  let imported: ImportSummary | null;
  try {
    imported = await importLegacyStore(dataDir, db, { notify: options.onNotice });
    if (imported === null && format !== FORMAT_VERSION && (await readFormatVersion(dataDir)) !== FORMAT_VERSION) await writeFormatMarker(dataDir);
    if (markerEvent) await db.write(() => db.put(STORE_EVENTS, markerEvent!));
    if (walEvent) await db.write(() => db.put(STORE_EVENTS, walEvent));
  } catch (err) {
    await db.close();
    throw err;
  }
  return assemble(dataDir, db, imported);
}

/** A damaged WAL frame is copied aside (with the whole WAL, as found) before SQLite recovers and drops it. */
async function setAsideDamagedWal(dataDir: string): Promise<StoreEvent | null> {
  const wal = join(dataDir, `${DATABASE_FILE}-wal`);
  const damage = checkWal(wal);
  if (!damage) return null;
  const at = new Date().toISOString();
  const savedTo = join('damaged', `${DATABASE_FILE}-wal.${at.replace(/[:.]/g, '-')}.damaged`);
  await mkdir(join(dataDir, 'damaged'), { recursive: true });
  await copyFile(wal, join(dataDir, savedTo));
  const message =
    `${DATABASE_FILE}-wal: frame ${damage.frame} of ${damage.frames} is damaged (checksum mismatch); SQLite ignores it and every frame after it, ` +
    `so ${damage.commitsLost} committed write${damage.commitsLost === 1 ? '' : 's'} from there on will be missing from the database. ` +
    `The write-ahead log as found was copied to ${savedTo}; recover what you need from it (sqlite3 .recover on a copy of the database with it), then delete the file`;
  return { kind: 'damaged-wal', at, message, savedTo, ids: [`wal-frame:${damage.frame}`] };
}

async function setAsideMarker(dataDir: string, why: string): Promise<StoreEvent> {
  const at = new Date().toISOString();
  const savedTo = join('damaged', `store.json.${at.replace(/[:.]/g, '-')}.damaged`);
  await mkdir(join(dataDir, 'damaged'), { recursive: true });
  await copyFile(join(dataDir, 'store.json'), join(dataDir, savedTo));
  await writeFormatMarker(dataDir);
  const message = `store.json was damaged (${why}); it was copied to ${savedTo} and rewritten (format ${FORMAT_VERSION}, the database is intact); delete the copy once you have looked at it`;
  return { kind: 'damaged-marker', at, message, savedTo, ids: ['store.json'] };
}

function assemble(dataDir: string, db: StoreDatabase, imported: ImportSummary | null): EmbeddedStore {
  return {
    kind: 'embedded',
    location: dataDir,
    dataDir,
    imported,
    ...embeddedRuns(db),
    ...embeddedArtifacts(db),
    ...embeddedRegistry(db),
    ...embeddedPredictions(db),
    ...embeddedCandles(db),
    ...embeddedSubscriptions(db),
    ...embeddedJobs(db),

    verify: (options) => verifyDatabase(db, dataDir, options),

    async ping(): Promise<boolean> {
      return db.ping();
    },

    async close(): Promise<void> {
      await db.close();
    },
  };
}
