import { z } from 'zod';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import {
  appIdParam,
  cursorQuery,
  historyPageSchema,
  limitQuery,
  messageSchema,
  positiveIntParam,
  usernameInput,
} from '../schemas.js';
import { roomParams } from './rooms.js';

export const HISTORY_PAGE_MAX = 200;

export const historyQuery = z
  .strictObject({
    before: cursorQuery.describe('A seq: the newest messages before it'),
    after: cursorQuery.describe('A seq: the oldest messages after it'),
    limit: limitQuery(HISTORY_PAGE_MAX).describe(`Page size, 1-${HISTORY_PAGE_MAX}, default 50`),
  })
  .refine((q) => q.before === undefined || q.after === undefined, {
    message: 'give before or after, not both',
    path: ['before'],
  });

export const publishBody = z.strictObject({
  username: usernameInput.describe('The author; created as an external member when it does not exist'),
  text: z.string().min(1).max(100_000).describe("Markdown; at most the app's maxMessageLength"),
  clientMsgId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Idempotency key: publishing the same one again returns the original message'),
  replyTo: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('The id of the message this one answers: a message of the same room, not deleted'),
});

export const messageParams = z.strictObject({
  app: appIdParam,
  room: roomParams.shape.room,
  id: positiveIntParam('The message id'),
});

const publishedSchema = z.strictObject({
  message: messageSchema,
  duplicate: z.boolean().describe('True when clientMsgId was seen before: nothing new was posted'),
});

export function messageRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/rooms/:room/messages',
      operationId: 'listMessages',
      tag: 'messages',
      summary: "Read a room's history, paging back (before) or forward (after)",
      description:
        'Without a cursor: the newest messages. Messages are always in seq order, oldest first. ' +
        'Deleted messages keep their seq with empty text.',
      auth: 'admin',
      params: roomParams,
      query: historyQuery,
      responses: { 200: { description: 'A page of messages', schema: historyPageSchema } },
      errors: ['not_found'],
      handler: async ({ params, query }) => ({
        status: 200,
        body: await engine.history(params.app, params.room, query),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/rooms/:room/messages',
      operationId: 'publishMessage',
      tag: 'messages',
      summary: 'Post a message as a user (server-side publish)',
      description:
        "Goes through the same path as a client's message (bans, mutes, length) and reaches every connected " +
        'client. Slash commands are not interpreted. A repeated clientMsgId answers 200 with the original.',
      auth: 'admin',
      audit: 'message.publish',
      params: roomParams,
      body: publishBody,
      responses: {
        201: { description: 'Posted', schema: publishedSchema },
        200: { description: 'Already posted with this clientMsgId', schema: publishedSchema },
      },
      errors: ['not_found', 'muted', 'banned', 'guest_read_only', 'too_long'],
      handler: async ({ params, body }) => {
        const result = await engine.publish(params.app, params.room, body);
        if (result.kind !== 'message') {
          // Server-side publishes do not run commands; should the engine ever answer one, say so plainly.
          return { status: 200, body: { command: result.command, text: result.text, error: result.error } };
        }
        return {
          status: result.duplicate ? 200 : 201,
          body: { message: result.message, duplicate: result.duplicate },
        };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/rooms/:room/messages/:id',
      operationId: 'deleteMessage',
      tag: 'messages',
      summary: 'Delete a message',
      description: 'A soft delete: the seq stays, text and html are cleared, clients are told. Idempotent.',
      auth: 'admin',
      audit: 'message.delete',
      params: messageParams,
      responses: {
        200: { description: 'The deleted message', schema: z.strictObject({ message: messageSchema }) },
      },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: { message: await engine.deleteMessage(params.app, params.room, params.id) },
      }),
    }),
  ];
}
