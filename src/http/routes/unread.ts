import { z } from 'zod';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appIdParam, roomUnreadSchema, userRefSchema, usernameInput } from '../schemas.js';

export const unreadParams = z.strictObject({ app: appIdParam, username: usernameInput });

export function unreadRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/users/:username/unread',
      operationId: 'getUnread',
      tag: 'users',
      summary: "A user's unread messages and mentions, per room",
      description:
        'Every room the user may see and has a read marker in (a room they joined or wrote in), in creation order.',
      auth: 'admin',
      params: unreadParams,
      responses: {
        200: {
          description: "The user and each room's unread counts",
          schema: z.strictObject({ user: userRefSchema, rooms: z.array(roomUnreadSchema) }),
        },
      },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: await engine.unread(params.app, params.username),
      }),
    }),
  ];
}
