/**
 * Test doubles for the chat tests: a SignalPoolServices fake (plain object, records calls), an in-memory
 * subscription/job-run store with the real claiming rules, and a small valid PNG.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { loadConfig } from '../../config/load.ts';
import type { AppConfig } from '../../config/schema.ts';
import type { Trend } from '../../src/data/candle.ts';
import { memoryLogger } from '../../src/app/logger.ts';
import { canReclaim } from '../../src/store/job-rules.ts';
import type { JobRun, JobRunStore, Store, Subscription, SubscriptionStore } from '../../src/store/ports.ts';
import {
  DeploymentBusyError,
  type ChartImage,
  type DeployedModel,
  type DeployRequest,
  type DeploySummary,
  type PredictionView,
  type SignalPoolServices,
} from '../../src/app/services.ts';

export const TELEGRAM_TOKEN = '123456789:AAFakeTelegramTokenForTests_0123456789';
export const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAwMA.FakeDi.scordTokenForTestsOnly_abcdefghijklmnopqrstuv';

export function testConfig(overrides: Record<string, unknown> = {}): AppConfig {
  return loadConfig({
    env: {},
    dotenvDir: null,
    overrides: { 'chat.telegramToken': TELEGRAM_TOKEN, 'chat.discordToken': DISCORD_TOKEN, ...overrides },
  });
}

export function tinyPng(seed = 0): Uint8Array {
  const png = new PNG({ width: 2, height: 2 });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37 + seed * 11) & 0xff;
  return new Uint8Array(PNG.sync.write(png));
}

/** Subscriptions and job runs in memory, with the same claiming rule as the real stores (src/store/job-rules.ts). */
export class MemoryChatStore implements SubscriptionStore, JobRunStore {
  readonly subs = new Map<string, Subscription>();
  readonly runs = new Map<string, JobRun>();

  async addSubscription(platform: string, chatId: string, createdBy?: string): Promise<boolean> {
    const key = `${platform}:${chatId}`;
    if (this.subs.has(key)) return false;
    this.subs.set(key, { platform, chatId, createdAt: new Date(), createdBy: createdBy ?? null });
    return true;
  }
  async removeSubscription(platform: string, chatId: string): Promise<boolean> {
    return this.subs.delete(`${platform}:${chatId}`);
  }
  async listSubscriptions(platform?: string): Promise<Subscription[]> {
    return [...this.subs.values()].filter((s) => platform === undefined || s.platform === platform);
  }
  async claimJobRun(job: string, slot: string, owner: string, opts: { retryFailed?: boolean } = {}) {
    const key = JSON.stringify([job, slot]);
    const existing = this.runs.get(key);
    if (existing && !canReclaim(existing.status, opts.retryFailed === true)) return { claimed: false, run: existing };
    const run: JobRun = { job, slot, status: 'RUNNING', owner, startedAt: new Date(), endedAt: null, summary: null, error: null, attempts: (existing?.attempts ?? 0) + 1 };
    this.runs.set(key, run);
    return { claimed: true, run };
  }
  async finishJobRun(job: string, slot: string, result: { status: Exclude<JobRun['status'], 'RUNNING'>; summary?: JobRun['summary']; error?: string }) {
    const key = JSON.stringify([job, slot]);
    const existing = this.runs.get(key);
    if (!existing) throw new Error(`job run ${job} ${slot} was never claimed`);
    const run: JobRun = { ...existing, status: result.status, endedAt: new Date(), summary: result.summary ?? null, error: result.error ?? null };
    this.runs.set(key, run);
    return run;
  }
  async getJobRun(job: string, slot: string) {
    return this.runs.get(JSON.stringify([job, slot])) ?? null;
  }
  async listJobRuns(filter: { job?: string; jobPrefix?: string } = {}) {
    const items = [...this.runs.values()].filter((r) => (!filter.job || r.job === filter.job) && (!filter.jobPrefix || r.job.startsWith(filter.jobPrefix)));
    return { items, total: items.length, nextOffset: null };
  }
}

/**
 * The real embedded store when src/store/open-store.ts is there (another helper's work), else MemoryChatStore.
 * The path is computed so this file type-checks either way.
 */
export async function chatStore(): Promise<{ store: SubscriptionStore & JobRunStore; kind: 'embedded' | 'memory'; cleanup(): Promise<void>; reopen(): Promise<SubscriptionStore & JobRunStore> }> {
  const modulePath = new URL('../../src/store/open-store.ts', import.meta.url);
  if (!existsSync(modulePath)) {
    const store = new MemoryChatStore();
    return { store, kind: 'memory', cleanup: async () => {}, reopen: async () => store };
  }
  const { openStore } = (await import(modulePath.href)) as { openStore(o: { dataDir: string; mongoDb: string; connectTimeoutMs: number }): Promise<Store> };
  const dir = mkdtempSync(join(tmpdir(), 'sp-chat-'));
  let store = await openStore({ dataDir: dir, mongoDb: 'x', connectTimeoutMs: 1000 });
  return {
    get store() { return store; },
    kind: 'embedded',
    async reopen() { await store.close(); store = await openStore({ dataDir: dir, mongoDb: 'x', connectTimeoutMs: 1000 }); return store; },
    async cleanup() { await store.close().catch(() => {}); rmSync(dir, { recursive: true, force: true }); },
  };
}

export function champion(symbol: string, trend: Trend, extra: Partial<DeployedModel> = {}): DeployedModel {
  return {
    symbol,
    trend,
    modelName: `${symbol}_${trend}_model`,
    version: 3,
    classifier: 'xgboost',
    metrics: { overall: 0.68, precision: 0.61, accuracy: 0.7, auc: 0.74, positive_accuracy: 0.6, negative_accuracy: 0.75, tp: 12, n: 40 },
    shapImportance: { rsi: 0.1, macd: -0.05 },
    shapMeanAbs: { rsi: 0.2, macd: 0.12, obv: 0.03 },
    featureNames: ['rsi', 'macd', 'obv'],
    targetPct: trend === 'uptrend' ? 0.05 : -0.05,
    window: 10,
    protocol: 'walk-forward',
    trainedAt: new Date('2026-11-20T02:00:00Z'),
    dataRange: { from: '2019-01-01', to: '2026-11-19' }, testWindow: '2026-07-01..2026-11-09', trainedThrough: '2026-11-09',
    ...extra,
  };
}

export function prediction(symbol: string, trend: Trend, probability: number, threshold = 0.5): PredictionView {
  return {
    symbol,
    trend,
    probability,
    signal: probability >= threshold,
    abstain: false,
    scope: 'coin',
    basis: { pooledCoins: null, members: null, shortHistoryRows: null },
    threshold,
    asOf: '2026-11-23',
    modelName: `${symbol}_${trend}_model`,
    version: 3,
    classifier: 'xgboost',
    testMetrics: { overall: 0.68, precision: 0.61, accuracy: 0.7, auc: 0.74 },
    live: { count: 34, hitRate: 0.62, precision: 0.58, positiveAccuracy: 0.55, negativeAccuracy: 0.66 },
    cached: false,
  };
}

export interface FakeServices extends SignalPoolServices {
  calls: { method: string; args: unknown[] }[];
  logger: ReturnType<typeof memoryLogger>;
  /** Replace to change behaviour per test. */
  impl: {
    predict(symbol: string, trend: Trend): Promise<PredictionView>;
    deploy(request: DeployRequest): Promise<DeploySummary>;
    chart(kind: 'shap' | 'pool' | 'daily', symbol: string): Promise<ChartImage | null>;
  };
}

export function fakeServices(options: { config?: AppConfig; store?: SubscriptionStore & JobRunStore; champions?: DeployedModel[] } = {}): FakeServices {
  const config = options.config ?? testConfig();
  const store = (options.store ?? new MemoryChatStore()) as unknown as Store;
  const champions = options.champions ?? config.symbols.flatMap((s) => [champion(s, 'uptrend'), champion(s, 'downtrend')]);
  const logger = memoryLogger();
  const calls: FakeServices['calls'] = [];
  let deploying = false;
  const record = (method: string, ...args: unknown[]) => calls.push({ method, args });

  const impl: FakeServices['impl'] = {
    async predict(symbol, trend) {
      return prediction(symbol, trend, 0.731, config.signalThreshold);
    },
    async deploy(request) {
      const symbols = request.symbols ?? config.symbols.slice(0, 3);
      request.onProgress?.({ type: 'start', trend: request.trend, symbols, classifiers: ['xgboost'], total: symbols.length });
      const done = [];
      for (const [i, symbol] of symbols.entries()) {
        await new Promise((r) => setTimeout(r, 5));
        const summary = { symbol, trend: request.trend, ok: true, selected: 'xgboost', testMetrics: { overall: 0.7 }, registered: i % 2 === 0, version: 4, becameChampion: i === 0, gateReason: i % 2 === 0 ? undefined : 'overall 0.55 < 0.60' };
        done.push(summary);
        request.onProgress?.({ type: 'symbol', summary, done: i + 1, total: symbols.length });
      }
      return { trend: request.trend, protocol: 'walk-forward', startedAt: new Date(), seconds: 75, symbols: done };
    },
    async chart(kind, symbol) {
      return { name: `${kind}-${symbol}.png`, png: tinyPng(kind.length), title: `${kind} chart for ${symbol}` };
    },
  };

  const services: FakeServices = {
    config,
    store,
    logger,
    calls,
    impl,
    knownSymbols: () => config.symbols,
    async listChampions(trend) {
      record('listChampions', trend);
      return champions.filter((c) => trend === undefined || c.trend === trend);
    },
    async getChampion(symbol, trend) {
      record('getChampion', symbol, trend);
      return champions.find((c) => c.symbol === symbol && c.trend === trend) ?? null;
    },
    async predict(symbol, trend) {
      record('predict', symbol, trend);
      return impl.predict(symbol, trend);
    },
    async batchPredict(trend) {
      record('batchPredict', trend);
      return { trend, predictions: [], failures: [] };
    },
    async resolveOutcomes() {
      return 0;
    },
    async liveStats() {
      return null;
    },
    async deploy(request) {
      record('deploy', request.trend, request.symbols, request.actor);
      if (deploying) throw new DeploymentBusyError();
      deploying = true;
      try {
        return await impl.deploy(request);
      } finally {
        deploying = false;
      }
    },
    isDeploying: () => deploying,
    charts: {
      shapImportance: (symbol) => impl.chart('shap', symbol),
      poolMetrics: (symbol) => impl.chart('pool', symbol),
      dailySignals: async () => impl.chart('daily', 'all'),
    },
  };
  return services;
}
