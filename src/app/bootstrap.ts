/**
 * First-start bootstrap: when some configured coin has no registered model and no bootstrap has completed before,
 * deploy both trends for those coins on the configured data, then run batch predictions, so a newcomer can query
 * /models and /prediction minutes after `npm start` with no tokens, keys or database server.
 */
import { TRENDS } from '../data/candle.ts';
import { registeredModelName } from '../store/ports.ts';
import type { SignalPoolServices } from './services.ts';

export const BOOTSTRAP_JOB = 'bootstrap';

export async function needsBootstrap(services: SignalPoolServices): Promise<boolean> {
  const done = await services.store.getJobRun(BOOTSTRAP_JOB, 'initial');
  if (done?.status === 'SUCCEEDED') return false;
  return (await services.store.listRegisteredModels()).length === 0 || done !== null;
}

export async function bootstrap(services: SignalPoolServices, opts: { signal?: AbortSignal; owner: string }): Promise<void> {
  const { logger, store } = services;
  const registered = new Set((await store.listRegisteredModels()).map((m) => m.name));
  for (const trend of TRENDS) {
    // An interrupted bootstrap resumes with the coins that still have no model.
    const symbols = services.knownSymbols().filter((s) => !registered.has(registeredModelName(s, trend)));
    if (symbols.length === 0 || opts.signal?.aborted) continue;
    logger.info(`bootstrap: deploying ${trend} for ${symbols.length} coins`, { symbols });
    const summary = await services.deploy({
      trend, symbols, actor: 'bootstrap', signal: opts.signal,
      onProgress: (e) => {
        if (e.type === 'symbol') {
          const s = e.summary;
          logger.info(`bootstrap ${trend} ${e.done}/${e.total}: ${s.symbol} ${s.ok ? `${s.selected} ${s.registered ? `registered v${s.version}` : 'not registered (gate)'}` : `failed: ${s.error}`}`);
        }
      },
    });
    logger.info(`bootstrap: ${trend} deployed in ${summary.seconds.toFixed(0)} s`, { registered: summary.symbols.filter((s) => s.registered).length });
  }
  if (opts.signal?.aborted) return;
  for (const trend of TRENDS) {
    const r = await services.batchPredict(trend);
    logger.info(`bootstrap: ${r.predictions.length} ${trend} predictions`, { failures: r.failures.length });
  }
  // Recorded only at the end, so a bootstrap killed half-way resumes at the next start.
  const { claimed } = await store.claimJobRun(BOOTSTRAP_JOB, 'initial', opts.owner, { retryFailed: true });
  if (claimed) await store.finishJobRun(BOOTSTRAP_JOB, 'initial', { status: 'SUCCEEDED', summary: { at: new Date().toISOString() } });
}
