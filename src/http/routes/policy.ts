import { z } from 'zod';
import { MAX_REPORTED_MATCHES } from '../../core/contentFilter.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appParams, usernameInput } from '../schemas.js';
import { targetParams } from './moderation.js';

export const filterTestBody = z.strictObject({
  text: z.string().max(100_000).describe("The text to try (held to the app's maxMessageLength)"),
  username: usernameInput
    .optional()
    .describe('Whose message it would be (role and age count); absent: a member who joined just now'),
});

const filterVerdictSchema = z.strictObject({
  action: z.enum(['pass', 'mask', 'hold', 'reject']),
  reason: z.enum(['phrase', 'link']).optional().describe('Why it is refused or held'),
  hold: z.boolean(),
  text: z.string().describe('The text as it would be posted (masked spans as asterisks)'),
  matches: z
    .array(
      z.strictObject({
        rule: z.number().int().min(0).describe('The index of the rule in filter.rules'),
        phrase: z.string(),
        action: z.enum(['reject', 'mask', 'hold']),
        start: z.number().int().min(0).describe('UTF-16 offset in the text where the match starts'),
        end: z.number().int().min(0).describe('UTF-16 offset where it ends (exclusive)'),
      }),
    )
    .describe(`What matched, at most ${MAX_REPORTED_MATCHES}`),
  links: z.number().int().min(0).describe('Links found in the text'),
  steps: z
    .number()
    .int()
    .min(0)
    .describe("The matcher's work, in steps (bounded by letters x longest phrase)"),
});

const strikeSchema = z.strictObject({
  appId: z.number().int(),
  userId: z.number().int(),
  source: z.enum(['filter', 'flood', 'report']),
  reason: z.string(),
  at: z.number().int(),
  expiresAt: z.number().int(),
  active: z.boolean().describe('Whether it still counts toward the ladder'),
});

/** The content filter's tester and a user's strikes (docs/moderation.md). */
export function policyRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/filter/test',
      operationId: 'testFilter',
      // Changes nothing, but a POST with the admin key: recorded like every other (who tried which text).
      audit: 'filter.test',
      tag: 'moderation',
      summary: "What the app's word and link filter would do with a text",
      description: 'Posts nothing and counts no strike.',
      auth: 'admin',
      params: appParams,
      body: filterTestBody,
      responses: { 200: { description: 'The verdict', schema: filterVerdictSchema } },
      errors: ['not_found', 'too_long'],
      handler: async ({ params, body }) => ({ status: 200, body: await engine.testFilter(params.app, body) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/users/:username/strikes',
      operationId: 'listStrikes',
      tag: 'moderation',
      summary: "A user's strikes toward escalation, newest first (at most 100)",
      auth: 'admin',
      params: targetParams,
      responses: {
        200: { description: 'The strikes', schema: z.strictObject({ strikes: z.array(strikeSchema) }) },
      },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: { strikes: await engine.userStrikes(params.app, params.username) },
      }),
    }),
  ];
}
