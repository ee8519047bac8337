/**
 * GET /models latency of the real service (src/main.ts, a separate process) on an embedded store that other
 * processes write to at the same time (issue 12):
 * - quiet: nobody writes (the reference);
 * - headline: `signal-pool deploy` from the CLI, in a loop, writes runs, artifacts and new champions to the same
 *   data directory (it also trains, so it competes for the 2 cores as well as for the store);
 * - second row: a store-only writer process (bench/store-writer.ts) writing deployment records and predictions as
 *   fast as it can, without training, which isolates contention on the store.
 * Load: autocannon in a worker thread at a fixed overall rate, so the latency measures the service and not a queue
 * of requests the generator keeps full. Target: p99 <= 20 ms with the CLI deploy writing. Reported, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.ts';
import { registeredModelName } from '../src/store/ports.ts';
import { TRENDS } from '../src/data/candle.ts';
import { childEnv, collect, runCli, spawnTs, startService } from '../test/helpers/processes.ts';
import { SYMBOLS, versionTags } from './store-records.ts';
import { autocannon, latencySummary as summary } from './load.ts';

const TARGET_P99_MS = 20;
const CONNECTIONS = 10;
const RATE = Number(process.env.BENCH_MODELS_RATE ?? 500);
const DURATION_S = Number(process.env.BENCH_MODELS_SECONDS ?? 10);

export async function modelsWhileWriting(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(os.tmpdir(), 'signal-pool-bench-contention-'));
  try {
    await seedChampions(dir);
    const service = await startService({ SIGNAL_POOL_DATA_DIR: dir });
    try {
      await service.waitForLog(/store check/);
      const load = (seconds: number) =>
        autocannon({ url: `${service.url}/models`, connections: CONNECTIONS, overallRate: RATE, duration: seconds, workers: 1 });
      await load(1); // warm-up (JIT, first serialisations)
      const quiet = summary(await load(DURATION_S));

      // Headline: CLI deploys in a loop for as long as the load runs.
      let loadDone = false;
      const deploys = { finished: 0, failed: 0, lastError: '' };
      const gates = { SIGNAL_POOL_GATE_POSITIVE_ACCURACY: '0', SIGNAL_POOL_GATE_NEGATIVE_ACCURACY: '0', SIGNAL_POOL_GATE_OVERALL: '0', SIGNAL_POOL_LOG_LEVEL: 'error' };
      const deployLoop = (async () => {
        for (let i = 0; !loadDone; i++) {
          const symbols = `${SYMBOLS[(2 * i) % SYMBOLS.length]},${SYMBOLS[(2 * i + 1) % SYMBOLS.length]}`;
          const r = await runCli(['deploy', 'uptrend', '--symbols', symbols, '--classifiers', 'ridge,knn', '--protocol', 'seed', '--json'], { SIGNAL_POOL_DATA_DIR: dir, ...gates });
          if (r.code === 0) deploys.finished++;
          else {
            deploys.failed++;
            deploys.lastError = r.stderr.trim().split('\n').at(-1) ?? '';
          }
        }
      })();
      // Let the first deploy get past its start-up (loading code) and into training and writing.
      await new Promise((r) => setTimeout(r, 2000));
      const withDeploy = summary(await load(DURATION_S));
      loadDone = true;
      await deployLoop;

      // Second row: a store-only writer.
      const writer = spawnTs(fileURLToPath(new URL('./store-writer.ts', import.meta.url)), [dir], childEnv({}));
      const writerDone = collect(writer);
      await new Promise((r) => setTimeout(r, 1500));
      const withWriter = summary(await load(DURATION_S));
      writer.kill('SIGKILL');
      const written = (await writerDone).stdout.trim().split('\n').filter(Boolean).length;

      const store = await openEmbeddedStore({ dataDir: dir });
      const intactAfter = (await store.verify()).intact;
      await store.close();
      return {
        setup: {
          service: 'src/main.ts in its own process, embedded store', endpoint: 'GET /models (40 champions)', connections: CONNECTIONS,
          overallRatePerSec: RATE, durationSeconds: DURATION_S, loadGenerator: 'autocannon in a worker thread',
          // Other processes competing for the 2 cores change these figures a lot; this says how busy the machine was.
          loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
        },
        quiet,
        whileCliDeploys: { ...withDeploy, deploysFinished: deploys.finished, deploysFailed: deploys.failed, ...(deploys.lastError ? { lastError: deploys.lastError } : {}) },
        whileStoreOnlyWriter: { ...withWriter, deploymentRecordsWritten: written },
        storeIntactAfterwards: intactAfter,
        target: { maxP99Ms: TARGET_P99_MS },
        met: withDeploy.errors === 0 && deploys.failed === 0 && withDeploy.p99Ms <= TARGET_P99_MS,
      };
    } finally {
      await service.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 40 champions (20 coins x 2 trends) with the tags /models shows, and the first-start bootstrap marked done. */
async function seedChampions(dir: string): Promise<void> {
  const store = await openEmbeddedStore({ dataDir: dir });
  try {
    for (const symbol of SYMBOLS) {
      for (const trend of TRENDS) {
        const artifactId = await store.putArtifact(new Uint8Array([1, 2, 3]));
        await store.registerVersion({
          modelName: registeredModelName(symbol, trend), symbol, trend, sourceRunId: 'seed', artifactId, tags: versionTags(),
          promote: { alias: 'champion', reason: 'seed', actor: 'bench' },
        });
      }
    }
    await store.claimJobRun('bootstrap', 'initial', 'bench');
    await store.finishJobRun('bootstrap', 'initial', { status: 'SUCCEEDED' });
  } finally {
    await store.close();
  }
}
