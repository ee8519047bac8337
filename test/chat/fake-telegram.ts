/**
 * A local stand-in for the Telegram Bot API on 127.0.0.1: /bot<token>/<method>, JSON or multipart bodies, long-polled
 * getUpdates fed by pushUpdate(), and scripted failures (e.g. a 429 with retry_after) per method.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './multipart.ts';

export type { UploadedFile } from './multipart.ts';

export interface TelegramCall {
  method: string;
  /** JSON body, or the multipart fields (files as { filename, type, bytes }). */
  payload: Record<string, unknown>;
  at: number;
}


interface ScriptedFailure {
  status: number;
  body: Record<string, unknown>;
}

export const BOT_USER = { id: 4242, is_bot: true, first_name: 'Signal Pool', username: 'SignalPoolBot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };

export class FakeTelegram {
  readonly calls: TelegramCall[] = [];
  private server!: Server;
  private updates: Record<string, unknown>[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 100;
  private waiters: (() => void)[] = [];
  private failures = new Map<string, ScriptedFailure[]>();

  constructor(readonly token: string) {}

  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, error_code: 500, description: error.message }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const wake of this.waiters.splice(0)) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues a text message from a user, as getUpdates will deliver it. */
  sendText(text: string, from: { id: number; chat?: { id: number; type: 'private' | 'group' | 'supergroup'; title?: string } }): number {
    const chat = from.chat ?? { id: from.id, type: 'private' as const };
    const updateId = this.nextUpdateId++;
    const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0].length }] : undefined;
    this.updates.push({
      update_id: updateId,
      message: { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), from: { id: from.id, is_bot: false, first_name: `User${from.id}` }, chat, text, entities },
    });
    for (const wake of this.waiters.splice(0)) wake();
    return updateId;
  }

  /** The next `times` calls of `method` answer with this failure instead. */
  failNext(method: string, failure: ScriptedFailure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  callsOf(method: string): TelegramCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves when `predicate` holds for the recorded calls, polling every 10 ms. */
  async waitFor(predicate: (calls: TelegramCall[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.calls)) {
      if (Date.now() > deadline) throw new Error(`timed out; calls so far: ${this.calls.map((c) => c.method).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: Record<string, unknown> }> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!match || match[1] !== this.token) return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const method = match[2];
    const payload = await readBody(req);
    if (method !== 'getUpdates') this.calls.push({ method, payload, at: Date.now() });
    const failure = this.failures.get(method)?.shift();
    if (failure) return failure;
    const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
    const chat = { id: Number(payload.chat_id), type: Number(payload.chat_id) < 0 ? 'group' : 'private' };
    switch (method) {
      case 'getMe':
        return ok(BOT_USER);
      case 'getUpdates':
        return ok(await this.pollUpdates(Number(payload.offset ?? 0), Number(payload.timeout ?? 0)));
      case 'sendMessage':
        return ok({ message_id: this.nextMessageId++, date: 0, chat, from: BOT_USER, text: payload.text });
      case 'sendPhoto':
        return ok({ message_id: this.nextMessageId++, date: 0, chat, from: BOT_USER, photo: [{ file_id: 'f1', file_unique_id: 'u1', width: 2, height: 2 }] });
      case 'editMessageText':
        return ok({ message_id: Number(payload.message_id), date: 0, chat, from: BOT_USER, text: payload.text });
      default:
        return ok(true); // setMyCommands, deleteWebhook, ...
    }
  }

  private async pollUpdates(offset: number, timeoutSeconds: number): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + Math.min(timeoutSeconds, 2) * 1000;
    for (;;) {
      this.updates = this.updates.filter((u) => Number(u.update_id) >= offset);
      if (this.updates.length > 0 || Date.now() >= deadline || !this.server.listening) return this.updates;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }
}
