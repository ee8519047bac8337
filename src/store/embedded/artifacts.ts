/**
 * Model artifacts on the embedded store: each one is its own file, `artifacts/<id>.bin`, written to a temporary
 * name, flushed and renamed into place; its size and sha256 are recorded in the journal `artifacts.jsonl` only after
 * the file is complete. So an artifact id is only ever handed out for a file that is whole, and reading it back
 * re-checks the checksum, so a file damaged on disk is reported rather than returned.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore, JsonValue } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { ArtifactError } from '../artifact-format.ts';
import { isAtomicTempFile, writeFileAtomic } from './fs-durable.ts';
import type { JournaledState } from './journaled-state.ts';

const ARTIFACTS = 'artifacts';

interface StoredArtifact {
  id: string;
  size: number;
  sha256: string;
  meta: Record<string, JsonValue>;
  createdAt: string;
}

const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function embeddedArtifacts(db: JournaledState, dir: string): ArtifactStore {
  const fileOf = (id: string) => join(dir, `${id}.bin`);

  return {
    async putArtifact(bytes: Uint8Array, meta: Record<string, JsonValue> = {}): Promise<string> {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('artifact bytes must be a Uint8Array');
      const id = randomUUID();
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await writeFileAtomic(fileOf(id), bytes);
      const record: StoredArtifact = { id, size: bytes.byteLength, sha256, meta: { ...meta }, createdAt: new Date().toISOString() };
      return db.write(() => ({ ops: [{ op: 'put', c: ARTIFACTS, k: id, v: record }], result: id }));
    },

    async getArtifact(id: string): Promise<Uint8Array> {
      const record = ID_PATTERN.test(id) ? db.read().get<StoredArtifact>(ARTIFACTS, id) : undefined;
      if (!record) throw new NotFoundError(`artifact ${id} not found`);
      let bytes: Buffer;
      try {
        bytes = await readFile(fileOf(id));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactError(`artifact ${id} is recorded but its file ${fileOf(id)} is missing`);
        throw err;
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (bytes.byteLength !== record.size || sha256 !== record.sha256) {
        throw new ArtifactError(
          `artifact ${id} is corrupt on disk (${fileOf(id)}): expected ${record.size} bytes with sha256 ${record.sha256.slice(0, 12)}..., ` +
            `found ${bytes.byteLength} bytes with sha256 ${sha256.slice(0, 12)}...`,
        );
      }
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },

    async deleteArtifact(id: string): Promise<boolean> {
      if (!ID_PATTERN.test(id)) return false;
      const existed = await db.write((state) =>
        state.has(ARTIFACTS, id) ? { ops: [{ op: 'del', c: ARTIFACTS, k: id }], result: true } : { ops: [], result: false },
      );
      // The record goes first: a crash before the file is removed leaves an orphan file, cleaned at the next open.
      if (existed) await rm(fileOf(id), { force: true });
      return existed;
    },
  };
}

/**
 * Removes what an interrupted put or delete left behind: temporary files and files without a journal record.
 * Runs at open, while the directory lock is held, so no put is in progress.
 */
export async function removeOrphanArtifacts(db: JournaledState, dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const state = db.read();
  let removed = 0;
  for (const name of await readdir(dir)) {
    const id = name.endsWith('.bin') ? name.slice(0, -4) : null;
    if (isAtomicTempFile(name) || (id !== null && !state.has(ARTIFACTS, id))) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
