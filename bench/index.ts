/**
 * Benchmark harness: runs every bench/*.bench.ts (or the ones named on the command line, e.g.
 * `npm run bench -- features store`) and prints one JSON document with each benchmark's results.
 * Each bench module's default export returns JSON-safe results. Targets are reported, never asserted.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

const results: Record<string, unknown> = {};
for (const name of names) {
  const started = performance.now();
  process.stderr.write(`bench ${name} ...\n`);
  try {
    const mod = (await import(pathToFileURL(join(dir, `${name}.bench.ts`)).href)) as { default: () => Promise<unknown> };
    results[name] = await mod.default();
  } catch (err) {
    results[name] = { error: err instanceof Error ? err.message : String(err) };
  }
  process.stderr.write(`bench ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
console.log(JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version, memGiB: Math.round(os.totalmem() / 2 ** 30) }, results }, null, 2));
