import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURE_NAMES } from '../../src/data/features.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sp-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'signal-pool.js'), ...args], {
    encoding: 'utf8', cwd: work,
    env: { ...process.env, SIGNAL_POOL_DATA_DIR: join(work, 'store'), SIGNAL_POOL_LOG_LEVEL: 'error', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('features writes date, the 19 features and target for labeled rows only', () => {
  const out = join(work, 'btc.csv');
  const r = cli(['features', '--symbol', 'btc', '--trend', 'uptrend', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], ['date', ...FEATURE_NAMES, 'target'].join(','));
  const candles = readFileSync(join(root, 'data', 'ohlcv', 'BTC.csv'), 'utf8').trim().split('\n');
  const lastCandle = candles.at(-1)!.split(',')[0]!;
  const lastRow = lines.at(-1)!.split(',');
  assert.equal(lastRow.length, 21);
  assert.match(lastRow[20]!, /^[01]$/);
  // The last 10 candles have no future SMA10 value, so they carry no label and are not written.
  assert.equal(candles.at(-11)!.split(',')[0], lastRow[0]);
  assert.notEqual(lastRow[0], lastCandle);
  for (const v of lastRow.slice(1, 20)) assert.equal(String(Number(v)), v, 'numbers are shortest round-trip decimals');
});

test('bad input gives one clear line and a non-zero exit code', () => {
  const unknown = cli(['features', '--symbol', 'BTX', '--trend', 'uptrend']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /^signal-pool: .*BTX.*\n$/);
  const trend = cli(['features', '--symbol', 'BTC', '--trend', 'sideways']);
  assert.notEqual(trend.code, 0);
  assert.equal(trend.stderr, 'signal-pool: Unknown trend "sideways". Use uptrend or downtrend.\n');
  const dir = mkdtempSync(join(work, 'data-'));
  copyFileSync(join(root, 'data', 'ohlcv', 'ETH.csv'), join(dir, 'ETH.csv'));
  const rows = readFileSync(join(dir, 'ETH.csv'), 'utf8').split('\n');
  rows[5] = rows[5]!.replace(/,[^,]+$/, ',abc');
  writeFileSync(join(dir, 'ETH.csv'), rows.join('\n'));
  const bad = cli(['features', '--symbol', 'ETH', '--trend', 'uptrend', '--data-dir', dir]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /ETH\.csv/);
  assert.match(bad.stderr, new RegExp(rows[5]!.split(',')[0]!));
  assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  const usage = cli(['deploy', 'sideways']);
  assert.equal(usage.code, 2);
});

test('deploy --json prints one line per run and per symbol; predict, runs and models read the result', () => {
  const env = { SIGNAL_POOL_GATE_POSITIVE_ACCURACY: '0', SIGNAL_POOL_GATE_NEGATIVE_ACCURACY: '0', SIGNAL_POOL_GATE_OVERALL: '0' };
  const d = cli(['deploy', 'uptrend', '--symbols', 'BTC,ETH', '--classifiers', 'ridge,knn', '--protocol', 'seed', '--json'], env);
  assert.equal(d.code, 0, d.stderr);
  const lines = d.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const runs = lines.filter((l) => l.type === 'run');
  assert.equal(runs.length, 4);
  for (const r of runs) {
    assert.ok(['BTC', 'ETH'].includes(r.symbol as string));
    assert.equal(r.trend, 'uptrend');
    assert.ok(['Ridge', 'KNeighbors'].includes(r.classifier as string));
    assert.equal(typeof r.fit_seconds, 'number');
    assert.equal(typeof (r.metrics as Record<string, number>).overall, 'number');
  }
  const summaries = lines.filter((l) => l.type === 'summary');
  assert.equal(summaries.length, 2);
  for (const s of summaries) {
    assert.equal(s.registered, true);
    assert.match(s.line as string, /selected (Ridge|KNeighbors) validation_overall=- TEST accuracy=\S+ precision=\S+ negative_accuracy=\S+ positive_accuracy=\S+ overall=\S+ auc=\S+ brier=\S+ base_rate=\S+ lift=\S+ registered=yes \(v1\) champion=yes/);
  }

  const p = cli(['predict', 'uptrend', '--json']);
  assert.equal(p.code, 0, p.stderr);
  const preds = p.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(preds.map((x) => x.symbol), ['BTC', 'ETH']);
  for (const x of preds) assert.ok(typeof x.probability === 'number' && typeof x.as_of === 'string' && x.version === 1);

  const table = cli(['predict', 'uptrend']);
  assert.match(table.stdout, /symbol\s+probability\s+threshold\s+signal\s+version\s+classifier\s+as of/);

  const models = cli(['models', '--json']);
  assert.equal(models.code, 0, models.stderr);
  assert.equal((JSON.parse(models.stdout) as unknown[]).length, 2);
  const runsOut = cli(['runs', '--symbol', 'BTC']);
  assert.equal(runsOut.code, 0, runsOut.stderr);
  assert.match(runsOut.stdout, /Ridge/);
  const outcomes = cli(['outcomes', '--trend', 'uptrend']);
  assert.equal(outcomes.code, 0, outcomes.stderr);
  assert.match(outcomes.stdout, /live hit/);
});
