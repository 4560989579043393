import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OPERATOR_ACTOR } from '../core/audit.js';
import type { EngineAdmin } from '../engine/api.js';
import type { AdminAuth } from './adminAuth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's audit action (RouteSpec.audit): a success of it is recorded in the audit trail. */
    audit?: string;
  }
}

const APP_PARAM = /^[1-9][0-9]{0,8}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The app a route changes (its `:app`), or null for server-wide routes (creating an app). */
function appOf(params: Record<string, unknown>): number | null {
  const app = params['app'];
  return typeof app === 'string' && APP_PARAM.test(app) ? Number(app) : null;
}

/** What a change names: the route's parameters but the app, its query and its body (blanked by the engine). */
function changesOf(request: FastifyRequest): Record<string, unknown> {
  const params = isRecord(request.params) ? { ...request.params } : {};
  delete params['app'];
  const query = isRecord(request.query) ? request.query : {};
  const body = isRecord(request.body) ? request.body : {};
  return { ...params, ...query, ...body };
}

/**
 * The audit trail of the admin API, as one hook: a route that declares an audit action (its route config) and
 * succeeds with the admin key is recorded with who (the admin key's identity and the peer address) and what
 * (the action and its fields, bounded and blanked of secrets by the engine) before its answer leaves, so that
 * the trail holds the change once the caller has heard of it. A failed change is not recorded (it changed
 * nothing); a record that cannot be written is logged and the answer still sent (the change has happened).
 */
export function registerAudit(app: FastifyInstance, engine: EngineAdmin, auth: AdminAuth): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const action = request.routeOptions.config.audit;
    if (action === undefined || reply.statusCode >= 400 || !auth.isAdmin(request)) return payload;
    const params = isRecord(request.params) ? request.params : {};
    try {
      await engine.recordAudit({
        appId: appOf(params),
        action,
        actor: OPERATOR_ACTOR,
        address: request.ip,
        changes: changesOf(request),
      });
    } catch (err) {
      request.log.error({ err, action }, 'the audit record of a change could not be written');
    }
    return payload;
  });
}
