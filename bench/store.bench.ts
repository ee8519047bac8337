/**
 * Storage figures (issues 3 and 12), for the embedded store in a temporary directory, and for MongoDB when
 * MONGODB_URI is set (in a throw-away database that is dropped afterwards):
 * - recording one deployment: 1 parent run + 10 child runs with metrics, a ~200 KB artifact, and one
 *   registerVersion that moves the champion alias;
 * - inserting 10,000 predictions (20 coins x 2 trends x 250 days, 19 features each) with savePredictions;
 * - a filtered query over them: symbol + trend + as-of range, one page of 100;
 * - embedded only: reopening the store with all of that in it;
 * - embedded only: GET /models latency of the real service while a CLI deploy writes to the same data directory
 *   (store-contention.ts).
 *
 * Before/after in one run: BENCH_BASELINE_REF=<git ref> also measures that commit's embedded store (e.g. 9017027,
 * the journal store this SQLite store replaced), alternating the two `BENCH_REPEATS` times (default 3) so that both
 * see the same machine load. Targets are this project's own, reported and never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { Store } from '../src/store/ports.ts';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.ts';
import { openMongoStore } from '../src/store/mongo/mongo-store.ts';
import { benchArtifact, predictions, recordDeployment, SYMBOLS } from './store-records.ts';
import { modelsWhileWriting } from './store-contention.ts';
import { extractBaseline } from './shared.ts';

const TARGETS = { deploymentMs: 250, insert10kPredictionsMs: 3000, filteredQueryMs: 50 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 100) / 100;

type Figures = { deploymentMs: number; insert10kPredictionsMs: number; filteredQueryMs: number; reopenMs?: number } & Record<string, unknown>;

async function measure(store: Store, reopen?: () => Promise<Store>): Promise<Figures> {
  const artifact = benchArtifact();
  const deployTimes: number[] = [];
  for (const symbol of SYMBOLS.slice(0, 7)) {
    const t = performance.now();
    await recordDeployment(store, symbol, artifact);
    deployTimes.push(performance.now() - t);
  }
  const deploymentMs = median(deployTimes.slice(1)); // the first one pays for warm-up

  const batch = predictions();
  let t = performance.now();
  await store.savePredictions(batch);
  const insert10kPredictionsMs = performance.now() - t;

  const queryTimes: number[] = [];
  let hits = 0;
  for (let i = 0; i < 21; i++) {
    t = performance.now();
    const page = await store.listPredictions({ symbol: 'ETH', trend: 'downtrend', from: '2024-02-01', to: '2024-07-31', limit: 100 });
    queryTimes.push(performance.now() - t);
    hits = page.total;
  }
  const filteredQueryMs = median(queryTimes.slice(1));

  const result: Figures = {
    deploymentMs: round(deploymentMs),
    firstDeploymentMs: round(deployTimes[0]!),
    artifactBytes: artifact.byteLength,
    insert10kPredictionsMs: round(insert10kPredictionsMs),
    predictions: batch.length,
    filteredQueryMs: round(filteredQueryMs),
    filteredQueryMatches: hits,
  };
  if (reopen) {
    t = performance.now();
    const reopened = await reopen();
    result.reopenMs = round(performance.now() - t);
    result.reopenedPredictions = (await reopened.listPredictions({ limit: 1 })).total;
  }
  return result;
}

const withTargets = (f: Figures) => ({
  ...f,
  targets: TARGETS,
  met: {
    deployment: f.deploymentMs <= TARGETS.deploymentMs,
    insert10kPredictions: f.insert10kPredictionsMs <= TARGETS.insert10kPredictionsMs,
    filteredQuery: f.filteredQueryMs <= TARGETS.filteredQueryMs,
  },
});

type OpenEmbedded = (o: { dataDir: string }) => Promise<Store>;

async function measureEmbedded(open: OpenEmbedded): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-bench-store-'));
  let store = await open({ dataDir: dir });
  try {
    return await measure(store, async () => {
      await store.close();
      store = await open({ dataDir: dir });
      return store;
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Medians of each figure over several runs. */
function medianFigures(runs: Figures[]): Figures {
  const keys = ['deploymentMs', 'insert10kPredictionsMs', 'filteredQueryMs', 'reopenMs'] as const;
  return { ...runs[0]!, ...Object.fromEntries(keys.map((k) => [k, round(median(runs.map((r) => r[k] as number)))])), runs: runs.length } as Figures;
}

async function compareWithBaseline(ref: string): Promise<Record<string, unknown>> {
  const repeats = Number(process.env.BENCH_REPEATS ?? 3);
  const { srcDir, cleanup } = extractBaseline(ref, 'store');
  try {
    const baseline = (await import(pathToFileURL(join(srcDir, 'store', 'embedded', 'embedded-store.ts')).href)) as { openEmbeddedStore: OpenEmbedded };
    const current: Figures[] = [];
    const before: Figures[] = [];
    for (let i = 0; i < repeats; i++) {
      before.push(await measureEmbedded(baseline.openEmbeddedStore));
      current.push(await measureEmbedded(openEmbeddedStore));
    }
    return { embedded: withTargets(medianFigures(current)), [`baseline ${ref}`]: medianFigures(before) };
  } finally {
    cleanup();
  }
}

export default async function storeBench(): Promise<Record<string, unknown>> {
  const ref = process.env.BENCH_BASELINE_REF;
  const out: Record<string, unknown> = ref ? await compareWithBaseline(ref) : { embedded: withTargets(await measureEmbedded(openEmbeddedStore)) };
  out.modelsWhileCliDeploys = await modelsWhileWriting();

  const uri = process.env.MONGODB_URI;
  if (!uri) {
    out.mongo = { skipped: 'MONGODB_URI not set' };
    return out;
  }
  const dbName = `signal_pool_bench_${randomUUID().slice(0, 8)}`;
  const mongo = await openMongoStore({ uri, dbName, connectTimeoutMs: 10_000 });
  try {
    out.mongo = withTargets(await measure(mongo));
  } catch (err) {
    out.mongo = { error: err instanceof Error ? err.message : String(err) };
  } finally {
    await mongo.close();
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    await client.db(dbName).dropDatabase().finally(() => client.close());
  }
  return out;
}
