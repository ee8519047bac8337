/**
 * `<dataDir>/store.json`: names what a data directory holds and which version of the format wrote it, so a build
 * never misreads a directory written by a newer one. Format 1 was the journal store; format 2 is the SQLite store
 * (store.sqlite), which imports a format-1 directory on first open (legacy-import.ts). The journal store refuses
 * format 2 ("written by a newer Signal Pool"), so an older build cannot start on an imported directory and show an
 * empty store.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './fs-durable.ts';

export const FORMAT = 'signal-pool-embedded-store';

/** store.json exists but cannot be read as a marker (damaged, or not ours). */
export class MarkerUnreadableError extends Error {
  override readonly name = 'MarkerUnreadableError';
}
export const FORMAT_VERSION = 2;

/** The format version of the directory: null when it has no marker yet (new, or never written). */
export async function readFormatVersion(dataDir: string): Promise<number | null> {
  const path = join(dataDir, 'store.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let marker: { format?: unknown; version?: unknown };
  try {
    marker = JSON.parse(text) as typeof marker;
  } catch {
    throw new MarkerUnreadableError(`${path} is not valid JSON; is ${dataDir} really a Signal Pool data directory?`);
  }
  if (marker.format !== FORMAT) throw new MarkerUnreadableError(`${path} does not describe a Signal Pool embedded store (format ${JSON.stringify(marker.format)})`);
  if (typeof marker.version !== 'number' || marker.version > FORMAT_VERSION) {
    throw new Error(`${dataDir} was written by a newer Signal Pool (store format ${String(marker.version)}, this build reads ${FORMAT_VERSION}); upgrade signal-pool`);
  }
  return marker.version;
}

export async function writeFormatMarker(dataDir: string): Promise<void> {
  const marker = { format: FORMAT, version: FORMAT_VERSION, engine: 'sqlite', database: 'store.sqlite', writtenAt: new Date().toISOString() };
  await writeFileAtomic(join(dataDir, 'store.json'), `${JSON.stringify(marker, null, 2)}\n`);
}
