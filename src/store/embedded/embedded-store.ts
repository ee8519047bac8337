/**
 * The embedded store: the default backend, no server needed. Everything lives under one data directory:
 *
 *     <dataDir>/store.json           format marker (name + version)
 *     <dataDir>/LOCK                 held while a process has the store open
 *     <dataDir>/<group>.jsonl        one append-only journal per group of collections
 *     <dataDir>/artifacts/<id>.bin   model artifacts, one file each
 *
 * Each journal is replayed into memory at open; reads are served from memory and every write is flushed to its
 * journal before it returns. See journal.ts for the crash guarantees and dir-lock.ts for the locking.
 */
import { mkdir, readFile, access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Store } from '../ports.ts';
import { acquireDirLock, type DirLock } from './dir-lock.ts';
import { writeFileAtomic } from './fs-durable.ts';
import { JournaledState } from './journaled-state.ts';
import { embeddedRuns } from './runs.ts';
import { embeddedArtifacts, removeOrphanArtifacts } from './artifacts.ts';
import { embeddedRegistry } from './registry.ts';
import { definePredictionIndexes, embeddedPredictions } from './predictions.ts';
import { embeddedCandles } from './candles.ts';
import { embeddedSubscriptions } from './subscriptions.ts';
import { embeddedJobs } from './jobs.ts';

export interface EmbeddedStoreOptions {
  readonly dataDir: string;
  /** A journal is compacted once it exceeds this size and has doubled since its last compaction. Default 16 MiB. */
  readonly compactAtBytes?: number;
}

const FORMAT = 'signal-pool-embedded-store';
const FORMAT_VERSION = 1;
const DEFAULT_COMPACT_AT_BYTES = 16 * 1024 * 1024;

/** Journals, one per group of collections that must change atomically together. */
const GROUPS = ['runs', 'artifacts', 'registry', 'predictions', 'candles', 'subscriptions', 'jobs'] as const;
type Group = (typeof GROUPS)[number];

export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<Store> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const lock = acquireDirLock(dataDir);
  const opened: JournaledState[] = [];
  try {
    await checkFormat(dataDir);
    const groups = {} as Record<Group, JournaledState>;
    for (const name of GROUPS) {
      groups[name] = await JournaledState.open(join(dataDir, `${name}.jsonl`), {
        compactAtBytes: options.compactAtBytes ?? DEFAULT_COMPACT_AT_BYTES,
        setup: name === 'predictions' ? definePredictionIndexes : undefined,
      });
      opened.push(groups[name]);
    }
    const artifactDir = join(dataDir, 'artifacts');
    await removeOrphanArtifacts(groups.artifacts, artifactDir);
    return assemble(dataDir, lock, groups, artifactDir);
  } catch (err) {
    for (const group of opened) await group.close();
    lock.release();
    throw err;
  }
}

function assemble(dataDir: string, lock: DirLock, groups: Record<Group, JournaledState>, artifactDir: string): Store {
  let closed = false;
  return {
    kind: 'embedded',
    location: dataDir,
    ...embeddedRuns(groups.runs),
    ...embeddedArtifacts(groups.artifacts, artifactDir),
    ...embeddedRegistry(groups.registry),
    ...embeddedPredictions(groups.predictions),
    ...embeddedCandles(groups.candles),
    ...embeddedSubscriptions(groups.subscriptions),
    ...embeddedJobs(groups.jobs),

    async ping(): Promise<boolean> {
      if (closed) return false;
      try {
        await access(dataDir);
        return true;
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Each journal finishes its pending writes first; the lock goes last.
      for (const group of Object.values(groups)) await group.close();
      lock.release();
    },
  };
}

/** Writes the format marker on first use; refuses a directory written by a newer, incompatible version. */
async function checkFormat(dataDir: string): Promise<void> {
  const path = join(dataDir, 'store.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await writeFileAtomic(path, JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, createdAt: new Date().toISOString() }, null, 2) + '\n');
    return;
  }
  let marker: { format?: unknown; version?: unknown };
  try {
    marker = JSON.parse(text) as typeof marker;
  } catch {
    throw new Error(`${path} is not valid JSON; is ${dataDir} really a Signal Pool data directory?`);
  }
  if (marker.format !== FORMAT) throw new Error(`${path} does not describe a Signal Pool embedded store (format ${JSON.stringify(marker.format)})`);
  if (typeof marker.version !== 'number' || marker.version > FORMAT_VERSION) {
    throw new Error(`${dataDir} was written by a newer Signal Pool (store format ${String(marker.version)}, this build reads ${FORMAT_VERSION}); upgrade signal-pool`);
  }
}
