/**
 * SIGTERM / SIGINT handling with a bounded exit time. On the first signal the stop functions run one after the other,
 * in the order given (scheduler, HTTP server, chat bots, then the store they all write to); a failing step is logged
 * and the next still runs. The process exits 0 when every step succeeded within timeoutMs, and 1 when one failed or
 * the deadline passed. A second signal exits 1 at once (an impatient Ctrl-C twice).
 *
 * The stop functions should have their own, shorter timeouts (e.g. scheduler.stop({ timeoutMs: 0.7 * timeoutMs }))
 * so they can record abandoned work before this deadline cuts everything off.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '../src/app/logger.ts';

export type StopFn = () => Promise<unknown>;

export interface SignalHandlerOptions {
  /** Hard deadline from the first signal to exit. */
  timeoutMs: number;
  /** process.exit in production; a spy in tests. */
  exit: (code: number) => void;
  logger?: Logger;
  signals?: readonly NodeJS.Signals[];
  /** Where signals come from; process unless a test passes an EventEmitter. */
  target?: Pick<EventEmitter, 'on' | 'off'>;
}

/** Installs the handlers; returns a function that removes them. */
export function installSignalHandlers(stopFns: readonly StopFn[], opts: SignalHandlerOptions): () => void {
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const target = opts.target ?? process;
  let shuttingDown = false;
  let exited = false;
  let deadline: NodeJS.Timeout | undefined;
  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    clearTimeout(deadline);
    opts.exit(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      opts.logger?.warn(`${signal} received again: exiting now`);
      exitOnce(1);
      return;
    }
    shuttingDown = true;
    opts.logger?.info(`${signal} received: stopping (at most ${opts.timeoutMs} ms)`);
    deadline = setTimeout(() => {
      opts.logger?.error(`shutdown did not finish within ${opts.timeoutMs} ms: exiting anyway`);
      exitOnce(1);
    }, opts.timeoutMs);
    void (async () => {
      let failures = 0;
      for (const stop of stopFns) {
        try {
          await stop();
        } catch (err) {
          failures += 1;
          opts.logger?.error('a stop step failed', { err: err instanceof Error ? err.message : String(err) });
        }
      }
      if (failures === 0) opts.logger?.info('stopped cleanly');
      exitOnce(failures === 0 ? 0 : 1);
    })();
  };

  for (const s of signals) target.on(s, onSignal);
  return () => {
    for (const s of signals) target.off(s, onSignal);
  };
}
