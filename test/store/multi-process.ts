/**
 * The multi-process cases of the storage contract (run by contract.ts for every backend): real processes sharing one
 * store while this test process has it open too.
 * - Two processes register versions of one model at once: numbers stay dense and unique, the champion's history is
 *   one chain, and of two compare-and-set moves from the same champion exactly one wins each round.
 * - A writer killed with SIGKILL in the middle of its work, again and again: nothing half-written is visible, and
 *   the next writer (another process, and this one) proceeds.
 * - `signal-pool deploy` from the CLI while the service (src/main.ts) answers GET /models under load: no error, and
 *   the new champion appears without a restart.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenStoreOptions } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/ports.ts';
import { decodeArtifact } from '../../src/store/artifact-format.ts';
import { childEnv, collect, runCli, spawnTs, startService } from '../helpers/processes.ts';

const CHILD = fileURLToPath(new URL('./fixtures/store-child.ts', import.meta.url));

/** How other processes reach the store a handle holds. */
export interface SharedStore {
  /** openStore options (JSON-safe) for a child process. */
  readonly options: OpenStoreOptions;
  /** Environment variables that point the service and the CLI at it. */
  readonly env: Record<string, string>;
}

export interface StoreCapabilities {
  /**
   * Version numbers stay dense even after a writer is killed mid-registration (the embedded store: one transaction).
   * MongoDB rolls such a registration back at a later start-up and leaves a gap, as MLflow does.
   */
  readonly denseVersionsAfterCrash: boolean;
  /** A savePredictions batch is all there or none after a crash (the embedded store: one transaction). */
  readonly atomicBatches: boolean;
}

type WithStore = (fn: (store: Store, handle: { shared: SharedStore }) => Promise<void>) => Promise<void>;

interface LineChild {
  readonly process: ChildProcess;
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
  end(): void;
  done: Promise<{ code: number | null; stderr: string }>;
}

function startLineChild(shared: SharedStore, args: string[]): LineChild {
  const child = spawnTs(CHILD, args, childEnv({ SP_TEST_STORE: JSON.stringify(shared.options) }));
  const done = collect(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    process: child,
    async next() {
      const { value, done: ended } = await lines.next();
      if (ended) {
        const f = await done;
        throw new Error(`child ${args.join(' ')} ended (${String(f.code ?? f.signal)}): ${f.stderr}`);
      }
      return JSON.parse(value as string) as Record<string, unknown>;
    },
    send: (line) => child.stdin!.write(`${line}\n`),
    end: () => child.stdin!.end(),
    done,
  };
}

export function runMultiProcessContract(withStore: WithStore, caps: StoreCapabilities): void {
  describe('multi-process', () => {
    test('two processes register versions of the same model at once: dense unique numbers, one winner per champion race', { timeout: 120_000 }, () =>
      withStore(async (store, { shared }) => {
        const name = 'ETH_uptrend_model';
        const a = startLineChild(shared, ['race', 'A']);
        const b = startLineChild(shared, ['race', 'B']);
        try {
          await Promise.all([a.next(), b.next()]);
          // Burst: both register and promote as fast as they can, interleaving freely.
          a.send('burst 15');
          b.send('burst 15');
          await Promise.all([a.next(), b.next()]);
          const versions = await store.listVersions(name);
          assert.deepEqual(versions.map((v) => v.version), Array.from({ length: 30 }, (_, i) => i + 1), 'dense and unique');
          const sources = versions.map((v) => v.sourceRunId).sort();
          assert.deepEqual(sources, [...Array.from({ length: 15 }, (_, i) => `A-burst-${i}`), ...Array.from({ length: 15 }, (_, i) => `B-burst-${i}`)].sort());
          const history = await store.aliasHistory(name, 'champion');
          assert.equal(history.length, 30);
          assert.equal(history[0]!.fromVersion, null);
          for (let i = 1; i < history.length; i++) assert.equal(history[i]!.fromVersion, history[i - 1]!.toVersion, 'every move starts where the previous one ended');
          assert.equal((await store.getAlias(name, 'champion'))!.version, history.at(-1)!.toVersion);

          // Compare-and-set races: both move the champion from the same version; exactly one wins each round.
          for (let round = 0; round < 8; round++) {
            const expected = (await store.getAlias(name, 'champion'))?.version ?? null;
            a.send(`cas ${expected}`);
            b.send(`cas ${expected}`);
            const results = (await Promise.all([a.next(), b.next()])) as { version: number; won: boolean }[];
            const winners = results.filter((r) => r.won);
            assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results)}`);
            assert.equal((await store.getAlias(name, 'champion'))!.version, winners[0]!.version);
          }
          assert.deepEqual((await store.listVersions(name)).map((v) => v.version), Array.from({ length: 46 }, (_, i) => i + 1));
          assert.equal((await store.aliasHistory(name, 'champion')).length, 38);
        } finally {
          for (const child of [a, b]) {
            child.send('exit');
            child.end();
          }
          const [da, db] = await Promise.all([a.done, b.done]);
          assert.equal(da.code, 0, da.stderr);
          assert.equal(db.code, 0, db.stderr);
        }
      }));

    test('a writer killed with SIGKILL mid-transaction leaves nothing half-written, and the next writer proceeds', { timeout: 180_000 }, () =>
      withStore(async (store, { shared }) => {
        const PER_BATCH = 200;
        let lastAck = -1;
        // A kill between a version and its prediction batch leaves that version without predictions for good; later
        // rounds add newer versions, so remember which versions were the newest when a writer died.
        const newestAtKill = new Set<number>();
        for (let round = 0; round < 3; round++) {
          const acked = await killWriterMidStream(shared, PER_BATCH, 6 + round * 3);
          assert.ok(acked > lastAck, `the writer of round ${round} made progress after the previous one died`);
          lastAck = acked;

          // Runs: exactly run-0 .. run-(m-1), nothing torn or duplicated.
          const runs = (await store.listRuns({ experiment: 'crash', limit: 1000 })).items;
          const m = runs.length;
          assert.ok(m > lastAck, `every acknowledged iteration is present (${m} runs, last ack ${lastAck})`);
          assert.deepEqual(runs.map((r) => r.name).sort(), Array.from({ length: m }, (_, i) => `run-${i}`).sort());
          const runByName = new Map(runs.map((r) => [r.name, r]));

          // Versions: increasing iterations, each tied to its run with a readable artifact.
          const versions = await store.listVersions('BTC_uptrend_model');
          const numbers = versions.map((v) => v.version);
          if (caps.denseVersionsAfterCrash) assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => i + 1));
          let previousIteration = -1;
          for (const v of versions) {
            const iteration = v.tags.iteration as number;
            assert.ok(iteration > previousIteration);
            previousIteration = iteration;
            assert.equal(v.sourceRunId, runByName.get(`run-${iteration}`)!.id);
            const decoded = decodeArtifact(await store.getArtifact(v.artifactId), { expectedFeatureNames: ['a', 'b'] });
            assert.equal((decoded.state as { weights: Float64Array }).weights[0], iteration);
          }

          // Version and alias move are atomic: the champion is the newest version; the history names only versions
          // that exist, and (dense stores) is the full chain.
          const newest = numbers.at(-1)!;
          assert.equal((await store.getAlias('BTC_uptrend_model', 'champion'))?.version, newest);
          const history = await store.aliasHistory('BTC_uptrend_model', 'champion');
          assert.ok(history.every((h) => numbers.includes(h.toVersion)), 'no history entry for a version that is not there');
          assert.equal(history.at(-1)!.toVersion, newest);
          if (caps.denseVersionsAfterCrash) assert.deepEqual(history.map((h) => h.toVersion), numbers);

          // Prediction batches: all or nothing where the store promises it.
          const preds = (await store.listPredictions({ modelName: 'BTC_uptrend_model', limit: 1000, offset: 0 })).total;
          assert.ok(preds <= numbers.length * PER_BATCH);
          for (const v of versions) {
            const n = (await store.listPredictions({ modelName: 'BTC_uptrend_model', version: v.version, limit: 1 })).total;
            if (caps.atomicBatches) assert.ok(n === PER_BATCH || (n === 0 && (v.version === newest || newestAtKill.has(v.version))), `version ${v.version} has ${n} predictions`);
            else assert.ok(n <= PER_BATCH);
          }
          newestAtKill.add(newest);
          // This process writes too, right after the kill.
          const check = await store.createRun({ experiment: 'check', name: `check-${round}` });
          assert.equal(await store.deleteRun(check.id), true);
        }
      }));

    test('a CLI deploy while the service answers /models under load: no error, and the new champion appears', { timeout: 240_000 }, () =>
      withStore(async (store, { shared }) => {
        // A registry with no model would make the service bootstrap (train every coin); mark that as done.
        await store.claimJobRun('bootstrap', 'initial', 'test');
        await store.finishJobRun('bootstrap', 'initial', { status: 'SUCCEEDED' });
        const service = await startService(shared.env);
        const statuses = new Map<number, number>();
        const errors: string[] = [];
        const seen: string[] = []; // BTC uptrend champion version per response, '-' when absent
        let running = true;
        const client = async () => {
          while (running) {
            try {
              const res = await fetch(`${service.url}/models?trend_type=uptrend`);
              statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
              const body = (await res.json()) as { symbol: string; version?: number }[] | unknown;
              if (res.status !== 200 || !Array.isArray(body)) errors.push(`${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
              else seen.push(String(body.find((m: { symbol: string }) => m.symbol === 'BTC')?.version ?? '-'));
            } catch (err) {
              errors.push((err as Error).message);
            }
          }
        };
        try {
          const clients = Array.from({ length: 6 }, client);
          const gates = { SIGNAL_POOL_GATE_POSITIVE_ACCURACY: '0', SIGNAL_POOL_GATE_NEGATIVE_ACCURACY: '0', SIGNAL_POOL_GATE_OVERALL: '0' };
          const deploy = await runCli(['deploy', 'uptrend', '--symbols', 'BTC', '--classifiers', 'ridge,knn', '--protocol', 'seed', '--json'], { ...shared.env, ...gates, SIGNAL_POOL_LOG_LEVEL: 'error' });
          assert.equal(deploy.code, 0, deploy.stderr);
          const summary = deploy.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.type === 'summary')!;
          assert.equal(summary.registered, true, JSON.stringify(summary));
          const champion = (await store.getAlias('BTC_uptrend_model', 'champion'))!;
          // The service sees the new champion on its next request, without a restart.
          const deadline = Date.now() + 10_000;
          while (seen.at(-1) !== String(champion.version) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          running = false;
          await Promise.all(clients);
          assert.deepEqual(errors, []);
          assert.deepEqual([...statuses.keys()], [200]);
          assert.ok(seen.length > 20, `the service answered ${seen.length} requests during the deploy`);
          assert.equal(seen[0], '-', 'no BTC champion before the deploy');
          assert.equal(seen.at(-1), String(champion.version), 'the new champion appears');
          // Once it appeared, it stayed.
          assert.ok(seen.slice(seen.indexOf(String(champion.version))).every((v) => v === String(champion.version)));
        } finally {
          running = false;
          const stopped = await service.stop();
          assert.equal(stopped.code, 0, stopped.stderr);
        }
      }));
  });
}

/** Starts a deploy-loop writer, waits for `acks` completed iterations, then kills it with SIGKILL at a random moment. */
async function killWriterMidStream(shared: SharedStore, perBatch: number, acks: number): Promise<number> {
  const child = spawnTs(CHILD, ['deploy-loop', String(perBatch)], childEnv({ SP_TEST_STORE: JSON.stringify(shared.options) }));
  const finished = collect(child);
  let lastAck = -1;
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk) => {
      buffered += String(chunk);
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) {
        lastAck = Number(p);
        // A random moment within the next iteration: often inside a transaction (the prediction batch's is longest).
        if (++seen === acks) setTimeout(() => { child.kill('SIGKILL'); resolve(); }, Math.random() * 40);
      }
    });
    void finished.then((f) => {
      if (f.signal !== 'SIGKILL') reject(new Error(`the writer exited early (${String(f.code ?? f.signal)}): ${f.stderr}`));
    });
  });
  await finished; // reaped
  return lastAck;
}

