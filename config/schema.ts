/**
 * The one typed configuration. Defaults live in config/signal-pool.json; environment variables (and a .env file)
 * override them (see config/load.ts for the mapping). Everything is validated at start-up by this zod schema, and an
 * invalid configuration fails with one message listing every bad key.
 */
import { z } from 'zod';
import cron from 'node-cron';
import { mongoPasswordsOf } from '../src/store/redact-uri.ts';
import { CLASSIFIER_KINDS } from '../src/models/classifier.ts';

const symbol = z.string().regex(/^[A-Z0-9]{2,10}$/, 'must be an upper-case ticker like BTC');
// Checked here, with node-cron's own parser, so that a bad expression is one line of the start-up error instead of a
// stack trace from the scheduler once the store is open (issue 19).
const cronExpression = z.string().superRefine((v, ctx) => {
  if (!/^(\S+\s+){4,5}\S+$/.test(v.trim())) ctx.addIssue({ code: 'custom', message: 'must be a cron expression with 5 or 6 fields' });
  else if (!cron.validate(v)) ctx.addIssue({ code: 'custom', message: 'is not a valid cron expression (a field is out of range, e.g. minute 0-59, hour 0-23)' });
});

/** True when the runtime knows the IANA time zone. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
const timeZone = z.string().min(1).refine(isKnownTimeZone, 'is not a known IANA time zone (e.g. UTC, Europe/Paris)');

export const configSchema = z.object({
  symbols: z.array(symbol).min(1, 'needs at least one symbol'),
  market: z.string().regex(/^[A-Z]{3,5}$/, 'must be a currency code like USD'),
  predictionWindow: z.number().int().min(1).max(60),
  targetPct: z.object({
    uptrend: z.number().gt(0, 'must be > 0').lt(1),
    downtrend: z.number().lt(0, 'must be < 0').gt(-1),
  }),
  indicatorPeriod: z.number().int().min(2).max(100),
  splitFraction: z.number().gt(0.5).lt(1),
  gate: z.object({
    positiveAccuracy: z.number().min(0).max(1),
    negativeAccuracy: z.number().min(0).max(1),
    overall: z.number().min(0).max(1),
  }),
  /** The champion alias moves only when the new version beats the current one by this much (overall score). */
  championMargin: z.number().min(0).max(1),
  /**
   * The champion rule scores a stored champion only on TEST rows dated after its training data (its live window), and
   * only when there are at least this many; otherwise it compares the recipes (src/pipeline/champion.ts).
   */
  championMinLiveRows: z.number().int().min(1),
  protocol: z.enum(['seed', 'walk-forward']),
  walkForward: z.object({
    folds: z.number().int().min(2).max(20),
    testFraction: z.number().gt(0).lt(0.5),
  }),
  seed: z.number().int().min(0),
  /**
   * The candidates of every pair's pool and how one is chosen (walk-forward; the seed protocol trains `kinds` only and
   * selects as the seed did). README, "Signal quality", gives each default's effect on the validation folds.
   */
  pool: z.object({
    /** Per-coin classifier kinds, trained on the coin's own rows with the seed's 19 features. */
    kinds: z.array(z.enum(CLASSIFIER_KINDS)).min(1, 'needs at least one kind'),
    /** Global kinds, trained on the pooled rows of every configured coin (scale-free features + market context). */
    globalKinds: z.array(z.enum(CLASSIFIER_KINDS)),
    /** Members of the soft-voting ensemble candidate (top k by selection score); 0 or 1: no ensemble. */
    ensembleTopK: z.number().int().min(0).max(10),
    /** λ: weight of the pair's own validation score against the candidate's mean over all pairs (1 = plain max). */
    selectionWeight: z.number().min(0).max(1),
    /** Calibration of the served probability on the validation folds. */
    calibration: z.enum(['platt', 'none']),
    /** Global models are shared between windows whose cut-offs fall in the same block of this many days. */
    globalGridDays: z.number().int().min(1).max(365),
  }),
  /**
   * Probability at or above which a prediction counts as a signal, for model versions that carry no threshold of their
   * own (versions registered with calibration store theirs: the calibrated probability of their decision boundary).
   */
  signalThreshold: z.number().gt(0).lt(1),
  /**
   * Abstain band: a prediction within this distance of its threshold is reported as "no clear signal" instead of a
   * coin-flip signal. 0 turns it off (default).
   */
  abstainBand: z.number().min(0).max(0.5),
  provider: z.object({
    kind: z.enum(['csv', 'alphavantage', 'binance']),
    dataDir: z.string().min(1),
    alphaVantageApiKey: z.string().min(1).optional(),
    alphaVantageBaseUrl: z.string().url(),
    binanceBaseUrl: z.string().url(),
    binanceQuote: z.string().regex(/^[A-Z]{3,5}$/),
    /** Deadline of every outbound provider request (and of a request-path refresh as a whole). */
    timeoutMs: z.number().int().min(100).max(300_000),
  }),
  /** Loaded models kept in memory (least recently used evicted first). */
  modelCacheSize: z.number().int().min(1).max(10_000),
  rateLimits: z.object({
    alphaVantagePerMinute: z.number().int().min(1),
    alphaVantagePerDay: z.number().int().min(1),
    binancePerMinute: z.number().int().min(1),
  }),
  store: z.object({
    mongoUri: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
    mongoDb: z.string().min(1),
    dataDir: z.string().min(1),
    connectTimeoutMs: z.number().int().min(100),
  }),
  http: z.object({
    enabled: z.boolean(),
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
  }),
  schedules: z.object({
    enabled: z.boolean(),
    timezone: timeZone,
    daily: cronExpression,
    weeklyDeploy: cronExpression,
  }),
  backtest: z.object({
    feePct: z.number().min(0).max(0.05),
    allowShort: z.boolean(),
  }),
  chat: z.object({
    discordToken: z.string().min(50, 'looks too short for a Discord bot token').optional(),
    discordApplicationId: z.string().regex(/^\d{5,25}$/, 'must be a numeric Discord id').optional(),
    discordGuildId: z.string().regex(/^\d{5,25}$/, 'must be a numeric Discord id').optional(),
    discordChannelIds: z.array(z.string().regex(/^\d{5,25}$/, 'must be numeric Discord channel ids')),
    telegramToken: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'must look like 123456:ABC... (from @BotFather)').optional(),
    telegramAdminIds: z.array(z.string().regex(/^-?\d+$/, 'must be numeric Telegram user ids')),
    telegramChatIds: z.array(z.string().regex(/^-?\d+$/, 'must be numeric Telegram chat ids')),
    predictCooldownSeconds: z.number().min(0),
    predictBurst: z.number().int().min(1),
    deployCooldownSeconds: z.number().min(0),
    /** How long one start attempt of a chat platform may take before it is retried in the background. */
    startTimeoutMs: z.number().int().min(100).max(600_000),
    /** Bot API root (a self-hosted Telegram Bot API server); default https://api.telegram.org. */
    telegramApiRoot: z.string().url().optional(),
    /** Discord REST base (e.g. a proxy); default https://discord.com/api. */
    discordRestApi: z.string().url().optional(),
  }),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
});

export type AppConfig = z.infer<typeof configSchema>;

/** Values that must never appear in logs or chat. */
export function secretsOf(config: AppConfig): string[] {
  const out: string[] = [];
  const add = (v: string | undefined) => { if (v) out.push(v); };
  add(config.provider.alphaVantageApiKey);
  add(config.chat.discordToken);
  add(config.chat.telegramToken);
  if (config.store.mongoUri) {
    for (const p of mongoPasswordsOf(config.store.mongoUri)) add(p);
    add(config.store.mongoUri);
  }
  return out;
}
