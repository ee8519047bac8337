import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sp-eval-'));
after(() => rmSync(work, { recursive: true, force: true }));
const store = join(work, 'store');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'signal-pool.js'), ...args], {
    encoding: 'utf8', cwd: work, timeout: 300_000,
    env: { ...process.env, SIGNAL_POOL_DATA_DIR: store, SIGNAL_POOL_LOG_LEVEL: 'error' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const POOL = 'Ridge,KNeighbors,global:Ridge';
const SYMBOLS = 'BTC,ETH,AVAX';
interface Row { symbol: string; trend: string; ok: boolean; selected: string; overall: number; precision: number; positive_accuracy: number; negative_accuracy: number; auc: number | null; lift: number; passes: boolean; testWindow: string }

test('evaluate reports every pair and an aggregate consistent with the rows, and writes nothing to the store', () => {
  const r = cli(['evaluate', '--trend', 'uptrend', '--symbols', SYMBOLS, '--classifiers', POOL, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { protocol: string; devSteps: number; pairs: Row[]; aggregate: Record<string, { pairs: number; passing: number; meanOverall: number; meanAuc: number | null; minLiftPassing: number | null }> };
  assert.equal(result.protocol, 'walk-forward');
  assert.equal(result.devSteps, 0);
  assert.deepEqual(result.pairs.map((p) => p.symbol), ['BTC', 'ETH', 'AVAX']);
  for (const p of result.pairs) {
    assert.ok(p.ok);
    assert.ok(['Ridge', 'KNeighbors', 'global:Ridge'].includes(p.selected) || /^ensemble\(top\d\)$/.test(p.selected), p.selected);
    const gate = p.positive_accuracy > 0.5 && p.negative_accuracy > 0.5 && p.overall > 0.6;
    assert.equal(p.passes, gate, `${p.symbol}: the gate column follows the strict gate`);
  }
  const a = result.aggregate.uptrend!;
  assert.equal(a.pairs, 3);
  assert.equal(a.passing, result.pairs.filter((p) => p.passes).length);
  const mean = result.pairs.reduce((s, p) => s + p.overall, 0) / 3;
  assert.ok(Math.abs(a.meanOverall - mean) < 1e-12);
  assert.ok(!existsSync(store) || readdirSync(store).length === 0, 'evaluate registers nothing and logs no run');

  // The same pairs through `deploy` select the same candidates and report the same TEST metrics.
  const d = cli(['deploy', 'uptrend', '--symbols', SYMBOLS, '--classifiers', POOL, '--json']);
  assert.ok(d.code === 0 || d.code === 1, d.stderr);
  const summaries = d.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; symbol: string; selected: string; testMetrics: Record<string, number> }).filter((l) => l.type === 'summary');
  for (const s of summaries) {
    const e = result.pairs.find((p) => p.symbol === s.symbol)!;
    assert.equal(s.selected, e.selected, `${s.symbol}: deploy and evaluate select alike`);
    assert.ok(Math.abs(s.testMetrics.overall! - e.overall) < 1e-12);
  }
});

test('evaluate --dev scores the window before TEST, and prints a readable table', () => {
  const full = JSON.parse(cli(['evaluate', '--trend', 'downtrend', '--symbols', 'ETH', '--classifiers', 'Ridge', '--json']).stdout) as { pairs: Row[] };
  const r = cli(['evaluate', '--trend', 'downtrend', '--symbols', 'ETH', '--classifiers', 'Ridge', '--dev', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /development window 1 step\(s\) before TEST \(no TEST data read\)/);
  assert.match(r.stdout, /symbol\s+trend\s+selected\s+val\s+acc\s+prec\s+pos_acc\s+neg_acc\s+overall\s+auc\s+brier\s+base\s+lift\s+gate/);
  assert.match(r.stdout, /mean overall\s+mean AUC\s+mean Brier/);
  const dev = JSON.parse(cli(['evaluate', '--trend', 'downtrend', '--symbols', 'ETH', '--classifiers', 'Ridge', '--dev', '1', '--json']).stdout) as { pairs: Row[] };
  const testStart = full.pairs[0]!.testWindow.split('..')[0]!;
  const devEnd = dev.pairs[0]!.testWindow.split('..')[1]!;
  assert.ok(devEnd < testStart, `development window ends ${devEnd}, before TEST starts ${testStart}`);
});

test('evaluate rejects bad arguments with one clear line', () => {
  const bad = cli(['evaluate', '--classifiers', 'Ridge,global:Bogus']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^signal-pool: Unknown classifier "Bogus"/);
  const dev = cli(['evaluate', '--dev', 'x']);
  assert.equal(dev.code, 2);
  assert.match(dev.stderr, /--dev takes a whole number of steps/);
  const trend = cli(['evaluate', '--trend', 'sideways']);
  assert.equal(trend.code, 2);
  assert.equal(trend.stderr, 'signal-pool: Unknown trend "sideways". Use uptrend or downtrend.\n');
});
