/**
 * How errors become HTTP responses. Clients of the seed's FastAPI service expect FastAPI's conventions:
 * `{ detail: "..." }` for 404/503 and `{ detail: [{ loc, msg, type }] }` with status 422 for bad parameters.
 * Unexpected errors give 500 with a generic sentence and a correlation id; the stack goes to the log only.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../app/logger.ts';
import { UserFacingError } from '../app/services.ts';
import { PARAMETER_HINTS } from './schemas.ts';

export interface ValidationDetail {
  loc: string[];
  msg: string;
  type: string;
}

/** The subset of an Ajv error that we read (Fastify attaches them as `error.validation`). */
interface AjvLikeError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const LOCATIONS: Record<string, string> = { querystring: 'query', params: 'path', body: 'body', headers: 'header' };

/** Turns Ajv errors into FastAPI-style entries whose message names the parameter. */
export function validationDetails(errors: readonly AjvLikeError[], context: string | undefined): ValidationDetail[] {
  const where = LOCATIONS[context ?? ''] ?? context ?? 'query';
  return errors.map((e) => {
    const param = e.keyword === 'required'
      ? String(e.params.missingProperty)
      : e.instancePath.replace(/^\//, '').split('/')[0] || where;
    const loc = [where, param];
    switch (e.keyword) {
      case 'required':
        return { loc, msg: `${param} is required`, type: 'missing' };
      case 'enum':
        return { loc, msg: `${param} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`, type: 'enum' };
      case 'pattern':
        return { loc, msg: PARAMETER_HINTS[param] ?? `${param} ${e.message ?? 'has an invalid format'}`, type: 'pattern' };
      case 'type':
        return { loc, msg: `${param} must be a single ${String(e.params.type)}`, type: 'type' };
      default:
        return { loc, msg: `${param} ${e.message ?? 'is invalid'}`, type: e.keyword };
    }
  });
}

const USER_ERROR_STATUS = { NOT_FOUND: 404, BAD_REQUEST: 422, UNAVAILABLE: 503 } as const;

function isUserFacingError(err: unknown): err is UserFacingError {
  // name check too: a second copy of the module (e.g. a test double) still means the same thing.
  return err instanceof UserFacingError || (err instanceof Error && err.name === 'UserFacingError' && 'code' in err);
}

/** Fastify error handler; installed by buildApi. */
export function errorHandler(logger: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error.validation) {
      return reply.code(422).send({ detail: validationDetails(error.validation as AjvLikeError[], error.validationContext) });
    }
    if (isUserFacingError(error)) {
      const status = USER_ERROR_STATUS[error.code] ?? 422;
      // 422 keeps FastAPI's list shape so a client parses every 422 the same way.
      const detail = status === 422 ? [{ loc: ['query'], msg: error.message, type: 'value_error' }] : error.message;
      return reply.code(status).send({ detail });
    }
    // Fastify's own client errors (malformed URL, unsupported media type...) carry a 4xx status and a safe message.
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ detail: error.message });
    }
    const correlationId = randomUUID();
    logger.error('unhandled error in HTTP request', {
      correlationId, method: request.method, url: request.url, err: error,
    });
    return reply.code(500).send({
      detail: `Internal server error. Reference: ${correlationId}`,
      correlation_id: correlationId,
    });
  };
}
