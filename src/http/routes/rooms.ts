import { z } from 'zod';
import { MAX_SLOW_MODE_SECONDS } from '../../core/slowMode.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import {
  appIdParam,
  appParams,
  retentionDaysInput,
  roomNameInput,
  roomSchema,
  topicInput,
  usernameInput,
  visibilitySchema,
} from '../schemas.js';

export const roomParams = z.strictObject({
  app: appIdParam,
  room: roomNameInput.describe('The room name, URL-encoded'),
});

export const createRoomBody = z.strictObject({
  name: roomNameInput,
  visibility: visibilitySchema.optional().describe('Default public'),
  topic: topicInput.optional(),
});

export const patchRoomBody = z.strictObject({
  name: roomNameInput.optional(),
  visibility: visibilitySchema.optional(),
  topic: topicInput.optional(),
  slowModeSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_SLOW_MODE_SECONDS)
    .optional()
    .describe('Slow mode: seconds between two messages of a user below mod; 0 turns it off'),
  retentionDays: z
    .union([retentionDaysInput, z.null(), z.literal('app')])
    .optional()
    .describe("The room's own retention in days; null keeps its messages forever; 'app' follows the app's"),
});

export const addMemberBody = z.strictObject({ username: usernameInput });

export function roomRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/rooms',
      operationId: 'listRooms',
      tag: 'rooms',
      summary: 'List rooms (public; the admin key shows private rooms too)',
      auth: 'optionalAdmin',
      params: appParams,
      responses: {
        200: { description: 'The rooms', schema: z.strictObject({ rooms: z.array(roomSchema) }) },
      },
      errors: ['not_found'],
      handler: async ({ params, admin }) => {
        const rooms = await engine.listRooms(params.app);
        return {
          status: 200,
          body: { rooms: admin ? rooms : rooms.filter((r) => r.visibility === 'public') },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/rooms',
      operationId: 'createRoom',
      tag: 'rooms',
      summary: 'Create a room',
      auth: 'admin',
      audit: 'room.create',
      params: appParams,
      body: createRoomBody,
      responses: { 201: { description: 'The new room', schema: roomSchema } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params, body }) => ({ status: 201, body: await engine.createRoom(params.app, body) }),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/apps/:app/rooms/:room',
      operationId: 'updateRoom',
      tag: 'rooms',
      summary: 'Rename a room, change its visibility, topic, slow mode or retention',
      description: 'A change of the slow mode is told to the room as `slow_mode_changed`.',
      auth: 'admin',
      audit: 'room.update',
      params: roomParams,
      body: patchRoomBody,
      responses: { 200: { description: 'The updated room', schema: roomSchema } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params, body }) => {
        const { retentionDays, ...patch } = body;
        if (retentionDays !== undefined)
          await engine.setRoomRetention(params.app, params.room, retentionDays);
        return { status: 200, body: await engine.updateRoom(params.app, params.room, patch) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/rooms/:room',
      operationId: 'deleteRoom',
      tag: 'rooms',
      summary: 'Delete a room with its messages',
      auth: 'admin',
      audit: 'room.delete',
      params: roomParams,
      responses: { 204: { description: 'Deleted' } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        await engine.deleteRoom(params.app, params.room);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/rooms/:room/members',
      operationId: 'addRoomMember',
      tag: 'rooms',
      summary: 'Let a user into a private room',
      description: 'Idempotent. Public rooms need no membership.',
      auth: 'admin',
      audit: 'room.add_member',
      params: roomParams,
      body: addMemberBody,
      responses: { 204: { description: 'The user is a member' } },
      errors: ['not_found'],
      handler: async ({ params, body }) => {
        await engine.addRoomMember(params.app, params.room, body.username);
        return { status: 204 };
      },
    }),
  ];
}
