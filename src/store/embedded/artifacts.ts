/**
 * Model artifacts on the embedded store: the bytes live in the database (table `artifacts`, a BLOB per artifact)
 * with their size and sha256, written in one transaction. So an artifact id is only ever handed out for complete
 * content, there are no orphan files for concurrent processes to race over, and a reader re-checks the sha256, so
 * content damaged on disk is reported rather than returned.
 *
 * Measured against files beside the database (README, "The embedded store"): a 200 KB artifact is faster in the
 * database (put 3-4 ms vs 8-12 ms with the file's fsync and rename), a 20 MB one slower (put 0.3 s vs 0.05-0.1 s);
 * real artifacts of the pool range from 2 KB to about 3 MB.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ArtifactStore, JsonValue } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { ArtifactError } from '../artifact-format.ts';
import type { StoreDatabase } from './database.ts';
import { defineTable } from './schema.ts';

export interface StoredArtifact {
  id: string;
  size: number;
  sha256: string;
  meta: Record<string, JsonValue>;
  createdAt: string;
}

export const ARTIFACTS = defineTable<StoredArtifact>({
  table: 'artifacts',
  what: 'artifact',
  columns: ['id', 'size', 'sha256'],
  key: ['id'],
  mutable: [],
  valuesOf: (a) => [a.id, a.size, a.sha256],
  idOf: (row) => String(row.id),
});

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Why stored bytes do not match their record, or null when they do. */
export function artifactMismatch(record: StoredArtifact, bytes: Uint8Array): string | null {
  const sha256 = sha256Of(bytes);
  if (bytes.byteLength === record.size && sha256 === record.sha256) return null;
  return (
    `expected ${record.size} bytes with sha256 ${record.sha256.slice(0, 12)}..., ` +
    `found ${bytes.byteLength} bytes with sha256 ${sha256.slice(0, 12)}...`
  );
}

export function embeddedArtifacts(db: StoreDatabase): ArtifactStore {
  return {
    async putArtifact(bytes: Uint8Array, meta: Record<string, JsonValue> = {}): Promise<string> {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('artifact bytes must be a Uint8Array');
      const record: StoredArtifact = { id: randomUUID(), size: bytes.byteLength, sha256: sha256Of(bytes), meta: { ...meta }, createdAt: new Date().toISOString() };
      const blob = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      await db.write(() => db.put(ARTIFACTS, record, { bytes: blob }));
      return record.id;
    },

    async getArtifact(id: string): Promise<Uint8Array> {
      const row = await db.read(
        () => db.statement('SELECT id, doc, crc, bytes FROM artifacts WHERE id = ?').get(id) as { id: string; doc: string; crc: number; bytes: Buffer } | undefined,
      );
      if (!row) throw new NotFoundError(`artifact ${id} not found`);
      const record = db.decode(ARTIFACTS, row);
      const mismatch = artifactMismatch(record, row.bytes);
      if (mismatch) throw new ArtifactError(`artifact ${id} is corrupt in the store (${db.path}): ${mismatch}`);
      return new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
    },

    async deleteArtifact(id: string): Promise<boolean> {
      return db.write(() => db.statement('DELETE FROM artifacts WHERE id = ?').run(id).changes > 0);
    },
  };
}
