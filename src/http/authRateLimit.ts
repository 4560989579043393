import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { ParleyError } from '../core/errors.js';
import { isLoopback } from '../core/addresses.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A sign-in route (login, register, a dialect's login): held to the per-address cap of this module. */
    signInRoute?: boolean;
  }
}

export interface AuthRateLimitOptions {
  /** Requests one address may make a minute to the sign-in routes, all of them together. */
  perMinute: number;
  /** The cluster's Redis, so that the cap is the cluster's; null: this node counts alone. */
  redis: Redis | null;
}

const WINDOW_MS = 60_000;

/** Routes register with this in their config to be held to the cap. */
export const SIGN_IN_ROUTE = { signInRoute: true } as const;

function exempt(request: FastifyRequest): boolean {
  // Only the sign-in routes are capped; the server's own machine never is (as with the sign-in limits).
  return request.routeOptions.config.signInRoute !== true || isLoopback(request.ip);
}

/**
 * A coarse cap per client address on the HTTP sign-in routes, in front of the precise sign-in limits of the
 * engine (which count wrong passwords and registrations): a flood of requests is turned away with 429 and
 * Retry-After before any of them reaches storage or a password hash. With Redis the count is the cluster's;
 * when Redis cannot answer the request goes on (the engine's limits still hold).
 */
export function registerAuthRateLimit(app: FastifyInstance, opts: AuthRateLimitOptions): void {
  // At the root (the plugin is not encapsulated): every route registered after it is seen by its hook.
  void app.register(rateLimit, {
    global: true,
    max: opts.perMinute,
    timeWindow: WINDOW_MS,
    allowList: exempt,
    keyGenerator: (request) => request.ip,
    skipOnError: true,
    ...(opts.redis ? { redis: opts.redis, nameSpace: 'parley:http-auth:' } : {}),
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
    errorResponseBuilder: (_request, context) =>
      new ParleyError('rate_limited', 'Too many sign-in requests from this address', {
        retryAfterMs: Math.max(0, context.ttl),
      }),
  });
}
