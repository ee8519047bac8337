/**
 * Issue 19, drill 1: the real service (src/main.ts) starts, serves and stops when its chat platforms cannot be
 * reached, and a taken HTTP port ends it with one line and exit code 1. Every wait is bounded; the fake neighbours
 * are local servers on 127.0.0.1 that accept connections and never answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.ts';
import { startService, childEnv, spawnTs, collect, ROOT } from './helpers/processes.ts';

const TELEGRAM_TOKEN = '123456:ABCdefGhIJKlmNoPQRsTUVwxyZ_0123456';
const DISCORD_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB';

/** A data directory whose first-start bootstrap is already done, so the service trains nothing. */
async function bootstrappedDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-main-'));
  const store = await openEmbeddedStore({ dataDir: dir });
  await store.claimJobRun('bootstrap', 'initial', 'test');
  await store.finishJobRun('bootstrap', 'initial', { status: 'SUCCEEDED' });
  await store.close();
  return dir;
}

/** An HTTP server that reads requests and never answers them (a Bot API that hangs). */
async function silentHttpServer(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createHttpServer(() => { hits++; /* never respond */ });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A TCP port that accepts connections and never sends a byte. */
async function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => { sockets.add(s); s.on('error', () => undefined); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

const noStackTrace = (text: string) => !/^\s+at\s/m.test(text) && !/\\n\s+at\s/.test(text);

test('drill 1: with Telegram and Discord unreachable the API serves at once, /health shows them retrying, and SIGTERM stops it', { timeout: 90_000 }, async () => {
  const dir = await bootstrappedDir();
  const telegram = await silentHttpServer();
  const discord = await blackHole();
  try {
    const started = Date.now();
    const service = await startService({ SIGNAL_POOL_DATA_DIR: dir }, {
      SIGNAL_POOL_TELEGRAM_TOKEN: TELEGRAM_TOKEN,
      SIGNAL_POOL_TELEGRAM_API_ROOT: telegram.url,
      SIGNAL_POOL_DISCORD_TOKEN: DISCORD_TOKEN,
      SIGNAL_POOL_DISCORD_APPLICATION_ID: '123456789012345678',
      SIGNAL_POOL_DISCORD_REST_API: `http://127.0.0.1:${discord.port}/api`,
      SIGNAL_POOL_CHAT_START_TIMEOUT_MS: '700',
    });
    try {
      const live = await fetch(`${service.url}/live`, { signal: AbortSignal.timeout(5000) });
      assert.equal(live.status, 200);
      assert.ok(Date.now() - started < 45_000);
      // Both platforms fail their bounded attempt and are retried in the background.
      await service.waitForLog(/Telegram did not start \(no answer within 700 ms\); retrying in \d+ s in the background/, 20_000);
      await service.waitForLog(/Discord did not start .*retrying in \d+ s in the background/, 20_000);
      assert.ok(telegram.hits() >= 1, 'the fake Bot API was asked');
      const res = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(5000) });
      const health = await res.json() as { status: string; chat: { platform: string; state: string; last_error: string; next_attempt_at: string | null }[]; problems: string[] };
      assert.equal(res.status, 200, 'the service serves: chat is not needed for it');
      assert.equal(health.status, 'degraded');
      assert.deepEqual(health.chat.map((c) => [c.platform, c.state]), [['telegram', 'retrying'], ['discord', 'retrying']]);
      assert.match(health.chat[0]!.last_error, /no answer within 700 ms/);
      assert.ok(health.chat.every((c) => c.next_attempt_at !== null));
      assert.ok(health.problems.some((p) => /^telegram is retrying/.test(p)));
      assert.ok(!service.logs().includes(TELEGRAM_TOKEN) && !service.logs().includes(DISCORD_TOKEN), 'no token in the log');
    } finally {
      const stopped = Date.now();
      const finished = await service.stop();
      assert.equal(finished.code, 0, `clean exit:\n${finished.stderr}`);
      assert.ok(Date.now() - stopped < 25_000);
      assert.ok(noStackTrace(service.logs()), `no stack trace:\n${service.logs()}`);
    }
  } finally {
    await telegram.close();
    await discord.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drill 1: an HTTP port already in use ends start-up with one line and exit code 1, no stack trace', { timeout: 60_000 }, async () => {
  const dir = await bootstrappedDir();
  const taken = createTcpServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as AddressInfo).port;
  const cwd = mkdtempSync(join(tmpdir(), 'sp-main-cwd-'));
  try {
    const child = spawnTs(join(ROOT, 'src', 'main.ts'), [], childEnv({
      SIGNAL_POOL_DATA_DIR: dir, SIGNAL_POOL_HTTP_HOST: '127.0.0.1', SIGNAL_POOL_HTTP_PORT: String(port), SIGNAL_POOL_SCHEDULES_ENABLED: 'false',
    }), cwd);
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const finished = await collect(child);
    clearTimeout(timer);
    assert.equal(finished.code, 1, finished.stderr);
    const output = finished.stdout + finished.stderr;
    assert.match(output, new RegExp(`Cannot start the HTTP API: 127\\.0\\.0\\.1:${port} is already in use .*SIGNAL_POOL_HTTP_PORT`));
    assert.equal(output.split('\n').filter((l) => /"level":50/.test(l)).length, 1, `one error line:\n${output}`);
    assert.ok(noStackTrace(output), `no stack trace:\n${output}`);
  } finally {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
});
