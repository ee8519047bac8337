import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run } from '../../src/store/ports.ts';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.ts';
import { formatRuns, listRunsCommand } from '../../src/cli/runs.ts';
import { CliError } from '../../src/cli/errors.ts';

function run(overrides: Partial<Run>): Run {
  return {
    id: '0123456789abcdef',
    experiment: 'deploy/uptrend',
    parentRunId: null,
    name: 'XGBoost',
    symbol: 'BTC',
    trend: 'uptrend',
    params: {},
    metrics: {},
    tags: {},
    status: 'FINISHED',
    error: null,
    startTime: new Date('2024-05-06T07:08:09Z'),
    endTime: null,
    artifactId: null,
    ...overrides,
  };
}

test('formatRuns prints a table with short ids, UTC minutes and the key metrics', () => {
  const text = formatRuns(
    [
      run({ metrics: { overall: 0.61234, precision: 0.7, positive_accuracy: 0.55, negative_accuracy: 0.66, auc: 0.6 } }),
      run({ id: 'ffffffff-1111', name: 'Ridge', status: 'FAILED', symbol: null, trend: null, metrics: { overall: Number.NaN } }),
    ],
    { json: false },
  );
  const lines = text.split('\n');
  assert.match(lines[0]!, /^id\s+started \(UTC\)\s+symbol\s+trend\s+name\s+status\s+overall\s+precision\s+pos_acc\s+neg_acc$/);
  assert.match(lines[2]!, /^01234567\s+2024-05-06 07:08\s+BTC\s+uptrend\s+XGBoost\s+FINISHED\s+0\.612\s+0\.700\s+0\.550\s+0\.660$/);
  assert.match(lines[3]!, /^ffffffff\s+2024-05-06 07:08\s+-\s+-\s+Ridge\s+FAILED\s+-\s+-\s+-\s+-$/);
  assert.equal(formatRuns([], { json: false }), 'No runs found.');
});

test('formatRuns --json gives the full runs with ISO dates', () => {
  const parsed = JSON.parse(formatRuns([run({ metrics: { overall: 0.5 } })], { json: true })) as Record<string, unknown>[];
  assert.equal(parsed.length, 1);
  assert.equal(parsed[0]!.id, '0123456789abcdef');
  assert.equal(parsed[0]!.startTime, '2024-05-06T07:08:09.000Z');
  assert.deepEqual(parsed[0]!.metrics, { overall: 0.5 });
});

test('listRunsCommand filters by symbol and trend, limits, and validates its options', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-cli-runs-'));
  const store = await openEmbeddedStore({ dataDir: dir });
  try {
    for (const [symbol, trend, day] of [['BTC', 'uptrend', 1], ['BTC', 'downtrend', 2], ['ETH', 'uptrend', 3]] as const) {
      const r = await store.createRun({ experiment: `deploy/${trend}`, name: `${symbol} ${trend}`, symbol, trend, startTime: new Date(Date.UTC(2024, 0, day)) });
      await store.updateRun(r.id, { metrics: { overall: day / 10 } });
    }
    const btc = await listRunsCommand(store, { symbol: 'btc', json: false });
    assert.match(btc, /BTC downtrend[\s\S]*BTC uptrend/);
    assert.doesNotMatch(btc, /ETH/);
    const up = JSON.parse(await listRunsCommand(store, { trend: 'uptrend', json: true })) as { name: string }[];
    assert.deepEqual(up.map((r) => r.name), ['ETH uptrend', 'BTC uptrend']);
    const limited = await listRunsCommand(store, { json: false, limit: 2 });
    assert.match(limited, /Showing the newest 2 of 3 runs; use --limit to see more\./);
    await assert.rejects(listRunsCommand(store, { json: false, limit: Number('abc') }), (e: unknown) => e instanceof CliError && /--limit must be a positive whole number/.test(e.message));
    await assert.rejects(listRunsCommand(store, { json: false, trend: 'sideways' as never }), /--trend must be uptrend or downtrend, got "sideways"/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
