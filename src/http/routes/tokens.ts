import { z } from 'zod';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import {
  appIdParam,
  appParams,
  issuedTokenSchema,
  named,
  timestamp,
  userRefSchema,
  usernameInput,
} from '../schemas.js';

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

const tokenIdParams = z.strictObject({
  app: appIdParam,
  tokenId: z
    .string()
    .regex(/^[0-9a-f]{1,64}$/, 'must be a token id (lowercase hex)')
    .describe('The tokenId given when the token was issued'),
});

const userParams = z.strictObject({ app: appIdParam, username: usernameInput });

export const tokenViewSchema = named(
  z.strictObject({
    id: z.string().describe('The token id (never the token)'),
    createdAt: timestamp,
    expiresAt: timestamp.nullable().describe('null: it does not expire'),
  }),
  'TokenInfo',
  'An access token as the operator sees it',
);

const revokedUserSchema = named(
  z.strictObject({
    user: userRefSchema,
    tokens: z.number().int().min(0).describe('How many tokens were deleted'),
    notBefore: timestamp.describe("The user's site JWTs issued before this time are refused from now on"),
  }),
  'RevokedUser',
);

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
      audit: 'token.issue',
      handler: async ({ params, body }) => ({
        status: 201,
        body: await engine.issueToken(params.app, body.username, body.ttlSeconds),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/users/:username/tokens',
      operationId: 'listTokens',
      tag: 'tokens',
      summary: "A user's access tokens that have not expired",
      description: 'Newest first, at most 100: ids and times, never the tokens themselves.',
      auth: 'admin',
      params: userParams,
      responses: {
        200: {
          description: 'The tokens',
          schema: z.strictObject({ tokens: z.array(tokenViewSchema) }),
        },
      },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: { tokens: await engine.listTokens(params.app, params.username) },
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/tokens/:tokenId',
      operationId: 'revokeToken',
      tag: 'tokens',
      summary: 'Revoke one access token',
      description:
        'The token never authenticates again, and every connection signed in with it is closed at once, on ' +
        'every node, with `revoked` (close code 4011).',
      auth: 'admin',
      params: tokenIdParams,
      responses: { 204: { description: 'Revoked' } },
      errors: ['not_found'],
      audit: 'token.revoke',
      handler: async ({ params }) => {
        await engine.revokeToken(params.app, params.tokenId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/users/:username/revoke',
      operationId: 'revokeUser',
      tag: 'tokens',
      summary: "Revoke a user's access: every token, older site JWTs, every connection",
      description:
        "Deletes every access token of the user, refuses the user's site JWTs issued (`iat`) before now, and " +
        'closes every connection of the user on every node with `revoked` (4011). A password or a guest ' +
        'nickname can sign in again: ban the user, or change the password, to keep them out.',
      auth: 'admin',
      params: userParams,
      responses: { 200: { description: 'What was revoked', schema: revokedUserSchema } },
      errors: ['not_found'],
      audit: 'user.revoke',
      handler: async ({ params }) => ({
        status: 200,
        body: await engine.revokeUser(params.app, params.username),
      }),
    }),
  ];
}
