/**
 * JSON schemas of the HTTP API. Fastify uses them to validate query strings and to serialise responses (fast, and
 * nothing outside the schema leaks), and src/api/openapi.ts turns the very same objects into the OpenAPI document, so
 * the published contract cannot drift from what the server enforces.
 *
 * Property names follow the seed's FastAPI service (snake_case), not the TypeScript code's camelCase.
 */
import { TRENDS } from '../data/candle.ts';

// ---------------------------------------------------------------- query strings
const symbolParam = {
  type: 'string',
  pattern: '^[A-Za-z0-9]{2,10}$',
  description: 'Coin ticker, 2-10 letters or digits, case-insensitive (sol = SOL).',
  examples: ['SOL'],
} as const;

const trendParam = {
  type: 'string',
  enum: [...TRENDS],
  description: 'uptrend: will SMA10 rise by target_pct within the window? downtrend: will it fall by it?',
} as const;

export const modelsQuerySchema = {
  type: 'object',
  properties: { trend_type: { ...trendParam, description: `Only models of this trend. ${trendParam.description}` } },
} as const;

export const predictionQuerySchema = {
  type: 'object',
  properties: { symbol: symbolParam, trend_type: trendParam },
  required: ['symbol', 'trend_type'],
} as const;

/**
 * A readable sentence per parameter for pattern errors, where Ajv's own text ('must match pattern "^[A-Za-z0-9]{2,10}$"')
 * would mean nothing to a user.
 */
export const PARAMETER_HINTS: Record<string, string> = {
  symbol: 'symbol must be a coin ticker of 2-10 letters or digits, e.g. SOL',
};

// ---------------------------------------------------------------- responses
const nullableNumber = { type: ['number', 'null'] } as const;

export const modelEntrySchema = {
  type: 'object',
  description: 'A deployed (champion) model, in the seed service\'s schema plus version, classifier and trained_at.',
  properties: {
    symbol: { type: 'string', examples: ['BTC'] },
    trend_type: { type: 'string', enum: [...TRENDS] },
    feature_importance: {
      type: 'object',
      description: 'Mean SHAP value per feature over the test rows (signed: positive pushes towards class 1).',
      additionalProperties: { type: 'number' },
    },
    performance_metrics: {
      type: 'object',
      description: 'Metrics on the test window recorded when the model was trained. null when not recorded.',
      properties: {
        positive_accuracy: nullableNumber,
        negative_accuracy: nullableNumber,
        overall_score: nullableNumber,
        accuracy: nullableNumber,
        precision: nullableNumber,
      },
      required: ['positive_accuracy', 'negative_accuracy', 'overall_score', 'accuracy', 'precision'],
    },
    target_pct: { type: 'number', description: 'Relative SMA10 change that defines class 1, e.g. 0.05 or -0.05.' },
    prediction_window_days: { type: 'integer', description: 'Days ahead the label looks.' },
    version: { type: 'integer', minimum: 1, description: 'Model registry version holding the champion alias.' },
    classifier: { type: 'string', examples: ['xgboost'] },
    metrics_sample: { type: 'string', enum: ['out-of-sample'], description: 'performance_metrics never come from rows the scored model was trained on.' },
    metrics_note: { type: 'string', description: 'Which rows the metrics come from, and how the served model relates to them.' },
    trained_at: { type: 'string', format: 'date-time' },
  },
  required: [
    'symbol', 'trend_type', 'feature_importance', 'performance_metrics', 'target_pct', 'prediction_window_days',
    'version', 'classifier', 'trained_at',
  ],
} as const;

export const modelsResponseSchema = { type: 'array', items: modelEntrySchema } as const;

export const predictionResponseSchema = {
  type: 'object',
  properties: {
    prediction_probabilities: {
      type: 'array',
      description: '[P(class 0), P(class 1)] for the newest candle, like scikit-learn\'s predict_proba row in the seed. '
        + 'P(class 1) is the probability that the trend happens.',
      items: { type: 'number', minimum: 0, maximum: 1 },
      minItems: 2,
      maxItems: 2,
    },
    symbol: { type: 'string' },
    trend_type: { type: 'string', enum: [...TRENDS] },
    as_of: { type: 'string', format: 'date', description: 'Date of the candle the prediction is based on.' },
    version: { type: 'integer', minimum: 1 },
    classifier: { type: 'string' },
    signal: { type: 'boolean', description: 'P(class 1) >= threshold, outside the abstain band.' },
    threshold: { type: 'number', description: 'The model\'s signal threshold: calibrated models have their own, others use the configured one.' },
    abstain: { type: 'boolean', description: 'P(class 1) lies inside the configured abstain band around the threshold: no clear signal.' },
    scope: { type: 'string', enum: ['coin', 'global', 'ensemble'], description: 'coin: trained on this coin\'s history; global: on the pooled history of many coins; ensemble: an average of several models.' },
    model_note: { type: ['string', 'null'], description: 'Where a global or ensemble model\'s knowledge comes from, in words (e.g. a coin with too little history of its own).' },
    stale_data: {
      type: 'object',
      description: 'Present only when the market data provider failed or did not answer in time: the prediction uses the '
        + 'cached candles, the newest of which is `last_candle`, `age_days` old.',
      properties: { last_candle: { type: 'string' }, age_days: { type: 'integer' }, reason: { type: 'string' } },
      required: ['last_candle', 'age_days', 'reason'],
    },
  },
  required: ['prediction_probabilities', 'symbol', 'trend_type', 'as_of', 'version', 'classifier', 'signal', 'threshold', 'abstain', 'scope', 'model_note'],
} as const;

export const JOB_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABANDONED'] as const;

const nullableString = { type: ['string', 'null'] } as const;

export const healthResponseSchema = {
  type: 'object',
  properties: {
    status: {
      type: 'string', enum: ['ok', 'degraded', 'unavailable'],
      description: 'ok; degraded (200): serving, but a component has a problem (see problems); unavailable (503): nothing can be served.',
    },
    problems: { type: 'array', items: { type: 'string' }, description: 'Why the status is not ok, one line each.' },
    store: {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['embedded', 'mongo'] },
        reachable: { type: 'boolean' },
        check: {
          type: ['object', 'null'],
          description: 'The start-up check of every record and artifact (embedded store); null while it runs or for MongoDB.',
          properties: { intact: { type: 'boolean' }, damaged: { type: 'integer' }, summary: { type: 'string' } },
          required: ['intact', 'damaged', 'summary'],
        },
      },
      required: ['kind', 'reachable', 'check'],
    },
    models: { type: ['integer', 'null'], description: 'Number of deployed models; null when the store does not answer.' },
    artifacts: {
      type: 'array',
      description: "Each champion's artifact: can it be loaded (checksums, feature names)? ok null: not checked yet.",
      items: {
        type: 'object',
        properties: { model: { type: 'string' }, version: { type: 'integer' }, ok: { type: ['boolean', 'null'] }, error: nullableString },
        required: ['model', 'version', 'ok', 'error'],
      },
    },
    chat: {
      type: 'array',
      description: 'Each chat platform that has a token: up, starting, retrying (in the background, with back-off) or failed (token rejected).',
      items: {
        type: 'object',
        properties: {
          platform: { type: 'string' },
          state: { type: 'string', enum: ['starting', 'up', 'retrying', 'failed'] },
          attempts: { type: 'integer' },
          last_error: nullableString,
          since: { type: 'string', format: 'date-time' },
          next_attempt_at: { type: ['string', 'null'], format: 'date-time' },
        },
        required: ['platform', 'state', 'attempts', 'last_error', 'since', 'next_attempt_at'],
      },
    },
    market_data: {
      type: ['object', 'null'],
      properties: {
        provider: { type: 'string' },
        refreshed: { type: 'integer' },
        failing: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              symbol: { type: 'string' }, error: { type: 'string' }, at: { type: 'string', format: 'date-time' },
              last_candle: nullableString, age_days: { type: ['number', 'null'] },
            },
            required: ['symbol', 'error', 'at', 'last_candle', 'age_days'],
          },
        },
      },
      required: ['provider', 'refreshed', 'failing'],
    },
    scheduler: {
      type: ['object', 'null'],
      properties: {
        enabled: { type: 'boolean' },
        next_runs: {
          type: 'array',
          items: { type: 'object', properties: { job: { type: 'string' }, next: { type: ['string', 'null'], format: 'date-time' } }, required: ['job', 'next'] },
        },
      },
      required: ['enabled', 'next_runs'],
    },
    last_job_runs: {
      type: 'array',
      description: 'The newest run of each scheduled job.',
      items: {
        type: 'object',
        properties: {
          job: { type: 'string' },
          slot: { type: 'string' },
          status: { type: 'string', enum: [...JOB_STATUSES] },
          started_at: { type: 'string', format: 'date-time' },
          ended_at: { type: ['string', 'null'], format: 'date-time' },
        },
        required: ['job', 'slot', 'status', 'started_at', 'ended_at'],
      },
    },
  },
  required: ['status', 'problems', 'store', 'models', 'artifacts', 'chat', 'market_data', 'scheduler', 'last_job_runs'],
} as const;

export const liveResponseSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['alive'] }, uptime_seconds: { type: 'number' } },
  required: ['status', 'uptime_seconds'],
} as const;

export const readyResponseSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] }, problems: { type: 'array', items: { type: 'string' } } },
  required: ['status', 'problems'],
} as const;

// ---------------------------------------------------------------- errors
export const detailErrorSchema = {
  type: 'object',
  properties: { detail: { type: 'string' } },
  required: ['detail'],
} as const;

/** FastAPI's 422 body: one entry per invalid parameter. */
export const validationErrorSchema = {
  type: 'object',
  properties: {
    detail: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          loc: { type: 'array', items: { type: 'string' }, description: 'Where the problem is, e.g. ["query", "symbol"].' },
          msg: { type: 'string', description: 'A sentence naming the parameter.' },
          type: { type: 'string', description: 'missing, enum, pattern, type or value_error.' },
        },
        required: ['loc', 'msg', 'type'],
      },
    },
  },
  required: ['detail'],
} as const;

export const internalErrorSchema = {
  type: 'object',
  properties: {
    detail: { type: 'string' },
    correlation_id: { type: 'string', description: 'Quote it when reporting the problem; the server log has the details.' },
  },
  required: ['detail', 'correlation_id'],
} as const;
