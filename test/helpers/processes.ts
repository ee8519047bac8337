/**
 * Real processes for multi-process tests: TypeScript children run through tsx, the CLI, and the service itself
 * (src/main.ts) on a free loopback port. Each child gets a clean environment for the store it should open, so a
 * developer's .env or chat tokens never leak in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** Variables that would make a child talk to chat platforms, pick another store or config: never inherited. */
const STRIPPED = /^(SIGNAL_POOL_|MONGODB_URI$|TELEGRAM_TOKEN$|DISCORD_TOKEN$|ALPHAVANTAGE_API_KEY$|PORT$|LOG_LEVEL$)/;

export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!STRIPPED.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** node with tsx's loader, so a .ts file runs from any working directory. */
export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, script, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function collect(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += String(d)));
  child.stderr?.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Runs `signal-pool <args>` asynchronously (the caller keeps working meanwhile). */
export function runCli(args: string[], env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'signal-pool.js'), ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  readonly url: string;
  /** Everything the service logged so far (one JSON object per line, from pino). */
  logs(): string;
  /** Waits until a log line matches, or fails after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<Finished>;
}

/**
 * Starts `npm start`'s entry point (src/main.ts) with the store given by `storeEnv`, HTTP on a free port, no
 * schedules and no chat platforms, and waits until the API listens.
 */
export async function startService(storeEnv: Record<string, string>, extra: Record<string, string> = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'sp-service-cwd-')); // no .env to pick up
  const env = childEnv({
    ...storeEnv,
    SIGNAL_POOL_HTTP_HOST: '127.0.0.1',
    SIGNAL_POOL_HTTP_PORT: String(port),
    SIGNAL_POOL_SCHEDULES_ENABLED: 'false',
    SIGNAL_POOL_LOG_LEVEL: 'info',
    ...extra,
  });
  const child = spawnTs(join(ROOT, 'src', 'main.ts'), [], env, cwd);
  const finished = collect(child);
  let log = '';
  child.stderr!.on('data', (d) => (log += String(d)));
  child.stdout!.on('data', (d) => (log += String(d)));
  let exited: Finished | null = null;
  void finished.then((f) => (exited = f));

  const waitForLog = async (pattern: RegExp, timeoutMs = 60_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = log.split('\n').find((l) => pattern.test(l));
      if (line) return line;
      if (exited) throw new Error(`the service exited (${String((exited as Finished).code ?? (exited as Finished).signal)}) before logging ${pattern}:\n${log}`);
      if (Date.now() > deadline) throw new Error(`the service did not log ${pattern} within ${timeoutMs} ms:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    const f = await finished;
    rmSync(cwd, { recursive: true, force: true });
    return f;
  };
  try {
    await waitForLog(/HTTP API on/);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, logs: () => log, waitForLog, stop };
}
