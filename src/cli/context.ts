/**
 * What a CLI command needs, built lazily from the configuration: the store is opened only by commands that use it
 * (`features` never opens it), and everything is closed when the command ends.
 */
import { loadConfig } from '../../config/load.ts';
import { secretsOf, type AppConfig } from '../../config/schema.ts';
import { providerFromConfig } from '../app/provider-from-config.ts';
import type { MarketDataProvider } from '../data/providers/provider.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/ports.ts';
import { createServices } from '../app/create-services.ts';
import { createLogger, type Logger } from '../app/logger.ts';
import type { SignalPoolServices } from '../app/services.ts';
import type { MarketData } from '../app/market-data.ts';

export interface CliContext {
  config: AppConfig;
  logger: Logger;
  provider(): MarketDataProvider;
  store(): Promise<Store>;
  services(): Promise<SignalPoolServices & { market: MarketData }>;
  close(): Promise<void>;
}

export function createCliContext(opts: { dataDir?: string; logLevel?: string } = {}): CliContext {
  const overrides: Record<string, unknown> = {};
  // --data-dir points the CSV provider at another directory of <SYMBOL>.csv files.
  if (opts.dataDir) { overrides['provider.kind'] = 'csv'; overrides['provider.dataDir'] = opts.dataDir; }
  const config = loadConfig({ overrides });
  const logger = createLogger({ level: opts.logLevel ?? (config.logLevel === 'info' ? 'warn' : config.logLevel), secrets: secretsOf(config) });
  let provider: MarketDataProvider | undefined;
  let store: Promise<Store> | undefined;
  let services: Promise<SignalPoolServices & { market: MarketData }> | undefined;
  const ctx: CliContext = {
    config,
    logger,
    provider: () => (provider ??= providerFromConfig(config, (msg) => logger.warn(msg))),
    store: () => (store ??= openStore({
      mongoUri: config.store.mongoUri, mongoDb: config.store.mongoDb, dataDir: config.store.dataDir, connectTimeoutMs: config.store.connectTimeoutMs,
      // An import of an old journal store is news on the command line too, whatever the log level.
      onNotice: (n) => process.stderr.write(`signal-pool: store: ${n.message}\n`),
    })),
    services: () => (services ??= ctx.store().then((s) => createServices({ config, store: s, provider: ctx.provider(), logger }))),
    async close() {
      if (store) await (await store).close();
    },
  };
  return ctx;
}
