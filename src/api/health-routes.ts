/**
 * The health routes: /health (readiness with every component's state), /ready (the same verdict in a few bytes, for
 * load balancers) and /live (liveness: the process and its event loop answer; never touches the store or a
 * neighbour, so a restart policy does not kill a service that is only waiting for its database or its chat platform).
 */
import type { Logger } from '../app/logger.ts';
import type { SignalPoolServices } from '../app/services.ts';
import { createHealthChecker, type HealthReport, type HealthSources } from './health.ts';
import { internalError, type RouteSpec } from './routes.ts';
import { healthResponseSchema, liveResponseSchema, readyResponseSchema } from './schemas.ts';

export interface HealthRouteDeps {
  services: Pick<SignalPoolServices, 'store' | 'listChampions'>;
  logger: Logger;
  timeoutMs: number;
  sources?: HealthSources;
}

const statusCode = (result: unknown) => ((result as { status: string }).status === 'unavailable' ? 503 : 200);

export function healthRoutes({ services, logger, timeoutMs, sources }: HealthRouteDeps): RouteSpec[] {
  const checker = createHealthChecker(services, {
    timeoutMs,
    sources,
    onProbeError: (probe, err) => logger.warn('health probe failed', { probe, err: err instanceof Error ? err.message : String(err) }),
  });
  const started = Date.now();
  return [
    {
      method: 'GET',
      url: '/health',
      operationId: 'getHealth',
      summary: 'Readiness, per component',
      description: 'The store, each champion\'s artifact check, the chat platforms, market data and the scheduler\'s last '
        + 'runs. 200 with status ok or degraded (serving, with problems listed); 503 unavailable when nothing can be served.',
      responses: {
        200: { description: 'Serving (ok or degraded).', schema: healthResponseSchema },
        500: internalError,
        503: { description: 'Unavailable: the store does not answer, or no champion can be loaded.', schema: healthResponseSchema },
      },
      statusOf: statusCode,
      handler: () => checker.check(),
    },
    {
      method: 'GET',
      url: '/ready',
      operationId: 'getReady',
      summary: 'Readiness verdict only',
      description: 'The status of /health and its problems, without the details: 200 when serving, 503 when not.',
      responses: {
        200: { description: 'Serving.', schema: readyResponseSchema },
        500: internalError,
        503: { description: 'Nothing can be served.', schema: readyResponseSchema },
      },
      statusOf: statusCode,
      handler: async () => {
        const report: HealthReport = await checker.check();
        return { status: report.status, problems: report.problems };
      },
    },
    {
      method: 'GET',
      url: '/live',
      operationId: 'getLive',
      summary: 'Liveness',
      description: 'Answers 200 as long as the process runs and its event loop is free; checks no dependency.',
      responses: { 200: { description: 'Alive.', schema: liveResponseSchema } },
      handler: async () => ({ status: 'alive', uptime_seconds: Math.round((Date.now() - started) / 1000) }),
    },
  ];
}
