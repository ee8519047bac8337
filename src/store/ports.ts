/**
 * The storage contract. Two implementations satisfy it (src/store/embedded, src/store/mongo) and one contract test
 * suite (test/store/contract.ts) runs against both. Vocabulary follows MLflow: experiments, runs, registered models,
 * model versions, aliases.
 *
 * Rules every implementation keeps:
 * - Returned objects are plain data (Dates as Date objects), never live references into the store.
 * - Model versions are immutable once registered; numbers are allocated 1, 2, 3... per model with no duplicates even
 *   under concurrent registration.
 * - `registerVersion` is atomic: after a crash (even kill -9) either the version and (if requested) its alias move are
 *   both visible, or neither is.
 */
import type { Trend } from '../data/candle.ts';
import type { Candle } from '../data/candle.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  /** Offset of the next page, or null when this is the last one. */
  readonly nextOffset: number | null;
}

export interface PageRequest {
  readonly limit?: number; // default 50, max 1000
  readonly offset?: number; // default 0
}

// ---------------------------------------------------------------- experiments and runs
/**
 * ABANDONED: the process running it died (kill -9, power cut) and it will never finish; set by abandonRun when the
 * owner is known to be gone or its lease expired (src/store/run-leases.ts).
 */
export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'ABANDONED';

export interface Run {
  readonly id: string;
  /** Experiment name, e.g. "deploy/uptrend". */
  readonly experiment: string;
  /** Parent run id for a classifier's child run; null for a deployment's parent run. */
  readonly parentRunId: string | null;
  readonly name: string;
  readonly symbol: string | null;
  readonly trend: Trend | null;
  readonly params: Record<string, JsonValue>;
  readonly metrics: Record<string, number>;
  readonly tags: Record<string, JsonValue>;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly startTime: Date;
  readonly endTime: Date | null;
  /** The process that created it, `host:pid` (null for runs written before owners were recorded). */
  readonly owner?: string | null;
  /** Last write to the run (create, update, end): the lease a RUNNING run renews while it makes progress. */
  readonly updatedAt?: Date | null;
  /** Id of the model artifact in the artifact store, if any. */
  readonly artifactId: string | null;
}

export interface NewRun {
  readonly experiment: string;
  readonly parentRunId?: string | null;
  readonly name: string;
  readonly symbol?: string | null;
  readonly trend?: Trend | null;
  readonly params?: Record<string, JsonValue>;
  readonly tags?: Record<string, JsonValue>;
  readonly startTime?: Date;
}

export interface RunPatch {
  /** Merged into the existing maps. */
  readonly params?: Record<string, JsonValue>;
  readonly metrics?: Record<string, number>;
  readonly tags?: Record<string, JsonValue>;
  readonly artifactId?: string | null;
}

export interface RunFilter extends PageRequest {
  readonly experiment?: string;
  readonly symbol?: string;
  readonly trend?: Trend;
  readonly status?: RunStatus;
  /** null selects parent runs only; a string selects that parent's children. */
  readonly parentRunId?: string | null;
  readonly startedAfter?: Date;
  readonly startedBefore?: Date;
}

export interface ExperimentStore {
  createRun(input: NewRun): Promise<Run>;
  updateRun(id: string, patch: RunPatch): Promise<Run>;
  /** Sets status FINISHED or FAILED (with error text) and the end time. */
  endRun(id: string, status: Exclude<RunStatus, 'RUNNING' | 'ABANDONED'>, error?: string): Promise<Run>;
  /**
   * Marks a run ABANDONED with `reason`, only if it is still RUNNING (compare-and-set: a run that finished meanwhile
   * is left alone). Returns the updated run, or null when it was not RUNNING (or does not exist).
   */
  abandonRun(id: string, reason: string): Promise<Run | null>;
  getRun(id: string): Promise<Run | null>;
  /** Newest first (by startTime, then id). */
  listRuns(filter?: RunFilter): Promise<Page<Run>>;
  deleteRun(id: string): Promise<boolean>;
}

// ---------------------------------------------------------------- artifacts
export interface ArtifactStore {
  /** Stores bytes and returns an id. Large artifacts (Mongo: above a threshold) go to GridFS. */
  putArtifact(bytes: Uint8Array, meta?: Record<string, JsonValue>): Promise<string>;
  /** Throws NotFoundError if absent. */
  getArtifact(id: string): Promise<Uint8Array>;
  deleteArtifact(id: string): Promise<boolean>;
}

// ---------------------------------------------------------------- model registry
/** `<SYMBOL>_<trend>_model`, as in the seed. */
export function registeredModelName(symbol: string, trend: Trend): string {
  return `${symbol}_${trend}_model`;
}

export interface RegisteredModel {
  readonly name: string;
  readonly symbol: string;
  readonly trend: Trend;
  readonly createdAt: Date;
  readonly latestVersion: number; // 0 when none
}

/** Tags recorded on every model version (issue 3). Extra keys are allowed (e.g. backtest). */
export interface VersionTags {
  readonly classifier: string;
  /** All evaluation metrics on the test window (accuracy, precision, ..., auc, brier, base_rate, lift, tp, fp...). */
  readonly metrics: Record<string, number>;
  /** Mean validation metrics over the walk-forward folds (walk-forward protocol only). */
  readonly validationMetrics?: Record<string, number>;
  readonly featureNames: string[];
  /** Mean SHAP value per feature over the test rows (the seed's feature_importance). */
  readonly shapImportance: Record<string, number>;
  /** Mean |SHAP| per feature over the test rows. */
  readonly shapMeanAbs: Record<string, number>;
  readonly targetPct: number;
  readonly window: number;
  readonly dataRange: { readonly from: string; readonly to: string };
  readonly protocol: string;
  readonly [extra: string]: JsonValue | undefined;
}

export interface ModelVersion {
  readonly modelName: string;
  readonly version: number;
  readonly symbol: string;
  readonly trend: Trend;
  readonly sourceRunId: string;
  readonly artifactId: string;
  readonly tags: VersionTags;
  readonly createdAt: Date;
}

export interface AliasMove {
  readonly modelName: string;
  readonly alias: string;
  readonly fromVersion: number | null;
  readonly toVersion: number;
  readonly reason: string;
  readonly actor: string;
  readonly at: Date;
}

export interface NewVersion {
  readonly modelName: string;
  readonly symbol: string;
  readonly trend: Trend;
  readonly sourceRunId: string;
  readonly artifactId: string;
  readonly tags: VersionTags;
  /** Move an alias (normally 'champion') to the new version in the same atomic step. */
  readonly promote?: { readonly alias: string; readonly reason: string; readonly actor: string };
}

export interface AliasMoveRequest {
  readonly reason: string;
  readonly actor: string;
  /**
   * Compare-and-set: when given, the move only happens if the alias currently points at this version
   * (null = unset); otherwise AliasConflictError is thrown and nothing changes.
   */
  readonly expectedCurrent?: number | null;
}

export interface ModelRegistry {
  /** Creates the registered model if missing (idempotent) and returns it. */
  ensureRegisteredModel(name: string, symbol: string, trend: Trend): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel | null>;
  listRegisteredModels(filter?: { trend?: Trend; symbol?: string }): Promise<RegisteredModel[]>;
  /** Deletes the model, its versions, aliases and alias history. */
  deleteRegisteredModel(name: string): Promise<boolean>;
  /** Allocates the next version number atomically; creates the registered model if missing. */
  registerVersion(input: NewVersion): Promise<{ version: ModelVersion; promoted: boolean }>;
  getVersion(modelName: string, version: number): Promise<ModelVersion | null>;
  /** Ascending by version. */
  listVersions(modelName: string): Promise<ModelVersion[]>;
  getAlias(modelName: string, alias: string): Promise<ModelVersion | null>;
  /** Atomic; writes the promotion history. Throws NotFoundError for an unknown version. */
  setAlias(modelName: string, alias: string, version: number, request: AliasMoveRequest): Promise<AliasMove>;
  /** Oldest first. */
  aliasHistory(modelName: string, alias?: string): Promise<AliasMove[]>;
  /** Every model's version currently holding `alias`, optionally filtered. */
  listAliased(alias: string, filter?: { trend?: Trend; symbol?: string }): Promise<ModelVersion[]>;
}

// ---------------------------------------------------------------- predictions
export interface PredictionOutcome {
  /** Realised label (1 = the trend happened). */
  readonly label: 0 | 1;
  /** Realised (future SMA10 - SMA10) / SMA10. */
  readonly pct: number;
  readonly resolvedAt: Date;
}

export interface NewPrediction {
  readonly modelName: string;
  readonly version: number;
  readonly symbol: string;
  readonly trend: Trend;
  /** The candle date the feature row belongs to (YYYY-MM-DD). */
  readonly asOf: string;
  readonly probability: number;
  readonly features: Record<string, number>;
  readonly classifier?: string;
}

export interface Prediction extends NewPrediction {
  readonly id: string;
  readonly createdAt: Date;
  readonly outcome: PredictionOutcome | null;
}

export interface PredictionFilter extends PageRequest {
  readonly symbol?: string;
  readonly trend?: Trend;
  readonly modelName?: string;
  readonly version?: number;
  /** Inclusive as-of date bounds (YYYY-MM-DD). */
  readonly from?: string;
  readonly to?: string;
  readonly hasOutcome?: boolean;
}

export interface PredictionStore {
  /**
   * Idempotent per (modelName, version, asOf): a second save for the same key replaces probability/features and
   * keeps the id, createdAt and outcome.
   */
  savePrediction(p: NewPrediction): Promise<Prediction>;
  savePredictions(ps: readonly NewPrediction[]): Promise<Prediction[]>;
  getPrediction(id: string): Promise<Prediction | null>;
  findPrediction(modelName: string, version: number, asOf: string): Promise<Prediction | null>;
  /** Newest as-of first. */
  listPredictions(filter?: PredictionFilter): Promise<Page<Prediction>>;
  setOutcome(id: string, outcome: PredictionOutcome): Promise<Prediction>;
  deletePrediction(id: string): Promise<boolean>;
}

// ---------------------------------------------------------------- candle cache
export interface CandleCache {
  /** Upserts by (symbol, date); returns how many rows were new or changed. */
  upsertCandles(symbol: string, candles: readonly Candle[]): Promise<number>;
  /** Ascending by date; inclusive bounds. */
  getCandles(symbol: string, range?: { from?: string; to?: string }): Promise<Candle[]>;
  lastCandleDate(symbol: string): Promise<string | null>;
  deleteCandles(symbol: string): Promise<number>;
}

// ---------------------------------------------------------------- chat subscriptions
export interface Subscription {
  readonly platform: string; // 'discord' | 'telegram' | 'console'
  readonly chatId: string;
  readonly createdAt: Date;
  readonly createdBy: string | null;
}

export interface SubscriptionStore {
  /** Idempotent. Returns true when newly added. */
  addSubscription(platform: string, chatId: string, createdBy?: string): Promise<boolean>;
  removeSubscription(platform: string, chatId: string): Promise<boolean>;
  listSubscriptions(platform?: string): Promise<Subscription[]>;
}

// ---------------------------------------------------------------- job runs
export type JobStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABANDONED';

export interface JobRun {
  /** e.g. 'daily', 'weekly-deploy', 'daily-post:telegram:12345'. */
  readonly job: string;
  /** The schedule slot, e.g. '2026-11-24' or '2026-W48'. */
  readonly slot: string;
  readonly status: JobStatus;
  readonly owner: string;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly summary: JsonValue | null;
  readonly error: string | null;
  readonly attempts: number;
}

export interface JobRunStore {
  /**
   * Claims (job, slot) once. Returns claimed=false with the existing record when the key already exists in state
   * RUNNING or SUCCEEDED. A FAILED or ABANDONED record may be re-claimed when `retryFailed` is set (attempts + 1).
   */
  claimJobRun(job: string, slot: string, owner: string, opts?: { retryFailed?: boolean }): Promise<{ claimed: boolean; run: JobRun }>;
  finishJobRun(job: string, slot: string, result: { status: Exclude<JobStatus, 'RUNNING'>; summary?: JsonValue; error?: string }): Promise<JobRun>;
  getJobRun(job: string, slot: string): Promise<JobRun | null>;
  /** Newest first. `jobPrefix` matches job names starting with it. */
  listJobRuns(filter?: { job?: string; jobPrefix?: string; status?: JobStatus } & PageRequest): Promise<Page<JobRun>>;
}

// ---------------------------------------------------------------- the whole store
export interface Store extends ExperimentStore, ArtifactStore, ModelRegistry, PredictionStore, CandleCache, SubscriptionStore, JobRunStore {
  readonly kind: 'embedded' | 'mongo';
  /** A short, password-free description (data dir or host). */
  readonly location: string;
  /** True when the backing store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
export class AliasConflictError extends Error {
  override readonly name = 'AliasConflictError';
}
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
