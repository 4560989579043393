import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/types.js';
import { isOriginAllowed, isOwnOrigin } from '../core/apps.js';
import { ParleyError, isParleyError } from '../core/errors.js';
import type { EngineAdmin } from '../engine/api.js';

/** The app id of a URL under `/api/v1/apps/:app/…` (not the app resource itself), else null. */
export function appIdOfPath(url: string): number | null {
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  try {
    // The router decodes path parameters, so `/apps/%31/…` is app 1 and must be narrowed like it.
    path = decodeURIComponent(path);
  } catch {
    return null; // the router refuses a malformed path as well
  }
  const match = /^\/api\/v1\/apps\/([1-9][0-9]{0,8})\//.exec(path);
  return match?.[1] === undefined ? null : Number(match[1]);
}

export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'PUT'];
export const CORS_HEADERS = ['Authorization', 'Content-Type'];
/** How long browsers may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE = 600;

/**
 * Browser origins: a request (or preflight) whose Origin is not allowed is refused with `origin_not_allowed`
 * (403) before anything else runs. The server's list applies everywhere; under `/api/v1/apps/:app/` the
 * app's own `settings.allowedOrigins` narrows it further. Allowed origins get the CORS headers (the Origin is
 * reflected, never `*` with credentials). Requests without an Origin (servers, curl) are not affected.
 */
export function registerCors(
  app: FastifyInstance,
  deps: { engine: EngineAdmin; config: ServerConfig },
): void {
  const { engine, config } = deps;

  const appOrigins = async (request: FastifyRequest): Promise<string[] | null> => {
    const appId = appIdOfPath(request.url);
    if (appId === null) return null;
    try {
      return (await engine.getApp(appId)).settings.allowedOrigins;
    } catch (err) {
      // An unknown app narrows nothing: the route itself answers not_found.
      if (isParleyError(err) && err.code === 'not_found') return null;
      throw err;
    }
  };

  // Added before the cors plugin so that it runs first: a refused origin never gets CORS headers.
  app.addHook('onRequest', async (request) => {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    // Parley's own pages (request.host: the Host, or X-Forwarded-Host from a trusted proxy) need no CORS.
    if (isOwnOrigin(origin, request.host)) {
      delete request.headers.origin;
      return;
    }
    if (!isOriginAllowed(origin, config.allowedOrigins, null)) {
      throw new ParleyError('origin_not_allowed', 'The Origin is not allowed by this server');
    }
    if (!isOriginAllowed(origin, config.allowedOrigins, await appOrigins(request))) {
      throw new ParleyError('origin_not_allowed');
    }
  });

  void app.register(cors, {
    origin: true,
    methods: CORS_METHODS,
    allowedHeaders: CORS_HEADERS,
    exposedHeaders: ['WWW-Authenticate'],
    credentials: false,
    maxAge: CORS_MAX_AGE,
    strictPreflight: false,
  });
}
