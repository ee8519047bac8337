/**
 * The service process (`npm start`): store, HTTP API, scheduler, then every chat platform whose token is set (in the
 * background: a platform that cannot be reached is retried and shown in /health, and never delays the API).
 * Configuration and secrets are validated before anything starts; SIGTERM/SIGINT stop it within a bounded time.
 */
import { hostname } from 'node:os';
import { ConfigError, describeConfig, loadConfig } from '../config/load.ts';
import { secretsOf } from '../config/schema.ts';
import { createLogger } from './app/logger.ts';
import { createServices } from './app/create-services.ts';
import { bootstrap, needsBootstrap } from './app/bootstrap.ts';
import { providerFromConfig } from './app/provider-from-config.ts';
import { openStore } from './store/open-store.ts';
import { buildApi } from './api/server.ts';
import { marketDataHealth } from './api/health.ts';
import { createScheduler, installSignalHandlers, logNotifier, scheduledJobs } from '../jobs/index.ts';
import type { DailySignalsReport } from '../jobs/notifier.ts';
import { superviseChatPlatforms, type SupervisedChat } from './chat/supervisor.ts';
import { checkStoreAtStart } from './app/store-check.ts';
import { summarizeVerify, type VerifyReport } from './store/embedded/verify.ts';
import { describeListenError, installFatalHandlers } from './app/fatal.ts';
import { abandonStaleRuns } from './store/run-leases.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `Could not load the configuration: ${(err as Error).message}`}\n`);
  process.exit(1);
}
const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
// An error nobody caught (a library's timer, a dropped promise) ends the process with one line, not a stack trace.
installFatalHandlers(logger, (code) => process.exit(code));
logger.debug('configuration', describeConfig(config));
const owner = `${hostname()}:${process.pid}`;

let store;
try {
  store = await openStore({
    mongoUri: config.store.mongoUri, mongoDb: config.store.mongoDb, dataDir: config.store.dataDir, connectTimeoutMs: config.store.connectTimeoutMs,
    onNotice: (n) => logger[n.level](`store: ${n.message}`),
  });
} catch (err) {
  logger.error(`Could not open the store: ${(err as Error).message}`);
  process.exit(1);
}
logger.info(`store: ${store.kind} at ${store.location}`);
// Runs a killed process left RUNNING are marked ABANDONED (issue 19); in the background, never blocking start-up.
void abandonStaleRuns(store, { onError: (err) => logger.warn(`could not check for abandoned runs: ${err.message}`) }).then((runs) => {
  if (runs.length > 0) logger.warn(`marked ${runs.length} run(s) ABANDONED: their process is gone`, { runs: runs.map((r) => `${r.id} (${r.name})`) });
});

const provider = providerFromConfig(config, (msg) => logger.warn(msg));
const services = createServices({ config, store, provider, logger });

// Start-up order (issue 19): the HTTP API first, then the jobs, then the chat platforms in the background. No
// neighbour (a Bot API that does not answer, Discord, a market-data provider) can keep the API from listening.
const stopFns: (() => Promise<unknown>)[] = [];
const bootAbort = new AbortController();
let chat: SupervisedChat | null = null;
let storeCheck: VerifyReport | null = null;

const fallbackNotifier = logNotifier(logger);
// The chat platforms exist only once the supervisor is created below; the daily post asks for them when it runs.
const notifier = { publishDailySignals: (r: DailySignalsReport) => (chat?.notifier ?? fallbackNotifier).publishDailySignals(r) };
const scheduler = createScheduler({ store, logger, jobs: scheduledJobs(services, notifier), owner });

if (config.http.enabled) {
  const api = buildApi(services, {
    logger,
    health: {
      chat: () => chat?.status() ?? [],
      marketData: () => marketDataHealth(services.market.status()),
      scheduler: () => ({
        enabled: config.schedules.enabled,
        next_runs: config.schedules.enabled ? scheduler.nextRuns().map((r) => ({ job: r.job, next: r.next?.toISOString() ?? null })) : [],
      }),
      storeCheck: () => storeCheck && { intact: storeCheck.intact, damaged: storeCheck.problems.length, summary: summarizeVerify(storeCheck) },
    },
  });
  try {
    await api.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    // One line and a clean exit instead of an uncaught exception (port taken, address not available...).
    logger.error(describeListenError(err as NodeJS.ErrnoException, config.http.host, config.http.port));
    await api.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    process.exit(1);
  }
  logger.info(`HTTP API on http://${config.http.host}:${config.http.port} (GET /models, /prediction, /health, /ready, /live, /openapi.json)`);
  stopFns.push(() => api.close());
}

if (config.schedules.enabled) {
  scheduler.start();
  for (const r of scheduler.nextRuns()) logger.info(`scheduled ${r.job}: next run ${r.next?.toISOString() ?? '-'}`);
}
stopFns.push(async () => { bootAbort.abort(); await scheduler.stop({ timeoutMs: 10_000 }); });

// Chat platforms start in the background, each attempt bounded, retried with back-off; /health shows their state.
chat = superviseChatPlatforms({ services, logger });
stopFns.push(() => chat!.stop());
stopFns.push(() => store.close());
void checkStoreAtStart(store, logger).then((report) => { storeCheck = report; });
installSignalHandlers(stopFns, { timeoutMs: 20_000, exit: (code) => process.exit(code), logger });

if (await needsBootstrap(services)) {
  logger.info('empty registry: bootstrapping (deploy both trends on the configured data, then predict)');
  bootstrap(services, { signal: bootAbort.signal, owner }).then(
    async () => {
      const first = (await services.listChampions())[0];
      const where = `http://${config.http.host}:${config.http.port}`;
      logger.info(first
        ? `bootstrap finished: try curl ${where}/models and curl '${where}/prediction?symbol=${first.symbol}&trend_type=${first.trend}'`
        : 'bootstrap finished, but no model passed the registration gate; see the runs with `npx signal-pool runs`');
    },
    (err) => logger.error(`bootstrap failed: ${(err as Error).message}`),
  );
}
