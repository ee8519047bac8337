/**
 * The daily signal post: after the daily batch predictions, every subscribed chat and every configured chat id gets
 * ONE message with the day's signals (each model's probability at or above its own threshold, outside the abstain
 * band) for both trends and one chart.
 *
 * Exactly once per day per chat, through the job-run store: claim `daily-post:<platform>:<chatId>` for the day's
 * slot, send, then mark it SUCCEEDED (or FAILED with the error). The rules for what a later run finds:
 *
 * - SUCCEEDED: already delivered; skipped. A restart never duplicates a finished post.
 * - no record: never attempted; sent. A restart never skips a chat it had not reached.
 * - FAILED (blocked bot, deleted channel...): retried by a later run the same day, at most `maxAttempts` in all.
 * - RUNNING, claimed by this notifier: another publish call is on it; skipped.
 * - RUNNING, claimed by someone else, younger than `staleClaimMs`: a live process may be sending it right now. The
 *   run waits until the claim turns stale and looks again (it is normally SUCCEEDED by then).
 * - RUNNING, older than `staleClaimMs`: its owner died between claiming and finishing. We cannot know whether the
 *   message left before the crash, so we choose AT-LEAST-ONCE: mark it ABANDONED and send again. A missing daily
 *   post is worse than a rare duplicate, and the window (one HTTP call between claim and finish) is milliseconds.
 *
 * One chat failing never stops the others: each chat is claimed, sent and finished on its own.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { DailySignalsReport, Notifier } from '../../jobs/notifier.ts';
import type { PredictionView, SignalPoolServices } from '../app/services.ts';
import type { Logger } from '../app/logger.ts';
import type { JobRun, JobRunStore, SubscriptionStore } from '../store/ports.ts';
import type { Reply } from '../../commands/reply.ts';
import { toReplyImage } from '../../commands/charts.ts';
import type { ChatPlatform } from './platform.ts';

export type DailyPostOutcome =
  | 'sent'
  | 'failed'
  | 'already-sent'
  | 'in-progress'
  | 'gave-up'
  | 'still-running';

export interface DailyPostResult {
  platform: string;
  chatId: string;
  outcome: DailyPostOutcome;
  error?: string;
}

export interface ChatNotifierOptions {
  platforms: readonly ChatPlatform[];
  store: SubscriptionStore & JobRunStore;
  services: Pick<SignalPoolServices, 'config' | 'charts'>;
  logger: Logger;
  /** Identifies this process in job-run claims. Default host:pid:random. */
  owner?: string;
  /** A RUNNING claim older than this belongs to a dead process. Default 10 minutes. */
  staleClaimMs?: number;
  /** Total attempts per chat and day, counting failed ones. Default 3. */
  maxAttempts?: number;
  /** Whether to wait for fresh foreign claims to go stale (default true). */
  waitForStaleClaims?: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ChatNotifier extends Notifier {
  /** Same as publishDailySignals, with the outcome per chat. */
  deliver(report: DailySignalsReport): Promise<DailyPostResult[]>;
}

export const DAILY_POST_JOB_PREFIX = 'daily-post:';

export function dailyPostJob(platform: string, chatId: string): string {
  return `${DAILY_POST_JOB_PREFIX}${platform}:${chatId}`;
}

function signalLine(label: string, predictions: PredictionView[]): string {
  const signals = predictions.filter((p) => p.signal).sort((a, b) => b.probability - a.probability);
  const list = signals.length > 0 ? signals.map((p) => `${p.symbol} ${p.probability.toFixed(2)}`).join(', ') : 'none';
  return `${label} (${signals.length} of ${predictions.length}): ${list}`;
}

function thresholdNote(report: DailySignalsReport): string {
  const all = report.results.flatMap((r) => r.predictions);
  const values = [...new Set(all.map((p) => p.threshold.toFixed(2)))];
  return values.length === 1 ? `, ${values[0]}` : '';
}

/** The text of the daily post. Plain text; the adapters escape it. */
export function dailyPostText(report: DailySignalsReport): string {
  const byTrend = (trend: string) => report.results.filter((r) => r.trend === trend).flatMap((r) => r.predictions);
  const failures = report.results.flatMap((r) => r.failures);
  return [
    `Daily signals for ${report.date} (probability at or above each model's threshold${thresholdNote(report)})`,
    signalLine('Uptrend', byTrend('uptrend')),
    signalLine('Downtrend', byTrend('downtrend')),
    ...(failures.length > 0 ? [`No prediction today for: ${[...new Set(failures.map((f) => f.symbol))].join(', ')}`] : []),
    'Statistical estimates, not financial advice. /predict SYMBOL TREND for details.',
  ].join('\n');
}

export function createChatNotifier(options: ChatNotifierOptions): ChatNotifier {
  const { platforms, store, services } = options;
  const logger = options.logger.child({ component: 'daily-post' });
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const staleMs = options.staleClaimMs ?? 10 * 60_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function buildPost(report: DailySignalsReport): Promise<Reply> {
    const text = dailyPostText(report);
    try {
      const chart = await services.charts.dailySignals(report.results.flatMap((r) => r.predictions), report.date);
      return { text, images: chart ? [toReplyImage(chart)] : [] };
    } catch (error) {
      logger.warn('daily signals chart could not be drawn; posting text only', { date: report.date, error });
      return { text };
    }
  }

  async function targetsOf(platform: ChatPlatform): Promise<string[]> {
    const subscribed = (await store.listSubscriptions(platform.name)).map((s) => s.chatId);
    return [...new Set([...platform.configuredChatIds(), ...subscribed])];
  }

  /**
   * Decides from the existing record whether to (re)claim: null to go ahead, an outcome when the chat must be left
   * alone, or how long to wait before a live-looking foreign claim turns stale.
   */
  async function blockedBy(existing: JobRun | null, job: string, slot: string): Promise<DailyPostOutcome | { waitMs: number } | null> {
    if (!existing) return null;
    switch (existing.status) {
      case 'SUCCEEDED':
        return 'already-sent';
      case 'FAILED':
      case 'ABANDONED':
        return existing.attempts >= maxAttempts ? 'gave-up' : null;
      case 'RUNNING': {
        if (existing.owner === owner) return 'in-progress';
        const age = now() - existing.startedAt.getTime();
        if (age < staleMs) return { waitMs: staleMs - age };
        logger.warn('taking over a stale daily-post claim (at-least-once: the chat may see the post twice)', { job, slot, previousOwner: existing.owner });
        await store.finishJobRun(job, slot, { status: 'ABANDONED', error: `claim by ${existing.owner} went stale; taken over by ${owner}` });
        return null;
      }
    }
  }

  async function deliverOne(platform: ChatPlatform, chatId: string, slot: string, post: Reply): Promise<DailyPostResult | { waitMs: number }> {
    const job = dailyPostJob(platform.name, chatId);
    const base = { platform: platform.name, chatId };
    const blocked = await blockedBy(await store.getJobRun(job, slot), job, slot);
    if (typeof blocked === 'object' && blocked !== null) return blocked;
    if (blocked) return { ...base, outcome: blocked };
    const claim = await store.claimJobRun(job, slot, owner, { retryFailed: true });
    if (!claim.claimed) return { ...base, outcome: claim.run.status === 'SUCCEEDED' ? 'already-sent' : 'in-progress' };
    try {
      await platform.sendReply(chatId, post);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn('daily post failed for one chat; continuing with the others', { platform: platform.name, chatId, attempt: claim.run.attempts, error: message });
      await store.finishJobRun(job, slot, { status: 'FAILED', error: message.slice(0, 500) });
      return { ...base, outcome: 'failed', error: message };
    }
    await store.finishJobRun(job, slot, { status: 'SUCCEEDED', summary: { attempts: claim.run.attempts } });
    return { ...base, outcome: 'sent' };
  }

  async function deliver(report: DailySignalsReport): Promise<DailyPostResult[]> {
    const post = await buildPost(report);
    const results: DailyPostResult[] = [];
    let waiting: { platform: ChatPlatform; chatId: string }[] = [];
    let waitMs = 0;
    for (const platform of platforms) {
      let chats: string[];
      try {
        chats = await targetsOf(platform);
      } catch (error) {
        logger.error('could not list daily-post targets', { platform: platform.name, error });
        continue;
      }
      for (const chatId of chats) waiting.push({ platform, chatId });
    }
    // First pass sends everything it may; later passes revisit chats whose claim belonged to a possibly-live process.
    for (let pass = 0; waiting.length > 0; pass++) {
      if (pass > 0) {
        if (options.waitForStaleClaims === false || pass > 3) break;
        logger.info('waiting for daily-post claims held by another process', { chats: waiting.length, waitMs });
        await sleep(waitMs);
      }
      const again: typeof waiting = [];
      waitMs = 0;
      for (const target of waiting) {
        try {
          const result = await deliverOne(target.platform, target.chatId, report.date, post);
          if ('waitMs' in result) {
            again.push(target);
            waitMs = Math.max(waitMs, result.waitMs + 1000);
          } else {
            results.push(result);
          }
        } catch (error) {
          // The store itself failed: record nothing more for this chat, keep going with the rest.
          logger.error('daily post bookkeeping failed', { platform: target.platform.name, chatId: target.chatId, error });
          results.push({ platform: target.platform.name, chatId: target.chatId, outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
        }
      }
      waiting = again;
    }
    for (const t of waiting) results.push({ platform: t.platform.name, chatId: t.chatId, outcome: 'still-running' });
    const count = (o: DailyPostOutcome) => results.filter((r) => r.outcome === o).length;
    logger.info('daily post done', { date: report.date, sent: count('sent'), failed: count('failed'), alreadySent: count('already-sent'), stillRunning: count('still-running') });
    return results;
  }

  return {
    deliver,
    async publishDailySignals(report) {
      await deliver(report);
    },
  };
}
