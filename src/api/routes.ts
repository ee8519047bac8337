/**
 * The API's routes as data: URL, schemas, documented responses and handler. buildApi registers them with Fastify and
 * buildOpenApiDocument describes them, so one table is the single source of both.
 */
import type { Logger } from '../app/logger.ts';
import type { DeployedModel, SignalPoolServices } from '../app/services.ts';
import type { Trend } from '../data/candle.ts';
import {
  detailErrorSchema, internalErrorSchema, modelsQuerySchema, modelsResponseSchema,
  predictionQuerySchema, predictionResponseSchema, validationErrorSchema,
} from './schemas.ts';
import { toModelEntry, toPredictionResponse } from './views.ts';

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
  /**
   * When true, the handler returns a ready JSON string, sent as is (the 200 schema then only documents it; the
   * handler's own mapping guarantees the shape). Error responses are still serialised by their schemas.
   */
  rawJson?: boolean;
  /** HTTP status for a handler result; 200 unless given. */
  statusOf?: (result: unknown) => number;
  handler: (query: Record<string, string | undefined>) => Promise<unknown>;
}

export const internalError: DocumentedResponse = { description: 'Unexpected server error; details are in the server log.', schema: internalErrorSchema };
const badParameters: DocumentedResponse = { description: 'A parameter is missing or invalid; `detail` names it.', schema: validationErrorSchema };

export interface RouteDeps {
  services: SignalPoolServices;
  logger: Logger;
}

/** Stable order for /models: by symbol, then uptrend before downtrend. */
function compareModels(a: DeployedModel, b: DeployedModel): number {
  return a.symbol.localeCompare(b.symbol) || (a.trend === b.trend ? 0 : a.trend === 'uptrend' ? -1 : 1);
}

/**
 * JSON of one /models entry, memoised per model version. A registered version never changes (src/store/ports.ts), so
 * its entry is serialised once instead of on every request: 40 entries with their SHAP maps are ~27 kB, and
 * serialising them dominated the cost of GET /models.
 */
function memoisedEntryJson(maxEntries = 1000): (m: DeployedModel) => string {
  const cache = new Map<string, string>();
  return (m) => {
    const key = `${m.modelName}@${m.version}@${m.trainedAt.getTime()}`;
    let json = cache.get(key);
    if (json === undefined) {
      if (cache.size >= maxEntries) cache.clear(); // old versions are never asked for again; start over
      json = JSON.stringify(toModelEntry(m));
      cache.set(key, json);
    }
    return json;
  };
}

export function dataRoutes({ services, logger }: RouteDeps): RouteSpec[] {
  const modelEntryJson = memoisedEntryJson();
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
      rawJson: true,
      handler: async (query) => {
        const models = await services.listChampions(query.trend_type as Trend | undefined);
        return `[${[...models].sort(compareModels).map(modelEntryJson).join(',')}]`;
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
  ];
}
