/**
 * A grammY API transformer that honours Telegram's flood control: when a call answers 429 with
 * `parameters.retry_after`, wait that many seconds and repeat the call. Waits longer than `maxWaitSeconds` are not
 * sat out (a chat command should fail rather than answer an hour later); the 429 is then returned to the caller.
 *
 * Written here instead of using @grammyjs/auto-retry to keep the cap and the injectable sleep (tests) in one
 * dozen-line function.
 */
import type { Transformer } from 'grammy';

export interface RetryAfterOptions {
  maxRetries?: number;
  maxWaitSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { method: string; retryAfter: number; attempt: number }) => void;
}

export function retryAfterTransformer(options: RetryAfterOptions = {}): Transformer {
  const maxRetries = options.maxRetries ?? 3;
  const maxWait = options.maxWaitSeconds ?? 60;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (prev, method, payload, signal) => {
    for (let attempt = 1; ; attempt++) {
      const response = await prev(method, payload, signal);
      if (response.ok || response.error_code !== 429 || attempt > maxRetries) return response;
      const retryAfter = response.parameters?.retry_after;
      if (retryAfter === undefined || retryAfter > maxWait) return response;
      options.onRetry?.({ method, retryAfter, attempt });
      await sleep(retryAfter * 1000);
    }
  };
}
