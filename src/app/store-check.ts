/**
 * The service's start-up check of the embedded store: verifies every record and artifact (in the background, in
 * chunks, so the API answers meanwhile) and logs one line: info when intact, a warning naming the damaged records
 * and any data an earlier recovery moved aside. MongoDB has no such check here (its server has its own tools).
 */
import type { Store } from '../store/ports.ts';
import { isEmbeddedStore } from '../store/embedded/embedded-store.ts';
import { summarizeVerify, type VerifyReport } from '../store/embedded/verify.ts';
import type { Logger } from './logger.ts';

export async function checkStoreAtStart(store: Store, logger: Logger): Promise<VerifyReport | null> {
  if (!isEmbeddedStore(store)) return null;
  try {
    // The service also copies what is damaged aside (damaged/...), once, and records it for store verify.
    const report = await store.verify({ structure: 'quick', setAside: true });
    if (report.intact) logger.info(summarizeVerify(report));
    else logger.warn(summarizeVerify(report));
    return report;
  } catch (err) {
    // Stopped before the check finished: nothing to report.
    if (!(await store.ping())) return null;
    logger.warn(`store check could not finish: ${(err as Error).message}`);
    return null;
  }
}
