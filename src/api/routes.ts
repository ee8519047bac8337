/**
 * The API's routes as data: URL, schemas, documented responses and handler. buildApi registers them with Fastify and
 * buildOpenApiDocument describes them, so one table is the single source of both.
 */
import type { Logger } from '../app/logger.ts';
import type { SignalPoolServices } from '../app/services.ts';
import type { Trend } from '../data/candle.ts';
import { checkHealth } from './health.ts';
import {
  detailErrorSchema, healthResponseSchema, internalErrorSchema, modelsQuerySchema, modelsResponseSchema,
  predictionQuerySchema, predictionResponseSchema, validationErrorSchema,
} from './schemas.ts';
import { compareModelEntries, toModelEntry, toPredictionResponse } from './views.ts';

export interface DocumentedResponse {
  description: string;
  schema: object;
}

export interface RouteSpec {
  method: 'GET';
  url: string;
  operationId: string;
  summary: string;
  description: string;
  querystring?: { properties: Record<string, object>; required?: readonly string[] };
  /** Status code → response. Those with a schema are also used by Fastify to serialise. */
  responses: Record<number, DocumentedResponse>;
  /** When true, the handler returns a ready JSON string and Fastify must not re-serialise it. */
  rawJson?: boolean;
  /** HTTP status for a handler result; 200 unless given. */
  statusOf?: (result: unknown) => number;
  handler: (query: Record<string, string | undefined>) => Promise<unknown>;
}

const internalError: DocumentedResponse = { description: 'Unexpected server error; details are in the server log.', schema: internalErrorSchema };
const badParameters: DocumentedResponse = { description: 'A parameter is missing or invalid; `detail` names it.', schema: validationErrorSchema };

export interface RouteDeps {
  services: SignalPoolServices;
  logger: Logger;
  /** Deadline of each /health probe. */
  healthTimeoutMs: number;
}

export function dataRoutes({ services, logger, healthTimeoutMs }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      url: '/models',
      operationId: 'listModels',
      summary: 'Deployed models',
      description: 'One entry per champion model, in the seed service\'s schema, plus version, classifier and trained_at.',
      querystring: modelsQuerySchema,
      responses: {
        200: { description: 'The deployed models, sorted by symbol then trend.', schema: modelsResponseSchema },
        422: badParameters,
        500: internalError,
        503: { description: 'The store is unavailable.', schema: detailErrorSchema },
      },
      handler: async (query) => {
        const trend = query.trend_type as Trend | undefined;
        const models = await services.listChampions(trend);
        return models.map(toModelEntry).sort(compareModelEntries);
      },
    },
    {
      method: 'GET',
      url: '/prediction',
      operationId: 'getPrediction',
      summary: 'Latest prediction of one model',
      description: 'The champion model\'s prediction for the newest candle. Served from the stored prediction when one '
        + 'exists for the current model version and as-of date, so a request normally triggers no data fetch.',
      querystring: predictionQuerySchema,
      responses: {
        200: { description: 'The prediction.', schema: predictionResponseSchema },
        404: { description: 'No model is deployed for this symbol and trend.', schema: detailErrorSchema },
        422: badParameters,
        500: internalError,
        503: { description: 'Data or store temporarily unavailable.', schema: detailErrorSchema },
      },
      handler: async (query) => {
        const view = await services.predict(String(query.symbol).toUpperCase(), query.trend_type as Trend);
        return toPredictionResponse(view);
      },
    },
    {
      method: 'GET',
      url: '/health',
      operationId: 'getHealth',
      summary: 'Service health',
      description: 'Whether the store answers, how many models are deployed, and the newest run of each scheduled job. '
        + 'Answers 200 when ok and 503 when degraded, with the same body.',
      responses: {
        200: { description: 'Healthy.', schema: healthResponseSchema },
        500: internalError,
        503: { description: 'Degraded: the store or a probe did not answer.', schema: healthResponseSchema },
      },
      statusOf: (result) => ((result as { status: string }).status === 'ok' ? 200 : 503),
      handler: () => checkHealth(services, {
        timeoutMs: healthTimeoutMs,
        onProbeError: (probe, err) => logger.warn('health probe failed', { probe, err: err instanceof Error ? err.message : String(err) }),
      }),
    },
  ];
}
