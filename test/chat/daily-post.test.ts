import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DailySignalsReport } from '../../jobs/notifier.ts';
import type { Reply } from '../../commands/reply.ts';
import type { JobRunStore, SubscriptionStore } from '../../src/store/ports.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { createChatNotifier, dailyPostJob, dailyPostText, type ChatNotifierOptions } from '../../src/chat/daily-post.ts';
import type { ChatPlatform } from '../../src/chat/platform.ts';
import { chatStore, fakeServices, prediction } from '../commands/fakes.ts';

const DAY = '2026-11-24';
const STALE_MS = 10 * 60_000;

const report: DailySignalsReport = {
  date: DAY,
  results: [
    { trend: 'uptrend', predictions: [prediction('BTC', 'uptrend', 0.73), prediction('ETH', 'uptrend', 0.42), prediction('SOL', 'uptrend', 0.61)], failures: [{ symbol: 'GRT', error: 'no data' }] },
    { trend: 'downtrend', predictions: [prediction('DOGE', 'downtrend', 0.55), prediction('BTC', 'downtrend', 0.2)], failures: [] },
  ],
  resolvedOutcomes: 12,
};

/** A platform that records deliveries; chats can be made to fail or to hang (the process "dies" mid-send). */
class RecordingPlatform implements ChatPlatform {
  readonly delivered: { chatId: string; reply: Reply }[] = [];
  readonly failing = new Set<string>();
  readonly hanging = new Set<string>();
  readonly started: string[] = [];
  constructor(readonly name: string, private readonly configured: string[] = []) {}
  configuredChatIds() { return this.configured; }
  async sendReply(chatId: string, reply: Reply): Promise<void> {
    this.started.push(chatId);
    if (this.hanging.has(chatId)) return new Promise<void>(() => {});
    if (this.failing.has(chatId)) throw new Error('403: Forbidden: bot was blocked by the user');
    this.delivered.push({ chatId, reply });
  }
  count(chatId: string) { return this.delivered.filter((d) => d.chatId === chatId).length; }
}

describe('daily signal post', () => {
  let env: Awaited<ReturnType<typeof chatStore>>;
  let store: SubscriptionStore & JobRunStore;

  beforeEach(async () => {
    env = await chatStore();
    store = env.store;
  });
  afterEach(async () => {
    await env.cleanup();
  });

  function notifier(platforms: ChatPlatform[], extra: Partial<ChatNotifierOptions> = {}) {
    return createChatNotifier({ platforms, store, services: fakeServices(), logger: silentLogger, staleClaimMs: STALE_MS, ...extra });
  }

  it('text lists the signals at or above the threshold for both trends', () => {
    assert.equal(dailyPostText(report), [
      "Daily signals for 2026-11-24 (probability at or above each model's threshold, 0.50)",
      'Uptrend (2 of 3): BTC 0.73, SOL 0.61',
      'Downtrend (1 of 2): DOGE 0.55',
      'No prediction today for: GRT',
      'Statistical estimates, not financial advice. /predict SYMBOL TREND for details.',
    ].join('\n'));
  });

  it("uses each model's own threshold (calibrated versions differ) and leaves abstentions out", () => {
    const own: DailySignalsReport = {
      date: DAY,
      results: [
        { trend: 'uptrend', predictions: [prediction('BTC', 'uptrend', 0.73, 0.7), prediction('ETH', 'uptrend', 0.42, 0.35), prediction('SOL', 'uptrend', 0.61, 0.7)], failures: [] },
        { trend: 'downtrend', predictions: [{ ...prediction('DOGE', 'downtrend', 0.56, 0.55), signal: false, abstain: true }], failures: [] },
      ],
      resolvedOutcomes: 0,
    };
    const text = dailyPostText(own);
    assert.match(text, /each model's threshold\)/);
    assert.match(text, /Uptrend \(2 of 3\): BTC 0\.73, ETH 0\.42\nDowntrend \(0 of 1\): none/);
  });

  it('sends one message with one image to every configured and subscribed chat, and only once per day', async () => {
    const telegram = new RecordingPlatform('telegram', ['-100', '-200']);
    const discord = new RecordingPlatform('discord', ['555']);
    await store.addSubscription('telegram', '-200'); // also configured: still one post
    await store.addSubscription('telegram', '42');
    await store.addSubscription('discord', '777');
    await store.addSubscription('console', 'console'); // no console platform here: ignored
    const services = fakeServices();
    let charts = 0;
    services.charts.dailySignals = async (predictions, date) => {
      charts++;
      assert.equal(predictions.length, 5);
      assert.equal(date, DAY);
      return { name: 'daily-signals', png: new Uint8Array([1, 2, 3]), title: 'Signals' };
    };
    const n = createChatNotifier({ platforms: [telegram, discord], store, services, logger: silentLogger });
    const results = await n.deliver(report);
    assert.deepEqual(results.map((r) => `${r.platform}:${r.chatId}:${r.outcome}`).sort(), [
      'discord:555:sent', 'discord:777:sent', 'telegram:-100:sent', 'telegram:-200:sent', 'telegram:42:sent',
    ]);
    assert.equal(charts, 1, 'the chart is drawn once for all chats');
    for (const d of [...telegram.delivered, ...discord.delivered]) {
      assert.match(d.reply.text, /^Daily signals for 2026-11-24/);
      assert.deepEqual(d.reply.images?.map((i) => i.name), ['daily-signals.png']);
    }
    const run = await store.getJobRun(dailyPostJob('telegram', '42'), DAY);
    assert.equal(run?.status, 'SUCCEEDED');

    // The scheduler runs again the same day (e.g. after a restart): nobody gets a second post.
    const again = await n.deliver(report);
    assert.ok(again.every((r) => r.outcome === 'already-sent'));
    assert.equal(telegram.delivered.length + discord.delivered.length, 5);
    // The next day is a new slot.
    await n.publishDailySignals({ ...report, date: '2026-11-25' });
    assert.equal(telegram.delivered.length + discord.delivered.length, 10);
  });

  it('one failing chat is recorded FAILED and the others still get theirs; a later run retries it', async () => {
    const telegram = new RecordingPlatform('telegram', ['1', '2', '3']);
    telegram.failing.add('2');
    const n = notifier([telegram], { maxAttempts: 2 });
    const results = await n.deliver(report);
    assert.deepEqual(results.map((r) => r.outcome), ['sent', 'failed', 'sent']);
    assert.match(results[1].error!, /blocked by the user/);
    const failed = await store.getJobRun(dailyPostJob('telegram', '2'), DAY);
    assert.equal(failed?.status, 'FAILED');
    assert.match(failed?.error ?? '', /blocked by the user/);
    assert.deepEqual(telegram.delivered.map((d) => d.chatId), ['1', '3']);

    // Still blocked on the second attempt; then the attempt budget is spent.
    assert.deepEqual((await n.deliver(report)).map((r) => r.outcome), ['already-sent', 'failed', 'already-sent']);
    telegram.failing.clear();
    assert.deepEqual((await n.deliver(report)).map((r) => r.outcome), ['already-sent', 'gave-up', 'already-sent']);
    assert.equal(telegram.count('2'), 0);
    assert.equal(telegram.delivered.length, 2);
  });

  it('a restart in the middle of posting neither skips nor duplicates a chat', async () => {
    const chats = ['c1', 'c2', 'c3', 'c4', 'c5'];
    // Process A reaches c3 and dies while sending it (the message never left).
    const before = new RecordingPlatform('telegram', chats);
    before.hanging.add('c3');
    const a = notifier([before], { owner: 'process-A' });
    void a.deliver(report);
    while (!before.started.includes('c3')) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(before.delivered.map((d) => d.chatId), ['c1', 'c2']);

    // Process B starts right away on a reopened store. The c3 claim is fresh, so B first waits for it to go stale.
    store = await env.reopen();
    const after = new RecordingPlatform('telegram', chats);
    let clock = Date.now();
    const sleeps: number[] = [];
    const b = notifier([after], {
      owner: 'process-B',
      now: () => clock,
      sleep: async (ms) => { sleeps.push(ms); clock += ms; },
    });
    const results = await b.deliver(report);
    assert.equal(sleeps.length, 1);
    assert.ok(sleeps[0] > STALE_MS - 60_000 && sleeps[0] <= STALE_MS + 1000, `slept ${sleeps[0]} ms`);
    assert.deepEqual(results.map((r) => `${r.chatId}:${r.outcome}`), ['c1:already-sent', 'c2:already-sent', 'c4:sent', 'c5:sent', 'c3:sent']);
    for (const chat of chats) assert.equal(before.count(chat) + after.count(chat), 1, `${chat} got exactly one post`);
    const c3 = await store.getJobRun(dailyPostJob('telegram', 'c3'), DAY);
    assert.equal(c3?.status, 'SUCCEEDED');
    assert.equal(c3?.owner, 'process-B');
    assert.equal(c3?.attempts, 2);
  });

  it('does not touch a fresh claim of another process when told not to wait', async () => {
    const p = new RecordingPlatform('telegram', ['x']);
    await store.claimJobRun(dailyPostJob('telegram', 'x'), DAY, 'live-process');
    const results = await notifier([p], { waitForStaleClaims: false }).deliver(report);
    assert.deepEqual(results.map((r) => r.outcome), ['still-running']);
    assert.equal(p.delivered.length, 0);
    assert.equal((await store.getJobRun(dailyPostJob('telegram', 'x'), DAY))?.status, 'RUNNING');
  });

  it('documented rule: a crash between sending and recording success re-sends once the claim is stale (at-least-once)', async () => {
    const p = new RecordingPlatform('telegram', ['y']);
    // Process A sent the message, then died before finishJobRun: the claim stays RUNNING.
    await store.claimJobRun(dailyPostJob('telegram', 'y'), DAY, 'process-A');
    await p.sendReply('y', { text: 'sent by A' });
    const later = Date.now() + STALE_MS + 1;
    const results = await notifier([p], { owner: 'process-B', now: () => later }).deliver(report);
    assert.deepEqual(results.map((r) => r.outcome), ['sent']);
    assert.equal(p.count('y'), 2);
  });
});
