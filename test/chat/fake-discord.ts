/**
 * A local stand-in for Discord on 127.0.0.1: the REST API under /api/v10 (gateway discovery, command registration,
 * interaction callbacks, webhook edits/follow-ups, channel messages) and a WebSocket gateway at /gateway that says
 * HELLO, answers IDENTIFY with READY, acknowledges heartbeats, and dispatches whatever the test sends.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { readBody } from './multipart.ts';

export const APP_ID = '900000000000000001';
export const BOT_ID = '900000000000000002';
export const GUILD_ID = '900000000000000003';
export const CHANNEL_ID = '900000000000000004';

export interface DiscordCall {
  method: string;
  path: string;
  /** JSON body; for multipart, payload_json parsed plus `files` (UploadedFile by field name). */
  body: Record<string, unknown>;
  files: Record<string, { filename: string; type: string; bytes: Uint8Array }>;
  at: number;
}

interface ScriptedFailure {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

let snowflake = 1_000_000n;
const nextId = () => String(910000000000000000n + snowflake++);

export class FakeDiscord {
  readonly calls: DiscordCall[] = [];
  readonly identifies: Record<string, unknown>[] = [];
  private server!: Server;
  private wss!: WebSocketServer;
  private sockets = new Set<WebSocket>();
  private seq = 1;
  private failures: { match: (method: string, path: string) => boolean; failure: ScriptedFailure }[] = [];
  private readyWaiters: (() => void)[] = [];
  private ready = false;

  constructor(readonly token: string) {}

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get restApi(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        ({ status, body, headers }) => {
          res.writeHead(status, { ...(body === null ? {} : { 'content-type': 'application/json' }), ...headers });
          res.end(body === null ? undefined : JSON.stringify(body));
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: error.message, code: 0 }));
        },
      );
    });
    this.wss = new WebSocketServer({ server: this.server, path: '/gateway' });
    this.wss.on('connection', (socket) => this.onGateway(socket));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves once a client has identified and received READY. */
  async waitReady(timeoutMs = 10_000): Promise<void> {
    if (this.ready) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gateway: no IDENTIFY')), timeoutMs);
      this.readyWaiters.push(() => { clearTimeout(timer); resolve(); });
    });
  }

  /** Sends a gateway dispatch (op 0) to every connected client. */
  dispatch(type: string, data: Record<string, unknown>): void {
    const packet = JSON.stringify({ op: 0, t: type, s: ++this.seq, d: data });
    for (const s of this.sockets) s.send(packet);
  }

  /** The next request matching method and path (a RegExp on the path after /api/v10) fails with this answer. */
  failNext(method: string, path: RegExp, failure: ScriptedFailure): void {
    this.failures.push({ match: (m, p) => m === method && path.test(p), failure });
  }

  async waitFor(predicate: (calls: DiscordCall[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.calls)) {
      if (Date.now() > deadline) throw new Error(`timed out; calls so far: ${this.calls.map((c) => `${c.method} ${c.path}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private onGateway(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 45_000 } }));
    socket.on('message', (raw) => {
      const packet = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (packet.op === 1) socket.send(JSON.stringify({ op: 11 }));
      if (packet.op === 2) {
        this.identifies.push(packet.d);
        socket.send(JSON.stringify({
          op: 0, t: 'READY', s: this.seq, d: {
            v: 10,
            user: { id: BOT_ID, username: 'SignalPool', discriminator: '0', global_name: null, avatar: null, bot: true },
            guilds: [],
            session_id: 'fake-session',
            resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
            shard: [0, 1],
            application: { id: APP_ID, flags: 0 },
          },
        }));
        this.ready = true;
        for (const wake of this.readyWaiters.splice(0)) wake();
      }
      if (packet.op === 6) socket.send(JSON.stringify({ op: 0, t: 'RESUMED', s: ++this.seq, d: {} }));
    });
  }

  private message(channelId: string, body: Record<string, unknown>): Record<string, unknown> {
    return {
      id: nextId(), channel_id: channelId, type: 0, content: body.content ?? '', tts: false, timestamp: new Date().toISOString(),
      edited_timestamp: null, mention_everyone: false, mentions: [], mention_roles: [], attachments: [], embeds: body.embeds ?? [],
      pinned: false, flags: 0, application_id: APP_ID, webhook_id: APP_ID,
      author: { id: BOT_ID, username: 'SignalPool', discriminator: '0', global_name: null, avatar: null, bot: true },
    };
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: Record<string, unknown> | null; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
    const method = req.method ?? 'GET';
    const parsed = await readBody(req);
    const files: DiscordCall['files'] = {};
    let body = parsed;
    if (typeof parsed.payload_json === 'string') {
      body = JSON.parse(parsed.payload_json) as Record<string, unknown>;
      for (const [k, v] of Object.entries(parsed)) if (k !== 'payload_json' && typeof v === 'object') files[k] = v as DiscordCall['files'][string];
    }
    // Interaction callbacks and webhooks authenticate by token in the URL; everything else needs the bot token.
    const needsAuth = !/^\/(interactions|webhooks)\//.test(path);
    if (needsAuth && req.headers.authorization !== `Bot ${this.token}`) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    this.calls.push({ method, path, body, files, at: Date.now() });
    const scripted = this.failures.findIndex((f) => f.match(method, path));
    if (scripted >= 0) {
      const [{ failure }] = this.failures.splice(scripted, 1);
      return { status: failure.status, body: failure.body, headers: failure.headers };
    }
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return { status: 200, body: { url: `ws://127.0.0.1:${this.port}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } };
    }
    if (method === 'PUT' && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path)) {
      const list = parsed as unknown as Record<string, unknown>[];
      return { status: 200, body: list.map((c) => ({ ...c, id: nextId(), application_id: APP_ID, version: '1', type: 1 })) as unknown as Record<string, unknown> };
    }
    if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) return { status: 204, body: null };
    if ((m = /^\/webhooks\/\d+\/[^/]+(\/messages\/@original)?$/.exec(path))) return { status: 200, body: this.message(CHANNEL_ID, body) };
    if (method === 'POST' && (m = /^\/channels\/(\d+)\/messages$/.exec(path))) return { status: 200, body: this.message(m[1], body) };
    return { status: 404, body: { message: `fake: no route for ${method} ${path}`, code: 0 } };
  }
}

/** An INTERACTION_CREATE payload for a slash command in the guild channel. */
export function slashCommand(name: string, options: { name: string; type: number; value: string | number; focused?: boolean }[], user: { id: string; admin: boolean }, type: 2 | 4 = 2): Record<string, unknown> {
  return {
    id: nextId(),
    application_id: APP_ID,
    type,
    token: `itoken-${nextId()}`,
    version: 1,
    guild_id: GUILD_ID,
    channel_id: CHANNEL_ID,
    channel: { id: CHANNEL_ID, type: 0, guild_id: GUILD_ID, name: 'signals' },
    member: {
      user: { id: user.id, username: `user${user.id.slice(-3)}`, discriminator: '0', global_name: null, avatar: null },
      roles: [], permissions: user.admin ? '8' : '1024', joined_at: '2026-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0,
    },
    data: { id: nextId(), name, type: 1, options },
    app_permissions: '2048',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { 0: GUILD_ID },
    context: 0,
  };
}
