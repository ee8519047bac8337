/**
 * The HTTP API (the seed's FastAPI service, in TypeScript): GET /models, /prediction, /health, /ready, /live and
 * /openapi.json.
 * buildApi only builds the Fastify instance; the caller decides where to listen and when to close, e.g.
 *
 *   const api = buildApi(services);
 *   await api.listen({ host: config.http.host, port: config.http.port });
 *
 * Query strings are validated and responses serialised by the JSON schemas in schemas.ts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../app/logger.ts';
import type { SignalPoolServices } from '../app/services.ts';
import { errorHandler } from './errors.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { dataRoutes, type RouteSpec } from './routes.ts';
import { healthRoutes } from './health-routes.ts';
import type { HealthSources } from './health.ts';

export interface ApiOptions {
  /** Defaults to services.logger. */
  logger?: Logger;
  /** Deadline of each /health probe (store ping, model count, job runs, artifact checks). Default 2000 ms. */
  healthTimeoutMs?: number;
  /** What /health reports besides the store and the models: chat platforms, market data, scheduler, store check. */
  health?: HealthSources;
}

function openApiRoute(document: () => string): RouteSpec {
  return {
    method: 'GET',
    url: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    description: 'The OpenAPI 3.1 description of every route, parameter and response.',
    responses: { 200: { description: 'An OpenAPI 3.1 document.', schema: { type: 'object' } } },
    rawJson: true,
    handler: async () => document(),
  };
}

export function buildApi(services: SignalPoolServices, opts: ApiOptions = {}): FastifyInstance {
  const logger = (opts.logger ?? services.logger).child({ component: 'api' });
  // Fastify's own request logging is off: at thousands of requests a second it would dominate the cost of a cached
  // prediction. Errors are logged by the error handler.
  // allErrors: report every bad parameter at once, not only the first.
  const app = Fastify({ logger: false, ajv: { customOptions: { allErrors: true } } });

  let documentJson = '';
  const routes = [
    ...dataRoutes({ services, logger }),
    ...healthRoutes({ services, logger, timeoutMs: opts.healthTimeoutMs ?? 2000, sources: opts.health }),
    openApiRoute(() => documentJson),
  ];
  documentJson = JSON.stringify(buildOpenApiDocument(routes));

  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ detail: 'Not Found' }));

  for (const route of routes) {
    // A rawJson route's 200 body is already a JSON string; its error responses are still serialised by schema.
    const response = Object.fromEntries(Object.entries(route.responses)
      .filter(([status]) => !(route.rawJson && status === '200'))
      .map(([status, r]) => [status, r.schema]));
    app.route({
      method: route.method,
      url: route.url,
      schema: { ...(route.querystring ? { querystring: route.querystring } : {}), response },
      handler: async (request, reply) => {
        const result = await route.handler(request.query as Record<string, string | undefined>);
        if (route.statusOf) reply.code(route.statusOf(result));
        if (route.rawJson) reply.type('application/json; charset=utf-8');
        return result;
      },
    });
  }
  return app;
}
