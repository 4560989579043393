/**
 * The chatroom dialect's account routes, after the original's authentication server: `POST
 * /chatroom/register-user` and `POST /chatroom/login-user` with `{username, password}` (app from `?app=N`),
 * answering `{token}` or `{message}` on failure. They are thin wrappers of engine.register and engine.login.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import type { IssuedToken } from '../../core/identity.js';
import { SIGN_IN_ROUTE } from '../../http/authRateLimit.js';
import { toHttpError, withRetryAfter } from '../../http/errors.js';
import type { GatewayDeps } from '../types.js';
import { admit, appParamOf } from './admission.js';
import { parseWith } from './frames.js';

export const REGISTER_PATH = '/chatroom/register-user';
export const LOGIN_PATH = '/chatroom/login-user';

/** Bounds only: the engine checks the username pattern and the password length rules. */
const credentialsBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

/** The error body of these routes, as the original server answered. */
export interface ChatroomHttpError {
  message: string;
}

function credentialsOf(request: FastifyRequest): { username: string; password: string } {
  const parsed = parseWith(credentialsBody, request.body);
  if (!parsed.ok) throw new ParleyError('bad_request', parsed.message);
  return parsed.value;
}

async function appOf(deps: GatewayDeps, request: FastifyRequest) {
  const appId = await admit(deps, appParamOf(request.url), request.headers.origin);
  const app = await deps.engine.getApp(appId);
  if (!app.settings.allowAccounts) throw new ParleyError('accounts_disabled');
  return appId;
}

function tokenBody(issued: IssuedToken): { token: string } {
  return { token: issued.token };
}

export function registerChatroomHttp(app: FastifyInstance, deps: GatewayDeps): void {
  void app.register(async (scope) => {
    // Every failure here, fastify's own (bad JSON, content type, body size, a refused Origin) included,
    // answers `{message}` with the catalogue status.
    scope.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const error = toHttpError(err);
      if (error.code === 'internal') request.log.error({ err }, 'chatroom request failed');
      const body: ChatroomHttpError = { message: error.message };
      withRetryAfter(reply, error);
      return reply.code(error.status).type('application/json; charset=utf-8').send(body);
    });

    scope.post(REGISTER_PATH, { config: SIGN_IN_ROUTE }, async (request, reply) => {
      const appId = await appOf(deps, request);
      const { username, password } = credentialsOf(request);
      const issued = await deps.engine.register(appId, username, password, request.ip);
      return reply.code(201).send(tokenBody(issued));
    });

    scope.post(LOGIN_PATH, { config: SIGN_IN_ROUTE }, async (request, reply) => {
      const appId = await appOf(deps, request);
      const { username, password } = credentialsOf(request);
      const issued = await deps.engine.login(appId, username, password, request.ip);
      return reply.code(200).send(tokenBody(issued));
    });
  });
}
