/**
 * Loads the configuration: defaults from a JSON file in config/ (config/signal-pool.json unless SIGNAL_POOL_CONFIG
 * names another), then environment variables (a .env file in the working directory fills in variables that are not
 * already set), then validation. Every problem is collected into ONE ConfigError listing each bad key and why, and no
 * message ever includes the value of a secret.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { configSchema, type AppConfig } from './schema.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CONFIG_FILE = join(PROJECT_ROOT, 'config', 'signal-pool.json');

type Kind = 'string' | 'int' | 'number' | 'bool' | 'list';
interface EnvBinding { env: string[]; path: string; kind: Kind; secret?: boolean }

/** Every environment variable the service reads. The first name listed wins when several are set. */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: ['SIGNAL_POOL_SYMBOLS'], path: 'symbols', kind: 'list' },
  { env: ['SIGNAL_POOL_MARKET'], path: 'market', kind: 'string' },
  { env: ['SIGNAL_POOL_PREDICTION_WINDOW'], path: 'predictionWindow', kind: 'int' },
  { env: ['SIGNAL_POOL_TARGET_UP'], path: 'targetPct.uptrend', kind: 'number' },
  { env: ['SIGNAL_POOL_TARGET_DOWN'], path: 'targetPct.downtrend', kind: 'number' },
  { env: ['SIGNAL_POOL_INDICATOR_PERIOD'], path: 'indicatorPeriod', kind: 'int' },
  { env: ['SIGNAL_POOL_SPLIT_FRACTION'], path: 'splitFraction', kind: 'number' },
  { env: ['SIGNAL_POOL_GATE_POSITIVE_ACCURACY'], path: 'gate.positiveAccuracy', kind: 'number' },
  { env: ['SIGNAL_POOL_GATE_NEGATIVE_ACCURACY'], path: 'gate.negativeAccuracy', kind: 'number' },
  { env: ['SIGNAL_POOL_GATE_OVERALL'], path: 'gate.overall', kind: 'number' },
  { env: ['SIGNAL_POOL_CHAMPION_MARGIN'], path: 'championMargin', kind: 'number' },
  { env: ['SIGNAL_POOL_CHAMPION_MIN_LIVE_ROWS'], path: 'championMinLiveRows', kind: 'int' },
  { env: ['SIGNAL_POOL_PROTOCOL'], path: 'protocol', kind: 'string' },
  { env: ['SIGNAL_POOL_WF_FOLDS'], path: 'walkForward.folds', kind: 'int' },
  { env: ['SIGNAL_POOL_WF_TEST_FRACTION'], path: 'walkForward.testFraction', kind: 'number' },
  { env: ['SIGNAL_POOL_SEED'], path: 'seed', kind: 'int' },
  { env: ['SIGNAL_POOL_POOL_KINDS'], path: 'pool.kinds', kind: 'list' },
  { env: ['SIGNAL_POOL_GLOBAL_KINDS'], path: 'pool.globalKinds', kind: 'list' },
  { env: ['SIGNAL_POOL_ENSEMBLE_TOP_K'], path: 'pool.ensembleTopK', kind: 'int' },
  { env: ['SIGNAL_POOL_SELECTION_WEIGHT'], path: 'pool.selectionWeight', kind: 'number' },
  { env: ['SIGNAL_POOL_CALIBRATION'], path: 'pool.calibration', kind: 'string' },
  { env: ['SIGNAL_POOL_GLOBAL_GRID_DAYS'], path: 'pool.globalGridDays', kind: 'int' },
  { env: ['SIGNAL_POOL_SIGNAL_THRESHOLD'], path: 'signalThreshold', kind: 'number' },
  { env: ['SIGNAL_POOL_ABSTAIN_BAND'], path: 'abstainBand', kind: 'number' },
  { env: ['SIGNAL_POOL_PROVIDER'], path: 'provider.kind', kind: 'string' },
  { env: ['SIGNAL_POOL_CSV_DIR'], path: 'provider.dataDir', kind: 'string' },
  { env: ['SIGNAL_POOL_ALPHAVANTAGE_API_KEY', 'ALPHAVANTAGE_API_KEY'], path: 'provider.alphaVantageApiKey', kind: 'string', secret: true },
  { env: ['SIGNAL_POOL_ALPHAVANTAGE_URL'], path: 'provider.alphaVantageBaseUrl', kind: 'string' },
  { env: ['SIGNAL_POOL_BINANCE_URL'], path: 'provider.binanceBaseUrl', kind: 'string' },
  { env: ['SIGNAL_POOL_BINANCE_QUOTE'], path: 'provider.binanceQuote', kind: 'string' },
  { env: ['SIGNAL_POOL_PROVIDER_TIMEOUT_MS'], path: 'provider.timeoutMs', kind: 'int' },
  { env: ['SIGNAL_POOL_MODEL_CACHE_SIZE'], path: 'modelCacheSize', kind: 'int' },
  { env: ['SIGNAL_POOL_AV_PER_MINUTE'], path: 'rateLimits.alphaVantagePerMinute', kind: 'int' },
  { env: ['SIGNAL_POOL_AV_PER_DAY'], path: 'rateLimits.alphaVantagePerDay', kind: 'int' },
  { env: ['SIGNAL_POOL_BINANCE_PER_MINUTE'], path: 'rateLimits.binancePerMinute', kind: 'int' },
  { env: ['MONGODB_URI', 'SIGNAL_POOL_MONGODB_URI'], path: 'store.mongoUri', kind: 'string', secret: true },
  { env: ['SIGNAL_POOL_MONGO_DB'], path: 'store.mongoDb', kind: 'string' },
  { env: ['SIGNAL_POOL_DATA_DIR'], path: 'store.dataDir', kind: 'string' },
  { env: ['SIGNAL_POOL_STORE_TIMEOUT_MS'], path: 'store.connectTimeoutMs', kind: 'int' },
  { env: ['SIGNAL_POOL_HTTP_ENABLED'], path: 'http.enabled', kind: 'bool' },
  { env: ['SIGNAL_POOL_HTTP_HOST'], path: 'http.host', kind: 'string' },
  { env: ['SIGNAL_POOL_HTTP_PORT', 'PORT'], path: 'http.port', kind: 'int' },
  { env: ['SIGNAL_POOL_SCHEDULES_ENABLED'], path: 'schedules.enabled', kind: 'bool' },
  { env: ['SIGNAL_POOL_TIMEZONE'], path: 'schedules.timezone', kind: 'string' },
  { env: ['SIGNAL_POOL_DAILY_CRON'], path: 'schedules.daily', kind: 'string' },
  { env: ['SIGNAL_POOL_WEEKLY_CRON'], path: 'schedules.weeklyDeploy', kind: 'string' },
  { env: ['SIGNAL_POOL_BACKTEST_FEE'], path: 'backtest.feePct', kind: 'number' },
  { env: ['SIGNAL_POOL_BACKTEST_SHORT'], path: 'backtest.allowShort', kind: 'bool' },
  { env: ['SIGNAL_POOL_DISCORD_TOKEN', 'DISCORD_TOKEN'], path: 'chat.discordToken', kind: 'string', secret: true },
  { env: ['SIGNAL_POOL_DISCORD_APPLICATION_ID'], path: 'chat.discordApplicationId', kind: 'string' },
  { env: ['SIGNAL_POOL_DISCORD_GUILD_ID'], path: 'chat.discordGuildId', kind: 'string' },
  { env: ['SIGNAL_POOL_DISCORD_CHANNEL_IDS'], path: 'chat.discordChannelIds', kind: 'list' },
  { env: ['SIGNAL_POOL_TELEGRAM_TOKEN', 'TELEGRAM_TOKEN'], path: 'chat.telegramToken', kind: 'string', secret: true },
  { env: ['SIGNAL_POOL_TELEGRAM_ADMIN_IDS'], path: 'chat.telegramAdminIds', kind: 'list' },
  { env: ['SIGNAL_POOL_TELEGRAM_CHAT_IDS'], path: 'chat.telegramChatIds', kind: 'list' },
  { env: ['SIGNAL_POOL_PREDICT_COOLDOWN_SECONDS'], path: 'chat.predictCooldownSeconds', kind: 'number' },
  { env: ['SIGNAL_POOL_PREDICT_BURST'], path: 'chat.predictBurst', kind: 'int' },
  { env: ['SIGNAL_POOL_DEPLOY_COOLDOWN_SECONDS'], path: 'chat.deployCooldownSeconds', kind: 'number' },
  { env: ['SIGNAL_POOL_CHAT_START_TIMEOUT_MS'], path: 'chat.startTimeoutMs', kind: 'int' },
  { env: ['SIGNAL_POOL_TELEGRAM_API_ROOT'], path: 'chat.telegramApiRoot', kind: 'string' },
  { env: ['SIGNAL_POOL_DISCORD_REST_API'], path: 'chat.discordRestApi', kind: 'string' },
  { env: ['SIGNAL_POOL_LOG_LEVEL', 'LOG_LEVEL'], path: 'logLevel', kind: 'string' },
];

const SECRET_PATHS = new Set(ENV_BINDINGS.filter((b) => b.secret).map((b) => b.path));

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Directory whose .env file is read; default process.cwd(). Pass null to skip .env. */
  dotenvDir?: string | null;
  /** Explicit config file; default SIGNAL_POOL_CONFIG or config/signal-pool.json. */
  file?: string;
  /** Extra overrides applied after env (e.g. CLI flags), as dotted paths. */
  overrides?: Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let obj = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof obj[k] !== 'object' || obj[k] === null) obj[k] = {};
    obj = obj[k] as Record<string, unknown>;
  }
  obj[keys[keys.length - 1]!] = value;
}

function convert(raw: string, kind: Kind): { ok: true; value: unknown } | { ok: false; why: string } {
  const text = raw.trim();
  switch (kind) {
    case 'string':
      return { ok: true, value: text };
    case 'list':
      return { ok: true, value: text === '' ? [] : text.split(',').map((s) => s.trim()).filter(Boolean) };
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return { ok: true, value: true };
      if (/^(0|false|no|off)$/i.test(text)) return { ok: true, value: false };
      return { ok: false, why: 'must be true or false' };
    case 'int':
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) return { ok: false, why: `must be a number` };
      if (kind === 'int' && !Number.isInteger(n)) return { ok: false, why: 'must be a whole number' };
      return { ok: true, value: n };
    }
  }
}

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const problems: string[] = [];
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
  const dotenvDir = options.dotenvDir === undefined ? process.cwd() : options.dotenvDir;
  if (dotenvDir !== null) {
    const dotenvPath = join(dotenvDir, '.env');
    if (existsSync(dotenvPath)) {
      // Real environment variables win over .env, as with dotenv's default.
      for (const [k, v] of Object.entries(parseDotenv(readFileSync(dotenvPath)))) if (env[k] === undefined) env[k] = v;
    }
  }

  const file = options.file ?? env.SIGNAL_POOL_CONFIG ?? DEFAULT_CONFIG_FILE;
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(err as Error).message})`;
    throw new ConfigError([`config file ${file}: ${why}`]);
  }

  for (const b of ENV_BINDINGS) {
    const name = b.env.find((n) => env[n] !== undefined && env[n] !== '');
    if (!name) continue;
    const converted = convert(env[name]!, b.kind);
    if (converted.ok) setPath(raw, b.path, converted.value);
    else problems.push(`${name} (${b.path}): ${converted.why}${b.secret ? '' : `, got "${env[name]}"`}`);
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) if (value !== undefined) setPath(raw, path, value);

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      const envName = ENV_BINDINGS.find((b) => path === b.path || path.startsWith(`${b.path}.`))?.env[0];
      // zod messages never echo the input value, so secrets stay out of the message.
      problems.push(`${path || '(root)'}${envName ? ` [${envName}]` : ''}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = parsed.data!;

  if (config.provider.kind === 'alphavantage' && !config.provider.alphaVantageApiKey) {
    throw new ConfigError(['provider.alphaVantageApiKey [SIGNAL_POOL_ALPHAVANTAGE_API_KEY]: required when provider.kind is alphavantage']);
  }
  // Relative directories are relative to the project root, so the CLI works from any working directory.
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(PROJECT_ROOT, p));
  return {
    ...config,
    provider: { ...config.provider, dataDir: abs(config.provider.dataDir) },
    store: { ...config.store, dataDir: abs(config.store.dataDir) },
  };
}

/** A printable copy of the configuration with secrets masked. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const path of SECRET_PATHS) {
    const keys = path.split('.');
    let obj: Record<string, unknown> | undefined = copy;
    for (const k of keys.slice(0, -1)) obj = obj?.[k] as Record<string, unknown> | undefined;
    const last = keys[keys.length - 1]!;
    if (obj && obj[last] !== undefined) obj[last] = '***';
  }
  return copy;
}
