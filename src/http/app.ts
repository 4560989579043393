import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import fastifyCompress from '@fastify/compress';
import fastifyMultipart from '@fastify/multipart';
import { ATTACHMENT_BYTES_CAP } from '../core/attachments.js';
import { constants as zlib } from 'node:zlib';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { ServerConfig } from '../config/types.js';
import { ParleyError } from '../core/errors.js';
import type { EngineAdmin } from '../engine/api.js';
import { redactUrl } from '../log.js';
import { createAdminAuth } from './adminAuth.js';
import { registerAuthRateLimit } from './authRateLimit.js';
import { registerCors } from './cors.js';
import { BODY_LIMIT, errorResponse, handleError } from './errors.js';
import { openApiRoute } from './openapi.js';
import { registerRoutes, type RouteSpec } from './route.js';
import { accountRoutes } from './routes/accounts.js';
import { webhookRoutes } from './routes/webhooks.js';
import { botRoutes } from './routes/bots.js';
import { auditRoutes } from './routes/audit.js';
import { attachmentRoutes } from './routes/attachments.js';
import { registerAudit } from './audit.js';
import { appRoutes } from './routes/apps.js';
import { dmRoutes } from './routes/dms.js';
import { healthRoutes } from './routes/health.js';
import { messageRoutes } from './routes/messages.js';
import { moderationRoutes } from './routes/moderation.js';
import { reportRoutes } from './routes/reports.js';
import { policyRoutes } from './routes/policy.js';
import { reactionRoutes } from './routes/reactions.js';
import { roomRoutes } from './routes/rooms.js';
import { searchRoutes } from './routes/search.js';
import { statsRoutes } from './routes/stats.js';
import { createLiveStats, type LiveStats } from './liveStats.js';
import { httpTimeouts } from './timeouts.js';
import { threadRoutes } from './routes/threads.js';
import { tokenRoutes } from './routes/tokens.js';
import { unreadRoutes } from './routes/unread.js';
import { userRoutes } from './routes/users.js';
import { dataProtectionRoutes } from './routes/dataProtection.js';
import { registerWebRoutes } from './routes/web.js';

export { BODY_LIMIT } from './errors.js';

export interface HttpAppDeps {
  engine: EngineAdmin;
  config: ServerConfig;
  logger: Logger;
  adminKey: string;
  /** Served at GET /metrics. */
  registry: Registry;
  /**
   * The console's per-second feed (createMetrics().live, fed by the engine); absent: one that only sees the
   * engine's sessions and rooms.
   */
  live?: LiveStats;
  /** Resolves when the server can take traffic; /readyz answers 503 while it rejects. */
  ready: () => Promise<void>;
  /** The cluster's Redis for the cap on sign-in requests (authRateLimit.ts); absent on one node. */
  redis?: Redis | null;
  /** The built web assets (widget, demo page, admin console); default dist/web of this checkout. */
  webRoot?: string;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

interface LoggedReply {
  statusCode?: number;
}

/**
 * Request log lines carry the method, the URL (credential-like query values scrubbed) and the address: never
 * headers (Authorization) nor bodies (passwords, message text), whatever serializers the given logger has.
 */
function httpLogger(logger: Logger): FastifyBaseLogger {
  return logger.child(
    { component: 'http' },
    {
      serializers: {
        req: (req: LoggedRequest) => ({
          method: req.method,
          url: typeof req.url === 'string' ? redactUrl(req.url) : undefined,
          remoteAddress: req.ip,
        }),
        res: (res: LoggedReply) => ({ statusCode: res.statusCode }),
      },
      redact: {
        paths: ['req.headers', 'req.body', 'headers.authorization', 'body', 'password'],
        censor: '[redacted]',
      },
    },
  );
}

/**
 * One line per request, at debug, when its answer is sent (at info a busy site's logs would be mostly requests);
 * a request that failed inside fastify is still logged as an error.
 */
class RequestsAtDebug extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (error) return super.requestCompleted(error, request, reply, metadata);
    reply.log.debug({ req: request, res: reply, ms: Math.round(reply.elapsedTime) }, 'request');
  }
}

/** Every route of the API, in the order they are documented. */
export function apiRoutes(deps: Pick<HttpAppDeps, 'engine' | 'ready' | 'registry' | 'live'>): RouteSpec[] {
  const api = { engine: deps.engine };
  return [
    ...appRoutes(api),
    ...userRoutes(api),
    ...tokenRoutes(api),
    ...accountRoutes(api),
    ...roomRoutes(api),
    ...messageRoutes(api),
    ...moderationRoutes(api),
    ...reportRoutes(api),
    ...policyRoutes(api),
    ...threadRoutes(api),
    ...unreadRoutes(api),
    ...dmRoutes(api),
    ...healthRoutes({ ready: deps.ready, registry: deps.registry }),
    ...reactionRoutes(api),
    ...searchRoutes(api),
    ...auditRoutes(api),
    ...webhookRoutes(api),
    ...dataProtectionRoutes(api),
    ...botRoutes(api),
    ...statsRoutes({ live: deps.live ?? createLiveStats(), engine: deps.engine }),
    ...attachmentRoutes(api),
  ];
}

/**
 * The HTTP API as a fastify instance, not yet listening: the composition calls listen() and attaches the
 * WebSocket gateways to `app.server`. Routes are registered when the instance is readied (listen, inject or
 * ready()).
 */
export function buildHttpApp(deps: HttpAppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: httpLogger(deps.logger),
    bodyLimit: BODY_LIMIT,
    ...httpTimeouts(deps.config),
    logController: new RequestsAtDebug(),
    // request.ip is the client's address: X-Forwarded-For is read only when the peer is a trusted proxy.
    trustProxy: deps.config.trustedProxies.length > 0 ? deps.config.trustedProxies : false,
    // A URL the router cannot decode is a bad request like any other, with the catalogue body.
    frameworkErrors: (err, request, reply) => {
      void handleError(err, request, reply);
    },
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const path = (request.raw.url ?? '/').split('?')[0] ?? '/';
    const error = new ParleyError('not_found', `No route ${request.method} ${path}`);
    void reply.code(404).send(errorResponse(error));
  });

  registerCors(app, deps);
  // API answers over 1 KiB (history pages, lists, the OpenAPI document) in brotli or gzip, at a quality cheap
  // enough per request; the web assets come compressed already (routes/web.ts) and are left alone.
  void app.register(fastifyCompress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });
  // Uploads (routes/attachments.ts): one file part, read as a stream cut at the app's limit (never above the cap).
  void app.register(fastifyMultipart, {
    limits: { fileSize: ATTACHMENT_BYTES_CAP, files: 1, fields: 0, parts: 1, fieldNameSize: 100 },
  });
  registerAuthRateLimit(app, {
    perMinute: deps.config.authRequestsPerAddressPerMinute,
    redis: deps.redis ?? null,
  });

  const auth = createAdminAuth(deps.adminKey);
  registerAudit(app, deps.engine, auth);
  const live = deps.live ?? createLiveStats();
  live.start(() => deps.engine.stats());
  app.addHook('onClose', async () => live.stop());
  const routes = apiRoutes({ ...deps, live });
  const all: RouteSpec[] = [...routes, openApiRoute(() => all)];
  void app.register(async (api) => {
    registerRoutes(api, all, auth);
  });
  void app.register(async (web) => {
    registerWebRoutes(web, deps.webRoot === undefined ? {} : { root: deps.webRoot });
  });

  return app;
}
