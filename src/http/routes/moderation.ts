import { z } from 'zod';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import {
  appIdParam,
  appParams,
  banSchema,
  cursorQuery,
  limitQuery,
  minutesInput,
  moderationRecordSchema,
  muteSchema,
  onlineUserSchema,
  reasonInput,
  roomNameInput,
  usernameInput,
} from '../schemas.js';

export const MODERATION_PAGE_MAX = 500;
export const MODERATION_PAGE_DEFAULT = 100;

export const muteBody = z.strictObject({
  username: usernameInput,
  room: roomNameInput.optional().describe('Mute in this room only; absent mutes in the whole app'),
  minutes: minutesInput.optional(),
  reason: reasonInput.optional(),
});

export const banBody = z.strictObject({
  username: usernameInput,
  minutes: minutesInput.optional(),
  reason: reasonInput.optional(),
});

export const kickBody = z.strictObject({ username: usernameInput, reason: reasonInput.optional() });

export const targetParams = z.strictObject({ app: appIdParam, username: usernameInput });

export const unmuteQuery = z.strictObject({
  room: roomNameInput.optional().describe('Lift the mute in this room; absent lifts the app-wide mute'),
});

export const moderationQuery = z.strictObject({
  limit: limitQuery(MODERATION_PAGE_MAX),
  before: cursorQuery.describe('A record id: the records before it (the nextCursor of the previous page)'),
});

export function moderationRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/mutes',
      operationId: 'mute',
      tag: 'moderation',
      summary: 'Mute a user in a room or in the whole app',
      description: 'Muting again replaces the previous mute of the same scope.',
      auth: 'admin',
      audit: 'moderation.mute',
      params: appParams,
      body: muteBody,
      responses: { 201: { description: 'The mute', schema: muteSchema } },
      errors: ['not_found'],
      handler: async ({ params, body }) => {
        const { username, ...opts } = body;
        return { status: 201, body: await engine.mute(params.app, username, opts) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/mutes/:username',
      operationId: 'unmute',
      tag: 'moderation',
      summary: 'Lift a mute',
      auth: 'admin',
      audit: 'moderation.unmute',
      params: targetParams,
      query: unmuteQuery,
      responses: { 204: { description: 'Unmuted' } },
      errors: ['not_found'],
      handler: async ({ params, query }) => {
        await engine.unmute(params.app, params.username, query);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/mutes',
      operationId: 'listMutes',
      tag: 'moderation',
      summary: 'The mutes in force',
      auth: 'admin',
      params: appParams,
      responses: {
        200: { description: 'The mutes', schema: z.strictObject({ mutes: z.array(muteSchema) }) },
      },
      errors: ['not_found'],
      handler: async ({ params }) => ({ status: 200, body: { mutes: await engine.listMutes(params.app) } }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/bans',
      operationId: 'ban',
      tag: 'moderation',
      summary: 'Ban a user from the app',
      description: "The user's connections are closed (banned) and new ones refused until the ban ends.",
      auth: 'admin',
      audit: 'moderation.ban',
      params: appParams,
      body: banBody,
      responses: { 201: { description: 'The ban', schema: banSchema } },
      errors: ['not_found'],
      handler: async ({ params, body }) => {
        const { username, ...opts } = body;
        return { status: 201, body: await engine.ban(params.app, username, opts) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/bans/:username',
      operationId: 'unban',
      tag: 'moderation',
      summary: 'Lift a ban',
      auth: 'admin',
      audit: 'moderation.unban',
      params: targetParams,
      responses: { 204: { description: 'Unbanned' } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        await engine.unban(params.app, params.username);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/bans',
      operationId: 'listBans',
      tag: 'moderation',
      summary: 'The bans in force',
      auth: 'admin',
      params: appParams,
      responses: { 200: { description: 'The bans', schema: z.strictObject({ bans: z.array(banSchema) }) } },
      errors: ['not_found'],
      handler: async ({ params }) => ({ status: 200, body: { bans: await engine.listBans(params.app) } }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/kicks',
      operationId: 'kick',
      tag: 'moderation',
      summary: "Close a user's connections",
      description: 'The user may reconnect at once; ban to keep them out.',
      auth: 'admin',
      audit: 'moderation.kick',
      params: appParams,
      body: kickBody,
      responses: { 204: { description: 'Kicked' } },
      errors: ['not_found'],
      handler: async ({ params, body }) => {
        const opts: { reason?: string } = {};
        if (body.reason !== undefined) opts.reason = body.reason;
        await engine.kick(params.app, body.username, opts);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/moderation',
      operationId: 'listModeration',
      tag: 'moderation',
      summary: 'The record of moderation actions, newest first',
      auth: 'admin',
      params: appParams,
      query: moderationQuery,
      responses: {
        200: {
          description: 'A page of records',
          schema: z.strictObject({
            records: z.array(moderationRecordSchema),
            nextCursor: z
              .number()
              .int()
              .nullable()
              .describe('Pass as `before` for the next page; null at the end'),
          }),
        },
      },
      errors: ['not_found'],
      handler: async ({ params, query }) => {
        const limit = query.limit ?? MODERATION_PAGE_DEFAULT;
        const opts: { limit: number; beforeId?: number } = { limit };
        if (query.before !== undefined) opts.beforeId = query.before;
        const records = await engine.listModeration(params.app, opts);
        const last = records[records.length - 1];
        return {
          status: 200,
          body: { records, nextCursor: records.length === limit && last ? last.id : null },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/online',
      operationId: 'listOnline',
      tag: 'moderation',
      summary: 'Who is connected to this node',
      auth: 'admin',
      params: appParams,
      responses: {
        200: {
          description: 'Connected users',
          schema: z.strictObject({ online: z.array(onlineUserSchema) }),
        },
      },
      errors: ['not_found'],
      handler: async ({ params }) => {
        await engine.getApp(params.app);
        return { status: 200, body: { online: engine.online(params.app) } };
      },
    }),
  ];
}
