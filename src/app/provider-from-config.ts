/** The configured market-data provider: the one place that maps config keys onto createProvider's options. */
import type { AppConfig } from '../../config/schema.ts';
import { createProvider } from '../data/providers/index.ts';
import type { MarketDataProvider } from '../data/providers/provider.ts';

export function providerFromConfig(config: AppConfig, onWarning?: (message: string) => void): MarketDataProvider {
  const p = config.provider;
  return createProvider({
    kind: p.kind, dataDir: p.dataDir, alphaVantageApiKey: p.alphaVantageApiKey, alphaVantageBaseUrl: p.alphaVantageBaseUrl,
    binanceBaseUrl: p.binanceBaseUrl, binanceQuote: p.binanceQuote, market: config.market, limits: config.rateLimits, timeoutMs: config.provider.timeoutMs, onWarning,
  });
}
