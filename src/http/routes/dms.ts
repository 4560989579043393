import { z } from 'zod';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appParams, roomSchema, usernameInput } from '../schemas.js';

export const openDmBody = z.strictObject({
  from: usernameInput.describe('The user the DM is opened for: their rights apply (guests, blocks)'),
  to: usernameInput.describe('The other user'),
});

export function dmRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/dms',
      operationId: 'openDm',
      tag: 'rooms',
      summary: 'Open the direct-message room of two users',
      description:
        'The one private room of the pair (`dm: true`, named `dm:<lower id>:<higher id>`), created with both as ' +
        'members on first use and the same room afterwards, whichever side and whichever node asks.',
      auth: 'admin',
      audit: 'dm.open',
      params: appParams,
      body: openDmBody,
      responses: { 200: { description: 'The DM room', schema: roomSchema } },
      errors: ['not_found', 'bad_request', 'dms_disabled', 'blocked'],
      handler: async ({ params, body }) => ({
        status: 200,
        body: await engine.openDm(params.app, body.from, body.to),
      }),
    }),
  ];
}
