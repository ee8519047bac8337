/**
 * The service process (`npm start`): store, scheduler, HTTP API and every chat platform whose token is set.
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
import { createScheduler, installSignalHandlers, logNotifier, scheduledJobs } from '../jobs/index.ts';
import { startChatPlatforms } from './chat/start.ts';
import { checkStoreAtStart } from './app/store-check.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `Could not load the configuration: ${(err as Error).message}`}\n`);
  process.exit(1);
}
const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
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

const provider = providerFromConfig(config, (msg) => logger.warn(msg));
const services = createServices({ config, store, provider, logger });

const stopFns: (() => Promise<unknown>)[] = [];
const bootAbort = new AbortController();

const chat = await startChatPlatforms({ services, logger });
stopFns.push(() => chat.stop());
const notifier = chat.notifier ?? logNotifier(logger);

const scheduler = createScheduler({ store, logger, jobs: scheduledJobs(services, notifier), owner });
if (config.schedules.enabled) {
  scheduler.start();
  for (const r of scheduler.nextRuns()) logger.info(`scheduled ${r.job}: next run ${r.next?.toISOString() ?? '-'}`);
}
stopFns.push(async () => { bootAbort.abort(); await scheduler.stop({ timeoutMs: 10_000 }); });

if (config.http.enabled) {
  const api = buildApi(services, { logger });
  await api.listen({ host: config.http.host, port: config.http.port });
  logger.info(`HTTP API on http://${config.http.host}:${config.http.port} (GET /models, /prediction, /health, /openapi.json)`);
  stopFns.unshift(() => api.close());
}
stopFns.push(() => store.close());
void checkStoreAtStart(store, logger);
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
