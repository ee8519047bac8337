#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's built-in test runner (through tsx) and closes with the line
// "N passed, N failed, N skipped" counted from the runner's own summary. Arguments narrow the run to files or
// directories, e.g. `npm test -- test/data`.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];
const files = roots.flatMap((r) => collect(resolve(r), []));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

const args = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } });
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  // The summary (ℹ pass N ...) precedes the list of failing tests, which can be long: keep enough to reach it.
  tail = (tail + chunk.toString()).slice(-2_000_000);
});
child.on('close', (code) => {
  const count = (label) => {
    const all = [...tail.matchAll(new RegExp(`ℹ ${label} (\\d+)`, 'g'))];
    return all.length ? Number(all[all.length - 1][1]) : 0;
  };
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  const skipped = count('skipped') + count('todo');
  const failedTotal = passed + failed === 0 && code !== 0 ? 1 : failed;
  console.log(`${passed} passed, ${failedTotal} failed, ${skipped} skipped`);
  process.exit(code === 0 && failedTotal === 0 ? 0 : 1);
});
