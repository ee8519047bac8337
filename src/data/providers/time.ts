/** Real-time defaults for the injectable clock and sleep (tests pass fakes instead). */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, Sleep } from './provider.ts';

export const systemClock: Clock = () => new Date();

export const realSleep: Sleep = (ms, signal) => delay(Math.max(0, ms), undefined, { signal });

/** The UTC day (YYYY-MM-DD) of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
