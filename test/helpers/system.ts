/**
 * Builds real parts of the system for tests: a config (defaults + overrides), a temporary embedded store, the bundled
 * CSV data, and synthetic candles with a learnable trend signal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import type { AppConfig } from '../../config/schema.ts';
import type { Candle } from '../../src/data/candle.ts';
import { providerFromConfig } from '../../src/app/provider-from-config.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/ports.ts';

export function testConfig(overrides: Record<string, unknown> = {}): AppConfig {
  return loadConfig({ env: {}, dotenvDir: null, overrides });
}

export async function tempStore(): Promise<{ store: Store; dir: string; reopen(): Promise<Store>; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-store-'));
  const open = () => openStore({ dataDir: dir, mongoDb: 'test', connectTimeoutMs: 1000 });
  let store = await open();
  return {
    get store() { return store; },
    dir,
    async reopen() { await store.close(); store = await open(); return store; },
    async cleanup() { await store.close().catch(() => undefined); rmSync(dir, { recursive: true, force: true }); },
  };
}

export function bundledCandles(config: AppConfig): (symbol: string) => Promise<Candle[]> {
  const provider = providerFromConfig({ ...config, provider: { ...config.provider, kind: 'csv' } });
  return (symbol) => provider.fetchDaily(symbol);
}

/** The same store with some methods replaced (e.g. to fail on demand); every other method stays bound to the original. */
export function storeWith(store: Store, overrides: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return (overrides as Record<PropertyKey, unknown>)[prop];
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
