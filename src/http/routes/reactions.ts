import { z } from 'zod';
import { EMOJI_MAX_LENGTH } from '../../core/reactions.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { reactionCountSchema, usernameInput } from '../schemas.js';
import { messageParams } from './messages.js';

const reactionParams = messageParams.extend({
  emoji: z
    .string()
    .min(1)
    .max(EMOJI_MAX_LENGTH)
    .describe('Exactly one emoji, URL-encoded (e.g. %F0%9F%91%8D for 👍)'),
});

const reactionBody = z.strictObject({
  username: usernameInput.describe('Who reacts; the user must exist (a reaction creates no user)'),
});

const reactionResultSchema = z.strictObject({
  messageId: z.number().int().positive(),
  emoji: z.string(),
  count: z.number().int().min(0).describe('How many users react with the emoji now'),
  changed: z.boolean().describe('False when nothing changed: already there (PUT) or not there (DELETE)'),
  reactions: z
    .array(reactionCountSchema)
    .describe("The message's reactions now, most used first; `me`: whether `username` reacted"),
});

const ERRORS = ['not_found', 'muted', 'banned', 'guest_read_only'] as const;

export function reactionRoutes({ engine }: ApiDeps): RouteSpec[] {
  const url = '/api/v1/apps/:app/rooms/:room/messages/:id/reactions/:emoji';
  return [
    defineRoute({
      method: 'PUT',
      url,
      operationId: 'addReaction',
      tag: 'messages',
      summary: 'React to a message as a user',
      description:
        "The same rules as a client's `react` (bans, mutes, guest rights, the app's maxReactionEmoji), " +
        'without a join. Idempotent: reacting again changes nothing and tells no one.',
      auth: 'admin',
      audit: 'reaction.add',
      params: reactionParams,
      body: reactionBody,
      responses: { 200: { description: 'The reaction is there', schema: reactionResultSchema } },
      errors: [...ERRORS, 'too_many_reactions'],
      handler: async ({ params, body }) => ({
        status: 200,
        body: await engine.react(params.app, params.room, params.id, { ...body, emoji: params.emoji }),
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url,
      operationId: 'removeReaction',
      tag: 'messages',
      summary: "Take a user's reaction back",
      description: 'Idempotent: a reaction that is not there is a success that changes nothing.',
      auth: 'admin',
      audit: 'reaction.remove',
      params: reactionParams,
      body: reactionBody,
      responses: { 200: { description: 'The reaction is gone', schema: reactionResultSchema } },
      errors: [...ERRORS],
      handler: async ({ params, body }) => ({
        status: 200,
        body: await engine.unreact(params.app, params.room, params.id, { ...body, emoji: params.emoji }),
      }),
    }),
  ];
}
