/**
 * One progress message that is posted once and then edited in place, for long commands such as /deploy.
 *
 * Edits are rate-limited on every platform, and a deployment can report faster than we may edit, so updates are
 * coalesced: at most one edit per `minIntervalMs`, always with the newest text, never out of order, and an update
 * equal to what is shown is skipped (Telegram rejects "message is not modified"). Delivery errors are passed to
 * onError and never reach the command.
 */

export interface ProgressMessageOptions {
  /** Shows the first text (send a message, or fill a deferred Discord reply). */
  post(text: string): Promise<void>;
  /** Replaces the shown text. */
  edit(text: string): Promise<void>;
  minIntervalMs?: number;
  onError?: (error: unknown) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type ProgressFn = (text: string) => Promise<void>;

export function createProgressMessage(options: ProgressMessageOptions): ProgressFn {
  const minInterval = options.minIntervalMs ?? 1500;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let posted = false;
  let shown: string | undefined;
  let lastSentAt = -Infinity;
  let pending: string | undefined;
  let draining = false;
  let current: Promise<void> = Promise.resolve();

  async function drain(): Promise<void> {
    while (pending !== undefined) {
      if (posted) {
        const wait = lastSentAt + minInterval - now();
        if (wait > 0) await sleep(wait);
      }
      const text = pending as string;
      pending = undefined;
      if (text === shown) continue;
      try {
        if (posted) await options.edit(text);
        else await options.post(text);
        posted = true;
        shown = text;
      } catch (error) {
        options.onError?.(error);
      }
      lastSentAt = now();
    }
    // Cleared in the same synchronous step as the loop's last check, so no update can slip in unsent.
    draining = false;
  }

  return (text: string) => {
    pending = text;
    if (!draining) {
      draining = true;
      current = drain();
    }
    return current;
  };
}
