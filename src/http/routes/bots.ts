import { z } from 'zod';
import {
  COMMAND_DESCRIPTION_MAX,
  COMMAND_NAME,
  COMMAND_USAGE_MAX,
  MAX_BOT_COMMANDS,
} from '../../core/bots.js';
import { ParleyError } from '../../core/errors.js';
import { isVerifyUrl, SECRET_SET } from '../../core/guestVerification.js';
import { bearerToken } from '../adminAuth.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appParams, messageSchema, named, usernameInput } from '../schemas.js';
import { publishBody } from './messages.js';
import { roomParams } from './rooms.js';
import { userParams } from './users.js';

const endpointUrl = z
  .string()
  .max(2048)
  .refine(isVerifyUrl, 'must be an https URL (http only to 127.0.0.1, ::1 or localhost)')
  .describe("Where Parley POSTs the bot's commands (signed: docs/bots.md)");
const endpointSecret = z.string().min(1).max(1024).describe('The signing secret');

const commandInput = z.strictObject({
  name: z
    .string()
    .regex(COMMAND_NAME)
    .describe(
      'What users type after "/": lowercase letters, digits, "_" and "-", 1-32, starting with a letter',
    ),
  description: z.string().max(COMMAND_DESCRIPTION_MAX).describe('What it does, for a help list'),
  usage: z.string().max(COMMAND_USAGE_MAX).optional().describe('e.g. "/weather city"'),
});
const commandsInput = z
  .array(commandInput)
  .max(MAX_BOT_COMMANDS)
  .describe(`At most ${MAX_BOT_COMMANDS}; names unique in the app and never a built-in's`);
const displayName = z.string().min(1).max(64).describe('The name shown for the bot');

export const createBotBody = z.strictObject({
  username: usernameInput,
  displayName: displayName.optional(),
  endpoint: z
    .strictObject({ url: endpointUrl, secret: endpointSecret })
    .optional()
    .describe("Without one, commands go to the bot's connections as `command` events"),
  commands: commandsInput.optional(),
});

export const patchBotBody = z.strictObject({
  displayName: displayName.nullable().optional(),
  endpoint: z
    .strictObject({
      url: endpointUrl,
      secret: endpointSecret.optional().describe(`Left out (or ${SECRET_SET}) keeps the stored one`),
    })
    .nullable()
    .optional(),
  commands: commandsInput.optional(),
});

const botSchema = named(
  z.strictObject({
    username: z.string(),
    displayName: z.string().optional(),
    endpoint: z.strictObject({ url: z.string(), secret: z.literal(SECRET_SET) }).nullable(),
    commands: z.array(
      z.strictObject({ name: z.string(), description: z.string(), usage: z.string().optional() }),
    ),
    createdAt: z.number().int(),
  }),
  'Bot',
  'A bot of the app; its endpoint secret is never shown',
);
const botWithKeySchema = z.strictObject({
  bot: botSchema,
  apiKey: z.string().describe('The API key: shown in this answer only, stored as a hash'),
});

const botPostBody = publishBody.omit({ username: true });

export function botRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/bots',
      operationId: 'createBot',
      tag: 'bots',
      summary: 'Create a bot and its API key (shown once)',
      auth: 'admin',
      audit: 'bot.create',
      params: appParams,
      body: createBotBody,
      responses: { 201: { description: 'The bot and its key', schema: botWithKeySchema } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params, body }) => ({ status: 201, body: await engine.createBot(params.app, body) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/bots',
      operationId: 'listBots',
      tag: 'bots',
      summary: "List the app's bots",
      auth: 'admin',
      params: appParams,
      responses: { 200: { description: 'The bots', schema: z.strictObject({ bots: z.array(botSchema) }) } },
      errors: ['not_found'],
      handler: async ({ params }) => ({ status: 200, body: { bots: await engine.listBots(params.app) } }),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/apps/:app/bots/:username',
      operationId: 'updateBot',
      tag: 'bots',
      summary: "Change a bot's display name, endpoint or commands",
      auth: 'admin',
      audit: 'bot.update',
      params: userParams,
      body: patchBotBody,
      responses: { 200: { description: 'The bot', schema: botSchema } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params, body }) => ({
        status: 200,
        body: await engine.updateBot(params.app, params.username, body),
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/bots/:username',
      operationId: 'deleteBot',
      tag: 'bots',
      summary: 'Delete a bot: its key stops working and its connections are closed; its messages stay',
      auth: 'admin',
      audit: 'bot.delete',
      params: userParams,
      responses: { 200: { description: 'The deleted bot', schema: botSchema } },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: await engine.deleteBot(params.app, params.username),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/bots/:username/key',
      operationId: 'rotateBotKey',
      tag: 'bots',
      summary: 'Give a bot a new API key (shown once); the old one stops working at once',
      auth: 'admin',
      audit: 'bot.key_rotate',
      params: userParams,
      responses: { 200: { description: 'The bot and its new key', schema: botWithKeySchema } },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: await engine.rotateBotKey(params.app, params.username),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/bot/rooms/:room/messages',
      operationId: 'botPostMessage',
      tag: 'bots',
      summary: 'Post a message as the bot whose API key is the Bearer token (not the admin key)',
      description:
        "`Authorization: Bearer <the bot's API key>`. The bot posts in a room it may see, through the same path " +
        "as a client's message (bans, mutes, filter, the pre-send hook, length); slash commands are not read.",
      auth: 'public',
      params: roomParams,
      body: botPostBody,
      responses: {
        201: {
          description: 'Posted',
          schema: z.strictObject({ message: messageSchema, duplicate: z.boolean() }),
        },
        200: { description: 'Already posted with this clientMsgId' },
      },
      errors: [
        'not_found',
        'forbidden',
        'muted',
        'banned',
        'too_long',
        'message_filtered',
        'message_rejected',
      ],
      handler: async ({ params, body, request }) => {
        const apiKey = bearerToken(request.headers.authorization);
        if (apiKey === null)
          throw new ParleyError('unauthorized', "Give the bot's API key as a Bearer token");
        const result = await engine.botPost(params.app, apiKey, params.room, body);
        if (result.kind !== 'message') return { status: 200, body: { command: result.command } };
        return {
          status: result.duplicate ? 200 : 201,
          body: { message: result.message, duplicate: result.duplicate },
        };
      },
    }),
  ];
}
