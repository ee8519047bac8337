/**
 * The storage contract suite: the behaviour src/store/ports.ts promises, checked the same way against every
 * implementation (embedded.test.ts always, mongo.test.ts when MONGODB_URI is set). Each test gets a fresh, empty
 * store from `makeStore` and disposes of it. The multi-process cases (multi-process.ts) open the same store from
 * other processes, the service and the CLI included.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Candle } from '../../src/data/candle.ts';
import type { NewPrediction, NewVersion, Store, VersionTags } from '../../src/store/ports.ts';
import { AliasConflictError, NotFoundError, registeredModelName } from '../../src/store/ports.ts';
import { decodeArtifact, encodeArtifact } from '../../src/store/artifact-format.ts';
import { runMultiProcessContract, type SharedStore, type StoreCapabilities } from './multi-process.ts';

export type { SharedStore, StoreCapabilities };

export interface StoreHandle {
  readonly store: Store;
  /** Closes the current store and opens a new one on the same data; returns it. */
  reopen(): Promise<Store>;
  /** Closes whatever is open and removes the data. */
  cleanup(): Promise<void>;
  /** How other processes (children, the service, the CLI) open this same store. */
  readonly shared: SharedStore;
}

export function runStoreContract(name: string, makeStore: () => Promise<StoreHandle>, capabilities: StoreCapabilities): void {
  async function withStore(fn: (store: Store, handle: StoreHandle) => Promise<void>): Promise<void> {
    const handle = await makeStore();
    try {
      await fn(handle.store, handle);
    } finally {
      await handle.cleanup();
    }
  }

  describe(`${name} store contract`, () => {
    // ------------------------------------------------------------ runs
    test('runs: create, read, update (merging maps), end, delete', () =>
      withStore(async (store) => {
        const start = new Date('2024-03-01T10:00:00Z');
        const parent = await store.createRun({ experiment: 'deploy/uptrend', name: 'BTC uptrend', symbol: 'BTC', trend: 'uptrend', params: { window: 10 }, tags: { by: 'test' }, startTime: start });
        assert.equal(parent.status, 'RUNNING');
        assert.equal(parent.parentRunId, null);
        assert.equal(parent.endTime, null);
        assert.equal(parent.artifactId, null);
        assert.deepEqual(parent.startTime, start);
        assert.deepEqual(parent.metrics, {});

        const child = await store.createRun({ experiment: 'deploy/uptrend', parentRunId: parent.id, name: 'XGBoost', symbol: 'BTC', trend: 'uptrend' });
        assert.equal(child.parentRunId, parent.id);

        const updated = await store.updateRun(child.id, { params: { depth: 5 }, metrics: { overall: 0.61, precision: 0.7 }, tags: { note: 'x' }, artifactId: 'art-1' });
        const again = await store.updateRun(child.id, { params: { rounds: 200 }, metrics: { overall: 0.62 } });
        assert.deepEqual(updated.metrics, { overall: 0.61, precision: 0.7 });
        assert.deepEqual(again.params, { depth: 5, rounds: 200 });
        assert.deepEqual(again.metrics, { overall: 0.62, precision: 0.7 });
        assert.deepEqual(again.tags, { note: 'x' });
        assert.equal(again.artifactId, 'art-1');

        const failed = await store.endRun(child.id, 'FAILED', 'fit exploded');
        assert.equal(failed.status, 'FAILED');
        assert.equal(failed.error, 'fit exploded');
        assert.ok(failed.endTime instanceof Date);
        const finished = await store.endRun(parent.id, 'FINISHED');
        assert.equal(finished.error, null);

        const read = await store.getRun(child.id);
        assert.deepEqual(read, failed);
        // Plain data: changing what we got back changes nothing stored.
        (read!.params as Record<string, unknown>).depth = 99;
        assert.equal((await store.getRun(child.id))!.params.depth, 5);

        // Deleting a deployment's parent run takes its child runs with it.
        assert.equal(await store.deleteRun(parent.id), true);
        assert.equal(await store.getRun(parent.id), null);
        assert.equal(await store.getRun(child.id), null);
        assert.equal(await store.deleteRun(parent.id), false);
      }));

    test('runs: unknown ids are reported', () =>
      withStore(async (store) => {
        await assert.rejects(store.updateRun('no-such-run', { metrics: { a: 1 } }), NotFoundError);
        await assert.rejects(store.endRun('no-such-run', 'FINISHED'), NotFoundError);
        await assert.rejects(store.createRun({ experiment: 'e', name: 'n', parentRunId: 'no-such-run' }), NotFoundError);
        assert.equal(await store.getRun('no-such-run'), null);
      }));

    test('runs: NaN and infinite metrics survive storage', () =>
      withStore(async (store, handle) => {
        const run = await store.createRun({ experiment: 'e', name: 'n' });
        await store.updateRun(run.id, { metrics: { precision: Number.NaN, lift: Number.POSITIVE_INFINITY, auc: 0.5 } });
        const reopened = await handle.reopen();
        const read = await reopened.getRun(run.id);
        assert.ok(Number.isNaN(read!.metrics.precision));
        assert.equal(read!.metrics.lift, Number.POSITIVE_INFINITY);
        assert.equal(read!.metrics.auc, 0.5);
      }));

    test('runs: filters, newest-first order and pagination', () =>
      withStore(async (store) => {
        const t = (day: number) => new Date(Date.UTC(2024, 0, day, 12));
        const a = await store.createRun({ experiment: 'deploy/uptrend', name: 'BTC up', symbol: 'BTC', trend: 'uptrend', startTime: t(1) });
        const b = await store.createRun({ experiment: 'deploy/downtrend', name: 'BTC down', symbol: 'BTC', trend: 'downtrend', startTime: t(2) });
        const c = await store.createRun({ experiment: 'deploy/uptrend', name: 'ETH up', symbol: 'ETH', trend: 'uptrend', startTime: t(3) });
        const c1 = await store.createRun({ experiment: 'deploy/uptrend', parentRunId: c.id, name: 'Ridge', symbol: 'ETH', trend: 'uptrend', startTime: t(4) });
        const c2 = await store.createRun({ experiment: 'deploy/uptrend', parentRunId: c.id, name: 'MLP', symbol: 'ETH', trend: 'uptrend', startTime: t(5) });
        await store.endRun(a.id, 'FINISHED');
        await store.endRun(c1.id, 'FAILED', 'boom');

        const ids = async (filter: Parameters<Store['listRuns']>[0]) => (await store.listRuns(filter)).items.map((r) => r.id);
        assert.deepEqual(await ids({}), [c2.id, c1.id, c.id, b.id, a.id]);
        assert.deepEqual(await ids({ symbol: 'BTC' }), [b.id, a.id]);
        assert.deepEqual(await ids({ trend: 'uptrend' }), [c2.id, c1.id, c.id, a.id]);
        assert.deepEqual(await ids({ symbol: 'ETH', trend: 'uptrend', parentRunId: null }), [c.id]);
        assert.deepEqual(await ids({ parentRunId: c.id }), [c2.id, c1.id]);
        assert.deepEqual(await ids({ status: 'FINISHED' }), [a.id]);
        assert.deepEqual(await ids({ status: 'FAILED' }), [c1.id]);
        assert.deepEqual(await ids({ status: 'RUNNING', parentRunId: null }), [c.id, b.id]);
        assert.deepEqual(await ids({ experiment: 'deploy/downtrend' }), [b.id]);
        assert.deepEqual(await ids({ startedAfter: t(2), startedBefore: t(4) }), [c.id, b.id]);
        assert.deepEqual(await ids({ symbol: 'SOL' }), []);

        const page1 = await store.listRuns({ limit: 2 });
        assert.deepEqual(page1.items.map((r) => r.id), [c2.id, c1.id]);
        assert.equal(page1.total, 5);
        assert.equal(page1.nextOffset, 2);
        const page3 = await store.listRuns({ limit: 2, offset: 4 });
        assert.deepEqual(page3.items.map((r) => r.id), [a.id]);
        assert.equal(page3.nextOffset, null);
        await assert.rejects(store.listRuns({ limit: 0 }), RangeError);
        await assert.rejects(store.listRuns({ offset: -1 }), RangeError);
      }));

    // ------------------------------------------------------------ artifacts
    test('artifacts: put, get, delete', () =>
      withStore(async (store) => {
        const bytes = new Uint8Array([0, 1, 2, 250, 255]);
        const id = await store.putArtifact(bytes, { kind: 'Ridge' });
        assert.deepEqual(await store.getArtifact(id), bytes);
        const other = await store.putArtifact(new Uint8Array(0));
        assert.notEqual(other, id);
        assert.equal((await store.getArtifact(other)).byteLength, 0);
        assert.equal(await store.deleteArtifact(id), true);
        assert.equal(await store.deleteArtifact(id), false);
        await assert.rejects(store.getArtifact(id), NotFoundError);
        await assert.rejects(store.getArtifact('not-an-id'), NotFoundError);
      }));

    test('artifacts: a 20 MB artifact round-trips intact', () =>
      withStore(async (store, handle) => {
        const raw = randomBytes(20 * 1024 * 1024);
        const rawId = await store.putArtifact(raw);
        // And a 20 MB model in the artifact format, stored and loaded back.
        const weights = new Float64Array(2_500_000);
        for (let i = 0; i < weights.length; i++) weights[i] = Math.sin(i) * 1e3;
        const modelId = await store.putArtifact(encodeArtifact({ kind: 'MLP', params: { hidden: 64 }, featureNames: ['a', 'b'], state: { weights } }));
        const reopened = await handle.reopen();
        assert.ok(Buffer.from(await reopened.getArtifact(rawId)).equals(raw));
        const decoded = decodeArtifact(await reopened.getArtifact(modelId), { expectedFeatureNames: ['a', 'b'] });
        const back = (decoded.state as { weights: Float64Array }).weights;
        assert.ok(back instanceof Float64Array);
        assert.equal(back.length, weights.length);
        assert.ok(Buffer.from(back.buffer).equals(Buffer.from(weights.buffer)));
      }));

    // ------------------------------------------------------------ model registry
    test('registry: registered models and versions (create, read, list, delete)', () =>
      withStore(async (store) => {
        const name = registeredModelName('BTC', 'uptrend');
        assert.equal(name, 'BTC_uptrend_model');
        const m = await store.ensureRegisteredModel(name, 'BTC', 'uptrend');
        assert.equal(m.latestVersion, 0);
        const again = await store.ensureRegisteredModel(name, 'BTC', 'uptrend');
        assert.deepEqual(again.createdAt, m.createdAt);
        await assert.rejects(store.ensureRegisteredModel(name, 'ETH', 'uptrend'), /belongs to BTC uptrend/);
        await store.ensureRegisteredModel('ETH_downtrend_model', 'ETH', 'downtrend');

        const run = await store.createRun({ experiment: 'deploy/uptrend', name: 'BTC up', symbol: 'BTC', trend: 'uptrend' });
        const v1 = await store.registerVersion(newVersion('BTC', 'uptrend', run.id, 'art-1', 'XGBoost'));
        const v2 = await store.registerVersion(newVersion('BTC', 'uptrend', run.id, 'art-2', 'Ridge'));
        assert.equal(v1.version.version, 1);
        assert.equal(v2.version.version, 2);
        assert.equal(v1.promoted, false);
        assert.deepEqual(v2.version.tags, tags('Ridge'));
        assert.equal(v2.version.sourceRunId, run.id);
        assert.equal(v2.version.artifactId, 'art-2');
        assert.ok(v2.version.createdAt instanceof Date);

        assert.deepEqual(await store.getVersion(name, 2), v2.version);
        assert.equal(await store.getVersion(name, 3), null);
        assert.deepEqual((await store.listVersions(name)).map((v) => v.version), [1, 2]);
        assert.equal((await store.getRegisteredModel(name))!.latestVersion, 2);
        assert.deepEqual((await store.listRegisteredModels()).map((x) => x.name), ['BTC_uptrend_model', 'ETH_downtrend_model']);
        assert.deepEqual((await store.listRegisteredModels({ trend: 'downtrend' })).map((x) => x.name), ['ETH_downtrend_model']);
        assert.deepEqual((await store.listRegisteredModels({ symbol: 'BTC' })).map((x) => x.name), ['BTC_uptrend_model']);

        // registerVersion creates a missing registered model.
        const sol = await store.registerVersion(newVersion('SOL', 'downtrend', run.id, 'art-3', 'KNeighbors'));
        assert.equal(sol.version.version, 1);
        assert.equal((await store.getRegisteredModel('SOL_downtrend_model'))!.trend, 'downtrend');

        await store.setAlias(name, 'champion', 1, { reason: 'first', actor: 'test' });
        assert.equal(await store.deleteRegisteredModel(name), true);
        assert.equal(await store.getRegisteredModel(name), null);
        assert.deepEqual(await store.listVersions(name), []);
        assert.equal(await store.getAlias(name, 'champion'), null);
        assert.deepEqual(await store.aliasHistory(name), []);
        assert.equal(await store.deleteRegisteredModel(name), false);
      }));

    test('registry: concurrent registrations of the same model get distinct numbers', () =>
      withStore(async (store) => {
        const name = registeredModelName('ETH', 'uptrend');
        const [a, b] = await Promise.all([
          store.registerVersion(newVersion('ETH', 'uptrend', 'run-a', 'art-a', 'XGBoost')),
          store.registerVersion(newVersion('ETH', 'uptrend', 'run-b', 'art-b', 'Ridge')),
        ]);
        assert.deepEqual([a.version.version, b.version.version].sort(), [1, 2]);
        // Ten more, all promoting: every number distinct, the alias history a consistent chain.
        const many = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.registerVersion({ ...newVersion('ETH', 'uptrend', `run-${i}`, `art-${i}`, 'MLP'), promote: { alias: 'champion', reason: `r${i}`, actor: 'test' } }),
          ),
        );
        const numbers = many.map((r) => r.version.version).sort((x, y) => x - y);
        assert.deepEqual(numbers, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        const history = await store.aliasHistory(name, 'champion');
        assert.equal(history.length, 10);
        assert.equal(history[0]!.fromVersion, null);
        for (let i = 1; i < history.length; i++) assert.equal(history[i]!.fromVersion, history[i - 1]!.toVersion);
        assert.equal((await store.getAlias(name, 'champion'))!.version, history.at(-1)!.toVersion);
        assert.deepEqual((await store.listVersions(name)).map((v) => v.version), Array.from({ length: 12 }, (_, i) => i + 1));
      }));

    test('registry: alias moves are atomic compare-and-set operations with a promotion history', () =>
      withStore(async (store) => {
        const name = registeredModelName('BTC', 'downtrend');
        for (let i = 0; i < 3; i++) await store.registerVersion(newVersion('BTC', 'downtrend', 'run', `art-${i}`, 'Ridge'));
        assert.equal(await store.getAlias(name, 'champion'), null);

        const first = await store.setAlias(name, 'champion', 1, { reason: 'first deploy', actor: 'alice', expectedCurrent: null });
        assert.equal(first.fromVersion, null);
        assert.equal(first.toVersion, 1);
        const second = await store.setAlias(name, 'champion', 2, { reason: 'better overall', actor: 'bob', expectedCurrent: 1 });
        assert.equal(second.fromVersion, 1);
        assert.equal((await store.getAlias(name, 'champion'))!.version, 2);

        // A stale expectation changes nothing.
        await assert.rejects(store.setAlias(name, 'champion', 3, { reason: 'stale', actor: 'carol', expectedCurrent: 1 }), AliasConflictError);
        await assert.rejects(store.setAlias(name, 'champion', 3, { reason: 'stale', actor: 'carol', expectedCurrent: null }), AliasConflictError);
        assert.equal((await store.getAlias(name, 'champion'))!.version, 2);

        // Two movers racing with the same expectation: exactly one wins.
        const race = await Promise.allSettled([
          store.setAlias(name, 'champion', 3, { reason: 'race a', actor: 'a', expectedCurrent: 2 }),
          store.setAlias(name, 'champion', 1, { reason: 'race b', actor: 'b', expectedCurrent: 2 }),
        ]);
        assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
        assert.ok(race.some((r) => r.status === 'rejected' && r.reason instanceof AliasConflictError));

        await assert.rejects(store.setAlias(name, 'champion', 9, { reason: 'x', actor: 'x' }), NotFoundError);
        await assert.rejects(store.setAlias('NOPE_uptrend_model', 'champion', 1, { reason: 'x', actor: 'x' }), NotFoundError);
        await store.setAlias(name, 'challenger', 3, { reason: 'shadow', actor: 'alice' });

        const history = await store.aliasHistory(name);
        assert.deepEqual(history.map((h) => [h.alias, h.fromVersion, h.toVersion, h.actor]).slice(0, 2), [
          ['champion', null, 1, 'alice'],
          ['champion', 1, 2, 'bob'],
        ]);
        assert.equal(history.length, 4);
        assert.equal(history[0]!.reason, 'first deploy');
        assert.ok(history[0]!.at instanceof Date);
        assert.ok(history[0]!.at.getTime() <= history[3]!.at.getTime());
        assert.deepEqual((await store.aliasHistory(name, 'challenger')).map((h) => h.toVersion), [3]);
        assert.deepEqual(await store.aliasHistory('NOPE_uptrend_model'), []);
      }));

    test('registry: registerVersion can promote in the same step; listAliased filters', () =>
      withStore(async (store) => {
        const r1 = await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run', 'a1', 'XGBoost'), promote: { alias: 'champion', reason: 'first', actor: 'deploy' } });
        assert.equal(r1.promoted, true);
        await store.registerVersion(newVersion('BTC', 'uptrend', 'run', 'a2', 'Ridge')); // not promoted
        await store.registerVersion({ ...newVersion('ETH', 'downtrend', 'run', 'a3', 'MLP'), promote: { alias: 'champion', reason: 'first', actor: 'deploy' } });
        await store.registerVersion(newVersion('SOL', 'uptrend', 'run', 'a4', 'MLP')); // no champion

        assert.equal((await store.getAlias('BTC_uptrend_model', 'champion'))!.version, 1);
        assert.equal((await store.getAlias('BTC_uptrend_model', 'champion'))!.tags.classifier, 'XGBoost');
        const all = await store.listAliased('champion');
        assert.deepEqual(all.map((v) => [v.modelName, v.version]), [['BTC_uptrend_model', 1], ['ETH_downtrend_model', 1]]);
        assert.deepEqual((await store.listAliased('champion', { trend: 'downtrend' })).map((v) => v.modelName), ['ETH_downtrend_model']);
        assert.deepEqual((await store.listAliased('champion', { symbol: 'BTC' })).map((v) => v.modelName), ['BTC_uptrend_model']);
        assert.deepEqual(await store.listAliased('challenger'), []);

        const r3 = await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run', 'a5', 'MLP'), promote: { alias: 'champion', reason: 'beats v1', actor: 'deploy' } });
        assert.equal(r3.version.version, 3);
        const history = await store.aliasHistory('BTC_uptrend_model', 'champion');
        assert.deepEqual(history.map((h) => [h.fromVersion, h.toVersion, h.reason]), [[null, 1, 'first'], [1, 3, 'beats v1']]);
      }));

    // ------------------------------------------------------------ predictions
    test('predictions: idempotent per (model, version, asOf); outcomes; delete', () =>
      withStore(async (store) => {
        const first = await store.savePrediction(prediction('BTC', 'uptrend', 1, '2024-05-01', 0.7));
        assert.equal(first.outcome, null);
        assert.equal(first.classifier, 'XGBoost');
        const second = await store.savePrediction({ ...prediction('BTC', 'uptrend', 1, '2024-05-01', 0.4), features: { rsi: 10 } });
        assert.equal(second.id, first.id);
        assert.deepEqual(second.createdAt, first.createdAt);
        assert.equal(second.probability, 0.4);
        assert.deepEqual(second.features, { rsi: 10 });

        const resolved = await store.setOutcome(first.id, { label: 1, pct: 0.031, resolvedAt: new Date('2024-05-11T00:00:00Z') });
        assert.deepEqual(resolved.outcome, { label: 1, pct: 0.031, resolvedAt: new Date('2024-05-11T00:00:00Z') });
        // A later re-save keeps the outcome.
        const third = await store.savePrediction(prediction('BTC', 'uptrend', 1, '2024-05-01', 0.45));
        assert.deepEqual(third.outcome, resolved.outcome);
        assert.equal(third.id, first.id);

        // A different version is a different prediction.
        const v2 = await store.savePrediction(prediction('BTC', 'uptrend', 2, '2024-05-01', 0.5));
        assert.notEqual(v2.id, first.id);

        assert.deepEqual(await store.getPrediction(first.id), third);
        assert.deepEqual(await store.findPrediction('BTC_uptrend_model', 1, '2024-05-01'), third);
        assert.equal(await store.findPrediction('BTC_uptrend_model', 1, '2024-05-02'), null);
        await assert.rejects(store.setOutcome('no-such-id', { label: 0, pct: 0, resolvedAt: new Date() }), NotFoundError);
        await assert.rejects(store.savePrediction(prediction('BTC', 'uptrend', 1, '2024-05-01', 1.5)), RangeError);
        await assert.rejects(store.savePrediction(prediction('BTC', 'uptrend', 1, '01/05/2024', 0.5)), /date like/);

        assert.equal(await store.deletePrediction(first.id), true);
        assert.equal(await store.deletePrediction(first.id), false);
        assert.equal(await store.getPrediction(first.id), null);
      }));

    test('predictions: batch save, filters, newest-first order and pagination', () =>
      withStore(async (store) => {
        const batch: NewPrediction[] = [];
        for (let d = 1; d <= 10; d++) {
          const day = `2024-06-${String(d).padStart(2, '0')}`;
          batch.push(prediction('BTC', 'uptrend', 1, day, d / 20));
          batch.push(prediction('BTC', 'downtrend', 1, day, d / 20));
          batch.push(prediction('ETH', 'uptrend', 2, day, d / 20));
        }
        batch.push(prediction('BTC', 'uptrend', 1, '2024-06-10', 0.99)); // same key twice: the last wins
        const saved = await store.savePredictions(batch);
        assert.equal(saved.length, batch.length);
        assert.equal(saved[9 * 3]!.id, saved.at(-1)!.id);
        assert.equal(saved.at(-1)!.probability, 0.99);
        assert.equal((await store.findPrediction('BTC_uptrend_model', 1, '2024-06-10'))!.probability, 0.99);

        const all = await store.listPredictions({ limit: 1000 });
        assert.equal(all.total, 30);
        const asOfs = all.items.map((p) => p.asOf);
        assert.deepEqual(asOfs, [...asOfs].sort().reverse());

        const btcUp = await store.listPredictions({ symbol: 'BTC', trend: 'uptrend', from: '2024-06-03', to: '2024-06-07' });
        assert.deepEqual(btcUp.items.map((p) => p.asOf), ['2024-06-07', '2024-06-06', '2024-06-05', '2024-06-04', '2024-06-03']);
        assert.ok(btcUp.items.every((p) => p.symbol === 'BTC' && p.trend === 'uptrend'));
        assert.equal((await store.listPredictions({ modelName: 'ETH_uptrend_model' })).total, 10);
        assert.equal((await store.listPredictions({ modelName: 'ETH_uptrend_model', version: 1 })).total, 0);
        assert.equal((await store.listPredictions({ trend: 'downtrend' })).total, 10);

        await store.setOutcome(btcUp.items[0]!.id, { label: 0, pct: -0.01, resolvedAt: new Date() });
        assert.deepEqual((await store.listPredictions({ hasOutcome: true })).items.map((p) => p.id), [btcUp.items[0]!.id]);
        assert.equal((await store.listPredictions({ hasOutcome: false })).total, 29);

        const p1 = await store.listPredictions({ symbol: 'BTC', limit: 7 });
        const p2 = await store.listPredictions({ symbol: 'BTC', limit: 7, offset: p1.nextOffset! });
        const p3 = await store.listPredictions({ symbol: 'BTC', limit: 7, offset: p2.nextOffset! });
        assert.equal(p1.total, 20);
        assert.deepEqual([p1.items.length, p2.items.length, p3.items.length], [7, 7, 6]);
        assert.equal(p3.nextOffset, null);
        const ids = new Set([...p1.items, ...p2.items, ...p3.items].map((p) => p.id));
        assert.equal(ids.size, 20);
        assert.deepEqual(await store.savePredictions([]), []);
      }));

    // ------------------------------------------------------------ candle cache
    test('candles: upsert by date counts new or changed rows; ranges; delete', () =>
      withStore(async (store) => {
        const rows = [candle('2024-01-03', 3), candle('2024-01-01', 1), candle('2024-01-02', 2)];
        assert.equal(await store.upsertCandles('BTC', rows), 3);
        assert.equal(await store.upsertCandles('BTC', rows), 0);
        assert.equal(await store.upsertCandles('BTC', [candle('2024-01-03', 30), candle('2024-01-04', 4)]), 2);
        await store.upsertCandles('ETH', [candle('2024-01-01', 100)]);

        const all = await store.getCandles('BTC');
        assert.deepEqual(all.map((c) => c.date), ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']);
        assert.deepEqual(all[2], candle('2024-01-03', 30));
        assert.deepEqual((await store.getCandles('BTC', { from: '2024-01-02', to: '2024-01-03' })).map((c) => c.date), ['2024-01-02', '2024-01-03']);
        assert.deepEqual((await store.getCandles('BTC', { from: '2024-01-04' })).map((c) => c.date), ['2024-01-04']);
        assert.equal(await store.lastCandleDate('BTC'), '2024-01-04');
        assert.equal(await store.lastCandleDate('DOGE'), null);
        await assert.rejects(store.upsertCandles('BTC', [{ ...candle('2024-01-05', 5), close: Number.NaN }]), /close must be a finite number/);

        assert.equal(await store.deleteCandles('BTC'), 4);
        assert.deepEqual(await store.getCandles('BTC'), []);
        assert.equal((await store.getCandles('ETH')).length, 1);
      }));

    // ------------------------------------------------------------ subscriptions
    test('subscriptions: add is idempotent; list; remove', () =>
      withStore(async (store) => {
        assert.equal(await store.addSubscription('telegram', '-100123', 'admin'), true);
        assert.equal(await store.addSubscription('telegram', '-100123', 'admin'), false);
        assert.equal(await store.addSubscription('discord', '998877665544', undefined), true);
        const all = await store.listSubscriptions();
        assert.deepEqual(all.map((s) => [s.platform, s.chatId, s.createdBy]), [['discord', '998877665544', null], ['telegram', '-100123', 'admin']]);
        assert.ok(all[0]!.createdAt instanceof Date);
        assert.deepEqual((await store.listSubscriptions('telegram')).map((s) => s.chatId), ['-100123']);
        assert.equal(await store.removeSubscription('telegram', '-100123'), true);
        assert.equal(await store.removeSubscription('telegram', '-100123'), false);
        assert.deepEqual(await store.listSubscriptions('telegram'), []);
      }));

    // ------------------------------------------------------------ job runs
    test('job runs: a (job, slot) is claimed once; failed slots only on retry', () =>
      withStore(async (store) => {
        const first = await store.claimJobRun('daily', '2026-11-24', 'host-a');
        assert.equal(first.claimed, true);
        assert.equal(first.run.status, 'RUNNING');
        assert.equal(first.run.attempts, 1);
        const second = await store.claimJobRun('daily', '2026-11-24', 'host-b');
        assert.equal(second.claimed, false);
        assert.equal(second.run.owner, 'host-a');
        assert.equal((await store.claimJobRun('daily', '2026-11-24', 'host-b', { retryFailed: true })).claimed, false); // running

        const done = await store.finishJobRun('daily', '2026-11-24', { status: 'SUCCEEDED', summary: { predictions: 40 } });
        assert.equal(done.status, 'SUCCEEDED');
        assert.deepEqual(done.summary, { predictions: 40 });
        assert.ok(done.endedAt instanceof Date);
        assert.equal((await store.claimJobRun('daily', '2026-11-24', 'host-b', { retryFailed: true })).claimed, false); // succeeded

        await store.claimJobRun('daily', '2026-11-25', 'host-a');
        await store.finishJobRun('daily', '2026-11-25', { status: 'FAILED', error: 'provider down' });
        const noRetry = await store.claimJobRun('daily', '2026-11-25', 'host-b');
        assert.equal(noRetry.claimed, false);
        assert.equal(noRetry.run.error, 'provider down');
        const retry = await store.claimJobRun('daily', '2026-11-25', 'host-b', { retryFailed: true });
        assert.equal(retry.claimed, true);
        assert.equal(retry.run.attempts, 2);
        assert.equal(retry.run.owner, 'host-b');
        assert.equal(retry.run.error, null);
        assert.equal(retry.run.endedAt, null);

        // Concurrent claimers of one new slot: exactly one wins.
        const racers = await Promise.all(Array.from({ length: 5 }, (_, i) => store.claimJobRun('weekly-deploy', '2026-W48', `host-${i}`)));
        assert.equal(racers.filter((r) => r.claimed).length, 1);

        await assert.rejects(store.finishJobRun('daily', '1999-01-01', { status: 'SUCCEEDED' }), NotFoundError);
        assert.equal(await store.getJobRun('daily', '1999-01-01'), null);
        assert.equal((await store.getJobRun('daily', '2026-11-24'))!.status, 'SUCCEEDED');
      }));

    test('job runs: list with filters and pagination', () =>
      withStore(async (store) => {
        await store.claimJobRun('daily', 's1', 'o');
        await store.claimJobRun('daily-post:telegram:1', 's1', 'o');
        await store.claimJobRun('daily-post:discord:2', 's1', 'o');
        await store.claimJobRun('weekly-deploy', 'w1', 'o');
        await store.finishJobRun('weekly-deploy', 'w1', { status: 'ABANDONED' });
        assert.equal((await store.listJobRuns()).total, 4);
        assert.deepEqual((await store.listJobRuns({ jobPrefix: 'daily-post:' })).items.map((r) => r.job).sort(), ['daily-post:discord:2', 'daily-post:telegram:1']);
        assert.deepEqual((await store.listJobRuns({ job: 'daily' })).items.map((r) => r.job), ['daily']);
        assert.deepEqual((await store.listJobRuns({ status: 'ABANDONED' })).items.map((r) => r.job), ['weekly-deploy']);
        const page = await store.listJobRuns({ limit: 3 });
        assert.equal(page.items.length, 3);
        assert.equal(page.nextOffset, 3);
        const times = (await store.listJobRuns()).items.map((r) => r.startedAt.getTime());
        assert.deepEqual(times, [...times].sort((a, b) => b - a));
      }));

    // ------------------------------------------------------------ persistence
    test('everything persists across a reopen', () =>
      withStore(async (store, handle) => {
        const run = await store.createRun({ experiment: 'deploy/uptrend', name: 'BTC up', symbol: 'BTC', trend: 'uptrend', params: { a: [1, 'x', null] } });
        await store.updateRun(run.id, { metrics: { overall: 0.6 } });
        const artifact = await store.putArtifact(new Uint8Array([9, 8, 7]));
        const { version } = await store.registerVersion({ ...newVersion('BTC', 'uptrend', run.id, artifact, 'Ridge'), promote: { alias: 'champion', reason: 'first', actor: 't' } });
        const p = await store.savePrediction(prediction('BTC', 'uptrend', 1, '2024-01-01', 0.6));
        await store.setOutcome(p.id, { label: 1, pct: 0.02, resolvedAt: new Date('2024-01-11T00:00:00Z') });
        await store.upsertCandles('BTC', [candle('2024-01-01', 1)]);
        await store.addSubscription('telegram', '42');
        await store.claimJobRun('daily', '2024-01-01', 'me');
        const before = {
          run: await store.getRun(run.id),
          version: await store.getVersion(version.modelName, 1),
          champion: await store.getAlias(version.modelName, 'champion'),
          history: await store.aliasHistory(version.modelName),
          model: await store.getRegisteredModel(version.modelName),
          prediction: await store.getPrediction(p.id),
          candles: await store.getCandles('BTC'),
          subs: await store.listSubscriptions(),
          job: await store.getJobRun('daily', '2024-01-01'),
        };

        const reopened = await handle.reopen();
        assert.equal(await reopened.ping(), true);
        assert.deepEqual(await reopened.getRun(run.id), before.run);
        assert.deepEqual(await reopened.getArtifact(artifact), new Uint8Array([9, 8, 7]));
        assert.deepEqual(await reopened.getVersion(version.modelName, 1), before.version);
        assert.deepEqual(await reopened.getAlias(version.modelName, 'champion'), before.champion);
        assert.deepEqual(await reopened.aliasHistory(version.modelName), before.history);
        assert.deepEqual(await reopened.getRegisteredModel(version.modelName), before.model);
        assert.deepEqual(await reopened.getPrediction(p.id), before.prediction);
        assert.deepEqual(await reopened.getCandles('BTC'), before.candles);
        assert.deepEqual(await reopened.listSubscriptions(), before.subs);
        assert.deepEqual(await reopened.getJobRun('daily', '2024-01-01'), before.job);
        // Numbering continues after the reopen.
        assert.equal((await reopened.registerVersion(newVersion('BTC', 'uptrend', run.id, artifact, 'MLP'))).version.version, 2);
        assert.equal((await reopened.claimJobRun('daily', '2024-01-01', 'other')).claimed, false);
      }));

    test('ping answers while open and not after close', () =>
      withStore(async (store) => {
        assert.equal(await store.ping(), true);
        assert.ok(store.location.length > 0);
        await store.close();
        assert.equal(await store.ping(), false);
        await store.close(); // idempotent
      }));

    runMultiProcessContract(withStore, capabilities);
  });
}

// ------------------------------------------------------------ fixtures
export function tags(classifier: string): VersionTags {
  return {
    classifier,
    metrics: { accuracy: 0.61, precision: 0.58, overall: 0.6, positive_accuracy: 0.55, negative_accuracy: 0.65 },
    featureNames: ['rsi', 'macd', 'obv'],
    shapImportance: { rsi: 0.01, macd: -0.02, obv: 0.005 },
    shapMeanAbs: { rsi: 0.05, macd: 0.04, obv: 0.01 },
    targetPct: 0.05,
    window: 10,
    dataRange: { from: '2019-01-01', to: '2024-01-01' },
    protocol: 'seed',
  };
}

export function newVersion(symbol: string, trend: 'uptrend' | 'downtrend', runId: string, artifactId: string, classifier: string): NewVersion {
  return { modelName: registeredModelName(symbol, trend), symbol, trend, sourceRunId: runId, artifactId, tags: tags(classifier) };
}

export function prediction(symbol: string, trend: 'uptrend' | 'downtrend', version: number, asOf: string, probability: number): NewPrediction {
  return { modelName: registeredModelName(symbol, trend), version, symbol, trend, asOf, probability, features: { rsi: 55.5, macd: -0.25 }, classifier: 'XGBoost' };
}

export function candle(date: string, base: number): Candle {
  return { date, open: base, high: base + 1, low: base - 1, close: base + 0.5, volume: base * 1000 };
}
