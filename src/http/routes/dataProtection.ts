import { Readable } from 'node:stream';
import { z } from 'zod';
import { ERASURES_LIST_MAX } from '../../core/dataProtection.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appParams, cursorQuery, id, limitQuery, named, timestamp } from '../schemas.js';
import { userParams } from './users.js';

export const erasureSchema = named(
  z.strictObject({
    id,
    appId: id,
    at: timestamp,
    actor: z.string().describe('Who asked: `operator` (the admin key)'),
    userId: id.describe('The id the user had; ids are never handed out again'),
    usernameHash: z
      .string()
      .describe('sha256 hex of "<app id>:<username folded to its key>": tells whether a name was erased'),
    messages: z.enum(['delete', 'anonymise']).describe("The app's erasure setting when it ran"),
    counts: z
      .record(z.string(), z.number().int().min(0))
      .describe('What went: messages, tokens, reactions, readMarkers, blocks, memberships, reports'),
  }),
  'Erasure',
);

export const listErasuresQuery = z.strictObject({
  limit: limitQuery(ERASURES_LIST_MAX),
  before: cursorQuery.describe('An erasure id: list the older ones (the nextBefore of the previous page)'),
});

export function dataProtectionRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/users/:username/export',
      operationId: 'exportUser',
      tag: 'data protection',
      summary: 'Export everything Parley holds about a user as one JSON document (streamed)',
      description:
        'Profile, account, tokens (metadata), uploads, memberships, reactions, read markers, reports made, ' +
        'DMs, blocks, mutes, bans, shadow mutes, strikes, moderation records about the user, then every ' +
        'message they wrote (all rooms, DMs too). Read from storage a page at a time: a large export never ' +
        'sits in memory. docs/data-protection.md describes the format.',
      auth: 'admin',
      params: userParams,
      responses: {
        200: { description: 'The export (format `parley.user-export/1`)', contentType: 'application/json' },
      },
      errors: ['not_found'],
      handler: async ({ params }) => {
        const chunks = await engine.exportUser(params.app, params.username);
        return { status: 200, contentType: 'application/json; charset=utf-8', body: Readable.from(chunks) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/users/:username',
      operationId: 'eraseUser',
      tag: 'data protection',
      summary:
        "Erase a user: sessions, tokens, profile, reactions, read state, blocks; messages by the app's setting",
      description:
        "The user's sessions are closed and tokens deleted, their messages deleted or anonymised as the app's " +
        '`erasure.messages` says, then the user is removed (the username is free again). A record without ' +
        'the username is kept and listed at `GET /api/v1/apps/:app/erasures`.',
      auth: 'admin',
      audit: 'user.erase',
      params: userParams,
      responses: { 200: { description: 'The record kept of the erasure', schema: erasureSchema } },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: await engine.eraseUser(params.app, params.username),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/erasures',
      operationId: 'listErasures',
      tag: 'data protection',
      summary: 'The records of erased users, newest first',
      auth: 'admin',
      params: appParams,
      query: listErasuresQuery,
      responses: {
        200: {
          description: 'A page of records',
          schema: z.strictObject({ erasures: z.array(erasureSchema), nextBefore: id.nullable() }),
        },
      },
      errors: ['not_found'],
      handler: async ({ params, query }) => ({
        status: 200,
        body: await engine.listErasures(params.app, {
          ...(query.limit === undefined ? {} : { limit: query.limit }),
          ...(query.before === undefined ? {} : { before: query.before }),
        }),
      }),
    }),
  ];
}
