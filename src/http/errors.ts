import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ParleyError, isParleyError, type ErrorBody } from '../core/errors.js';

/** The largest request body the API reads. */
export const BODY_LIMIT = 64 * 1024;

export interface ErrorResponse {
  error: ErrorBody;
}

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as Partial<FastifyError>).statusCode === 'number';
}

/**
 * Any failure as a catalogue error: ParleyErrors as they are, fastify's own client errors (bad JSON, a body
 * over the limit, an unsupported content type, a validation failure) as their nearest catalogue code, and
 * everything else as `internal` without its text.
 */
export function toHttpError(err: unknown): ParleyError {
  if (isParleyError(err)) return err;
  if (isFastifyError(err)) {
    const status = err.statusCode ?? 500;
    if (err.validation) {
      const first = err.validation[0];
      const field = first?.instancePath
        ? first.instancePath.replace(/^\//, '').replace(/\//g, '.')
        : undefined;
      return new ParleyError('bad_request', err.message, field ? { field } : undefined);
    }
    if (status === 413) {
      return new ParleyError('frame_too_large', `The request body is larger than ${BODY_LIMIT} bytes`, {
        limit: BODY_LIMIT,
      });
    }
    if (status === 415) {
      return new ParleyError('bad_request', 'Unsupported Content-Type: send application/json', {
        field: 'content-type',
      });
    }
    if (status === 404) return new ParleyError('not_found');
    if (status === 503) return new ParleyError('unavailable');
    if (status >= 400 && status < 500) return new ParleyError('bad_request', err.message);
  }
  return new ParleyError('internal');
}

export function errorResponse(err: ParleyError): ErrorResponse {
  return { error: err.toBody() };
}

/** A `rate_limited` answer tells the client when to come back, in whole seconds, as HTTP clients expect. */
export function withRetryAfter(reply: FastifyReply, error: ParleyError): void {
  const retryAfterMs = error.details?.['retryAfterMs'];
  if (error.code === 'rate_limited' && typeof retryAfterMs === 'number') {
    void reply.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }
}

/** Fastify error handler: every error answers `{ error: { code, status, message, details? } }`. */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = toHttpError(err);
  withRetryAfter(reply, error);
  if (error.status >= 500 && error.code === 'internal') request.log.error({ err }, 'request failed');
  else request.log.debug({ code: error.code }, 'request refused');
  return reply.code(error.status).type('application/json; charset=utf-8').send(errorResponse(error));
}
