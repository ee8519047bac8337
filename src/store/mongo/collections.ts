/**
 * MongoDB collections, their document shapes and their indexes. Indexes are created at start-up (createIndexes is a
 * no-op for indexes that already exist), so a fresh database works without a migration step.
 */
import type { Binary, Collection, Db, ObjectId } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { Trend } from '../../data/candle.ts';
import type { JobStatus, JsonValue, RunStatus, VersionTags } from '../ports.ts';

export interface RunDoc {
  _id: string;
  experiment: string;
  parentRunId: string | null;
  name: string;
  symbol: string | null;
  trend: Trend | null;
  params: Record<string, JsonValue>;
  metrics: Record<string, number>;
  tags: Record<string, JsonValue>;
  status: RunStatus;
  error: string | null;
  startTime: Date;
  endTime: Date | null;
  artifactId: string | null;
  owner?: string | null;
  updatedAt?: Date;
}

export interface ArtifactDoc {
  _id: string;
  size: number;
  sha256: string;
  meta: Record<string, JsonValue>;
  createdAt: Date;
  /** Small artifacts are stored inline; large ones in the GridFS bucket 'artifacts' (documents cap at 16 MB). */
  storage: 'inline' | 'gridfs';
  data?: Binary;
  gridFsId?: ObjectId;
}

export interface AliasMoveDoc {
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  reason: string;
  actor: string;
  at: Date;
}

export interface ModelDoc {
  _id: string; // the registered model name
  symbol: string;
  trend: Trend;
  createdAt: Date;
  /** Last version number handed out; incremented atomically ($inc) by every registration. */
  versionCounter: number;
  /** alias -> version number */
  aliases: Record<string, number>;
  /** Promotion history, oldest first. Kept in the same document so an alias move and its entry are one write. */
  history: AliasMoveDoc[];
}

/** Marks a version whose registration has not finished; readers ignore it (see registry.ts). */
export interface PendingRegistration {
  since: Date;
  alias: string | null;
  /** The alias's version before this registration moved it; restored if the registration is rolled back. */
  fromVersion: number | null;
}

export interface VersionDoc {
  _id: string; // `${modelName}#${version}`
  modelName: string;
  version: number;
  symbol: string;
  trend: Trend;
  sourceRunId: string;
  artifactId: string;
  tags: VersionTags;
  createdAt: Date;
  pending?: PendingRegistration;
}

export interface PredictionDoc {
  _id: string;
  modelName: string;
  version: number;
  symbol: string;
  trend: Trend;
  asOf: string;
  probability: number;
  features: Record<string, number>;
  classifier?: string;
  createdAt: Date;
  outcome: { label: 0 | 1; pct: number; resolvedAt: Date } | null;
}

export interface CandleDoc {
  _id: string; // `${symbol}|${date}`
  symbol: string;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface SubscriptionDoc {
  _id: string; // JSON of [platform, chatId]
  platform: string;
  chatId: string;
  createdAt: Date;
  createdBy: string | null;
}

export interface JobRunDoc {
  _id: string; // JSON of [job, slot]
  job: string;
  slot: string;
  status: JobStatus;
  owner: string;
  startedAt: Date;
  endedAt: Date | null;
  summary: JsonValue | null;
  error: string | null;
  attempts: number;
}

export interface Collections {
  readonly db: Db;
  readonly runs: Collection<RunDoc>;
  readonly artifacts: Collection<ArtifactDoc>;
  readonly models: Collection<ModelDoc>;
  readonly versions: Collection<VersionDoc>;
  readonly predictions: Collection<PredictionDoc>;
  readonly candles: Collection<CandleDoc>;
  readonly subscriptions: Collection<SubscriptionDoc>;
  readonly jobRuns: Collection<JobRunDoc>;
}

export const GRIDFS_BUCKET = 'artifacts';

export function collectionsOf(db: Db): Collections {
  return {
    db,
    runs: db.collection<RunDoc>('runs'),
    artifacts: db.collection<ArtifactDoc>('artifacts'),
    models: db.collection<ModelDoc>('registered_models'),
    versions: db.collection<VersionDoc>('model_versions'),
    predictions: db.collection<PredictionDoc>('predictions'),
    candles: db.collection<CandleDoc>('candles'),
    subscriptions: db.collection<SubscriptionDoc>('subscriptions'),
    jobRuns: db.collection<JobRunDoc>('job_runs'),
  };
}

export async function ensureIndexes(c: Collections): Promise<void> {
  await Promise.all([
    c.runs.createIndexes([
      { key: { startTime: -1, _id: -1 } },
      { key: { symbol: 1, trend: 1, startTime: -1 } },
      { key: { parentRunId: 1, startTime: -1 } },
      { key: { experiment: 1, startTime: -1 } },
      { key: { status: 1, startTime: -1 } },
    ]),
    c.models.createIndexes([{ key: { trend: 1, symbol: 1 } }]),
    c.versions.createIndexes([
      { key: { modelName: 1, version: 1 }, unique: true },
      { key: { 'pending.since': 1 }, sparse: true },
    ]),
    c.predictions.createIndexes([
      { key: { modelName: 1, version: 1, asOf: 1 }, unique: true },
      { key: { symbol: 1, trend: 1, asOf: -1 } },
      { key: { asOf: -1, modelName: 1, version: -1, _id: 1 } },
    ]),
    c.candles.createIndexes([{ key: { symbol: 1, date: 1 }, unique: true }]),
    c.subscriptions.createIndexes([{ key: { platform: 1, chatId: 1 } }]),
    c.jobRuns.createIndexes([
      { key: { startedAt: -1, job: 1, slot: -1 } },
      { key: { job: 1, startedAt: -1 } },
      { key: { status: 1, startedAt: -1 } },
    ]),
  ]);
}

/** E11000: a unique index refused an insert or upsert (typically two concurrent upserts of the same key). */
export function isDuplicateKeyError(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/** Runs `fn`, and once more if a concurrent upsert of the same key made it fail with a duplicate-key error. */
export async function retryOnDuplicateKey<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return fn();
  }
}
