import type { Registry } from 'prom-client';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { statusSchema } from '../schemas.js';

/** /readyz answers unavailable when the readiness check takes longer than this. */
export const READY_TIMEOUT_MS = 5000;

export interface HealthDeps {
  /** Resolves when the server can serve (storage reachable, listening); rejects otherwise. */
  ready: () => Promise<void>;
  registry: Registry;
}

async function withTimeout(check: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('readiness check timed out')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: HealthDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      operationId: 'health',
      tag: 'operations',
      summary: 'Liveness: the process is up',
      auth: 'public',
      responses: { 200: { description: 'Alive', schema: statusSchema } },
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'GET',
      url: '/readyz',
      operationId: 'ready',
      tag: 'operations',
      summary: 'Readiness: the server can take traffic',
      description:
        'Answers 503 `unavailable` (with `details.reason`) while starting or stopping, while storage is marked ' +
        'unhealthy after a failed write (until a probe commits again), or when storage cannot be reached.',
      auth: 'public',
      responses: { 200: { description: 'Ready', schema: statusSchema } },
      errors: ['unavailable'],
      handler: async ({ request }) => {
        try {
          await withTimeout(deps.ready, READY_TIMEOUT_MS);
        } catch (err) {
          request.log.warn({ err }, 'not ready');
          // The reason is the server's own wording (starting, stopping, storage); a driver's text stays in logs.
          const reason = err instanceof ParleyError ? err.message : 'storage did not answer';
          throw new ParleyError('unavailable', 'The server is not ready', { reason });
        }
        return { status: 200, body: { status: 'ok' } };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/metrics',
      operationId: 'metrics',
      tag: 'operations',
      summary: 'Prometheus metrics',
      description:
        'Process metrics (`process_*`, `nodejs_*`) and Parley metrics (`parley_*`) in the text format.',
      auth: 'public',
      responses: {
        200: { description: 'The metrics', schema: z.string(), contentType: 'text/plain; version=0.0.4' },
      },
      handler: async () => ({
        status: 200,
        body: await deps.registry.metrics(),
        contentType: deps.registry.contentType,
      }),
    }),
  ];
}
