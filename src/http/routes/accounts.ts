import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import type { EngineAdmin } from '../../engine/api.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appParams, issuedTokenSchema, passwordInput, usernameInput } from '../schemas.js';

export const registerBody = z.strictObject({ username: usernameInput, password: passwordInput });
/** Login checks the password only against the stored hash: its length rules are the engine's business. */
export const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

/** Both endpoints are open only in apps that allow accounts (`settings.allowAccounts`). */
async function assertAccountsAllowed(engine: EngineAdmin, appId: AppId): Promise<void> {
  const app = await engine.getApp(appId);
  if (!app.settings.allowAccounts) throw new ParleyError('accounts_disabled');
}

export function accountRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/register',
      operationId: 'register',
      tag: 'accounts',
      summary: 'Register an account (public)',
      description: 'Self-registration with a password, for apps that allow accounts. Answers with a token.',
      auth: 'public',
      signIn: true,
      params: appParams,
      body: registerBody,
      responses: { 201: { description: 'The new account and its token', schema: issuedTokenSchema } },
      errors: ['accounts_disabled', 'not_found', 'conflict', 'rate_limited'],
      handler: async ({ params, body, request }) => {
        await assertAccountsAllowed(engine, params.app);
        const issued = await engine.register(params.app, body.username, body.password, request.ip);
        return { status: 201, body: issued };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/login',
      operationId: 'login',
      tag: 'accounts',
      summary: 'Log in with a password (public)',
      description: 'A wrong username and a wrong password fail alike, with `unauthorized`.',
      auth: 'public',
      signIn: true,
      params: appParams,
      body: loginBody,
      responses: { 200: { description: 'A new token for the account', schema: issuedTokenSchema } },
      errors: ['accounts_disabled', 'banned', 'not_found', 'rate_limited'],
      handler: async ({ params, body, request }) => {
        await assertAccountsAllowed(engine, params.app);
        return {
          status: 200,
          body: await engine.login(params.app, body.username, body.password, request.ip),
        };
      },
    }),
  ];
}
