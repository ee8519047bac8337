/**
 * Model artifacts on MongoDB. A document is capped at 16 MB, so artifacts above `gridFsThresholdBytes` go to the
 * GridFS bucket 'artifacts' (files split into chunks) and smaller ones are stored inline in the `artifacts`
 * collection. Either way the `artifacts` document, holding size and sha256, is written last: an id is only handed
 * out for complete content, and reads re-check the checksum.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Binary, GridFSBucket, ObjectId } from 'mongodb';
import type { ArtifactStore, JsonValue } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { ArtifactError } from '../artifact-format.ts';
import { GRIDFS_BUCKET, type ArtifactDoc, type Collections } from './collections.ts';

export function mongoArtifacts(c: Collections, gridFsThresholdBytes: number): ArtifactStore {
  const bucket = new GridFSBucket(c.db, { bucketName: GRIDFS_BUCKET });

  async function upload(id: string, bytes: Uint8Array): Promise<ObjectId> {
    const fileId = new ObjectId();
    await new Promise<void>((resolve, reject) => {
      const stream = bucket.openUploadStreamWithId(fileId, id, { metadata: { artifactId: id } });
      stream.once('finish', () => resolve());
      stream.once('error', reject);
      stream.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    return fileId;
  }

  async function download(fileId: ObjectId): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStream(fileId)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  return {
    async putArtifact(bytes: Uint8Array, meta: Record<string, JsonValue> = {}): Promise<string> {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('artifact bytes must be a Uint8Array');
      const id = randomUUID();
      const base = { _id: id, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex'), meta: { ...meta }, createdAt: new Date() };
      const doc: ArtifactDoc =
        bytes.byteLength > gridFsThresholdBytes
          ? { ...base, storage: 'gridfs', gridFsId: await upload(id, bytes) }
          : { ...base, storage: 'inline', data: new Binary(bytes) };
      await c.artifacts.insertOne(doc);
      return id;
    },

    async getArtifact(id: string): Promise<Uint8Array> {
      const doc = await c.artifacts.findOne({ _id: id });
      if (!doc) throw new NotFoundError(`artifact ${id} not found`);
      let bytes: Uint8Array;
      if (doc.storage === 'gridfs' && doc.gridFsId) {
        bytes = await download(doc.gridFsId);
      } else if (doc.data) {
        bytes = doc.data.value();
      } else {
        throw new ArtifactError(`artifact ${id} has no content (storage ${doc.storage})`);
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (bytes.byteLength !== doc.size || sha256 !== doc.sha256) {
        throw new ArtifactError(
          `artifact ${id} is corrupt in MongoDB: expected ${doc.size} bytes with sha256 ${doc.sha256.slice(0, 12)}..., ` +
            `found ${bytes.byteLength} bytes with sha256 ${sha256.slice(0, 12)}...`,
        );
      }
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },

    async deleteArtifact(id: string): Promise<boolean> {
      const doc = await c.artifacts.findOneAndDelete({ _id: id });
      if (!doc) return false;
      if (doc.storage === 'gridfs' && doc.gridFsId) {
        try {
          await bucket.delete(doc.gridFsId);
        } catch {
          /* already gone: the artifact document, the only way to reach it, is deleted */
        }
      }
      return true;
    },
  };
}
