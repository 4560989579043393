import { z } from 'zod';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appParams, issuedTokenSchema, usernameInput } from '../schemas.js';

/** Ten years, the longest lifetime the engine issues. */
export const MAX_TOKEN_TTL_SECONDS = 10 * 365 * 24 * 3600;

export const issueTokenBody = z.strictObject({
  username: usernameInput,
  ttlSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_TOKEN_TTL_SECONDS)
    .optional()
    .describe('Lifetime in seconds; 0 for no expiry; absent for the server default'),
});

export function tokenRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/tokens',
      operationId: 'issueToken',
      tag: 'tokens',
      summary: 'Issue an access token for a user of your site',
      description:
        "For a site's backend: the user is created as an external member when it does not exist yet. " +
        'Hand the token to the browser, which connects with it.',
      auth: 'admin',
      params: appParams,
      body: issueTokenBody,
      responses: { 201: { description: 'The token', schema: issuedTokenSchema } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params, body }) => ({
        status: 201,
        body: await engine.issueToken(params.app, body.username, body.ttlSeconds),
      }),
    }),
  ];
}
