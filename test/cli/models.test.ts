import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.ts';
import { listModelsCommand, type ModelRow } from '../../src/cli/models.ts';
import { newVersion } from '../store/contract.ts';

test('listModelsCommand shows each registered model with its champion version and metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-cli-models-'));
  const store = await openEmbeddedStore({ dataDir: dir });
  try {
    assert.match(await listModelsCommand(store, { json: false }), /No registered models yet/);
    const promote = { alias: 'champion', reason: 'first', actor: 'test' };
    await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run-1', 'a1', 'XGBoost'), promote });
    await store.registerVersion(newVersion('BTC', 'uptrend', 'run-2', 'a2', 'Ridge')); // v2, not champion
    await store.registerVersion({ ...newVersion('ETH', 'downtrend', 'run-3', 'a3', 'MLP'), promote });
    await store.ensureRegisteredModel('SOL_uptrend_model', 'SOL', 'uptrend'); // no versions yet

    const table = (await listModelsCommand(store, { json: false })).split('\n');
    assert.match(table[0]!, /^model\s+symbol\s+trend\s+champion\s+versions\s+classifier\s+overall\s+precision\s+pos_acc\s+neg_acc\s+trained$/);
    assert.equal(table.length, 5);
    const today = (await store.getAlias('BTC_uptrend_model', 'champion'))!.createdAt.toISOString().slice(0, 10);
    assert.match(table[2]!, new RegExp(`^BTC_uptrend_model\\s+BTC\\s+uptrend\\s+v1\\s+2\\s+XGBoost\\s+0\\.600\\s+0\\.580\\s+0\\.550\\s+0\\.650\\s+${today}$`));
    assert.match(table[3]!, /^ETH_downtrend_model\s+ETH\s+downtrend\s+v1\s+1\s+MLP\s/);
    assert.match(table[4]!, /^SOL_uptrend_model\s+SOL\s+uptrend\s+-\s+0\s+-\s+-\s+-\s+-\s+-\s+-$/);

    const json = JSON.parse(await listModelsCommand(store, { trend: 'uptrend', json: true })) as ModelRow[];
    assert.deepEqual(json.map((m) => [m.name, m.champion?.version ?? null, m.latestVersion]), [['BTC_uptrend_model', 1, 2], ['SOL_uptrend_model', null, 0]]);
    assert.equal(json[0]!.champion!.classifier, 'XGBoost');
    assert.equal(json[0]!.champion!.metrics.overall, 0.6);
    await assert.rejects(listModelsCommand(store, { json: false, trend: 'flat' as never }), /--trend must be uptrend or downtrend/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
