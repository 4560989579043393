import { z } from 'zod';
import { PINS_MAX } from '../../core/pins.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { historyPageSchema, pinSchema } from '../schemas.js';
import { historyQuery, messageParams } from './messages.js';
import { roomParams } from './rooms.js';

/** Replies (the thread view of a message) and pinned messages. */
export function threadRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/rooms/:room/messages/:id/replies',
      operationId: 'listReplies',
      tag: 'messages',
      summary: 'Read the replies to a message, paging back (before) or forward (after)',
      description:
        'The thread view: the messages whose replyTo is this one, in seq order, paged as the history is. ' +
        'A deleted message still shows its replies.',
      auth: 'admin',
      params: messageParams,
      query: historyQuery,
      responses: { 200: { description: 'A page of replies', schema: historyPageSchema } },
      errors: ['not_found'],
      handler: async ({ params, query }) => ({
        status: 200,
        body: await engine.replies(params.app, params.room, params.id, query),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/rooms/:room/pins',
      operationId: 'listPins',
      tag: 'messages',
      summary: "List a room's pinned messages, newest pin first",
      auth: 'admin',
      params: roomParams,
      responses: {
        200: { description: 'The pins', schema: z.strictObject({ pins: z.array(pinSchema) }) },
      },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: { pins: await engine.listPins(params.app, params.room) },
      }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/apps/:app/rooms/:room/pins/:id',
      operationId: 'pinMessage',
      tag: 'messages',
      summary: 'Pin a message (as the operator)',
      description:
        `Members of the room are told (message_pinned, by null). Pinning a pinned message changes nothing. ` +
        `A room holds at most ${PINS_MAX} pins: one more answers 409 conflict with details { max }.`,
      auth: 'admin',
      audit: 'message.pin',
      params: messageParams,
      responses: { 200: { description: 'The pin', schema: z.strictObject({ pin: pinSchema }) } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params }) => ({
        status: 200,
        body: { pin: await engine.pin(params.app, params.room, params.id) },
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/rooms/:room/pins/:id',
      operationId: 'unpinMessage',
      tag: 'messages',
      summary: 'Unpin a message (as the operator)',
      description:
        'Members of the room are told (message_unpinned). Unpinning what is not pinned changes nothing.',
      auth: 'admin',
      audit: 'message.unpin',
      params: messageParams,
      responses: { 204: { description: 'Not pinned (any more)' } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        await engine.unpin(params.app, params.room, params.id);
        return { status: 204 };
      },
    }),
  ];
}
