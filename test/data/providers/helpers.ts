/**
 * Test doubles for the provider tests: a real HTTP server on 127.0.0.1 (port 0) that replays recorded API bodies,
 * and a fake clock whose sleep() advances time instantly. Not a test file itself (no .test.ts suffix).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SAMPLES = fileURLToPath(new URL('../../fixtures/api-samples/', import.meta.url));
export const DATA_DIR = fileURLToPath(new URL('../../../data/ohlcv/', import.meta.url));

export function sample(relativePath: string): string {
  return readFileSync(SAMPLES + relativePath, 'utf8');
}

export interface Recorded {
  path: string;
  query: URLSearchParams;
  /** Full request URL (path + query), to check what was sent. */
  url: string;
}

/** `destroy` drops the connection without an answer (a network error); `hang` never answers (a timeout). */
export type Reply = { status?: number; headers?: Record<string, string>; body: string } | 'destroy' | 'hang';
export type Handler = (req: Recorded) => Reply;

export interface ReplayServer {
  baseUrl: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<ReplayServer> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rec = { path: url.pathname, query: url.searchParams, url: req.url ?? '' };
    requests.push(rec);
    const reply = handler(rec);
    if (reply === 'destroy') return void req.socket.destroy();
    if (reply === 'hang') return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Replies in order; the last reply repeats. */
export function sequence(...replies: Reply[]): Handler {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)];
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

export interface FakeTime {
  now: () => Date;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Every sleep requested, in ms. */
  sleeps: number[];
  advance(ms: number): void;
}

/** A clock that only moves when something sleeps (or the test advances it): limiter and retry waits cost no real time. */
export function fakeTime(startIso: string): FakeTime {
  let t = Date.parse(startIso);
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleeps,
    advance: (ms) => {
      t += ms;
    },
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      t += ms;
    },
  };
}

/** Collects every string a provider reports (warnings), to check none carries a secret. */
export function warningSink(): { warnings: string[]; onWarning: (m: string) => void } {
  const warnings: string[] = [];
  return { warnings, onWarning: (m) => warnings.push(m) };
}
