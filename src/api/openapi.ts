/**
 * Builds the OpenAPI 3.1 document from the route table. OpenAPI 3.1 uses JSON Schema 2020-12, so the schemas Fastify
 * validates with can be embedded as they are (type arrays such as ["number", "null"] included).
 */
import { readFileSync } from 'node:fs';
import type { RouteSpec } from './routes.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The parameter's schema without the annotations OpenAPI keeps on the parameter object itself. */
function parameterSchema(schema: object): object {
  const { description: _d, ...rest } = schema as Record<string, unknown>;
  return rest;
}

export function buildOpenApiDocument(routes: readonly RouteSpec[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const query = route.querystring;
    const parameters = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: query?.required?.includes(name) ?? false,
      description: (schema as { description?: string }).description,
      schema: parameterSchema(schema),
    }));
    const responses = Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [
      status,
      { description: r.description, content: { 'application/json': { schema: r.schema } } },
    ]));
    paths[route.url] = {
      ...paths[route.url],
      [route.method.toLowerCase()]: {
        operationId: route.operationId,
        summary: route.summary,
        description: route.description,
        ...(parameters.length > 0 ? { parameters } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Signal Pool API',
      version: packageVersion,
      description: 'Crypto trend signals from a pool of ML classifiers: one champion model per coin and trend. '
        + 'Compatible with the seed FastAPI service (/models, /prediction).',
    },
    paths,
  };
}
