import { z } from 'zod';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import {
  appIdParam,
  appParams,
  cursorQuery,
  limitQuery,
  passwordInput,
  roleSchema,
  userSchema,
  usernameInput,
} from '../schemas.js';

export const USERS_PAGE_MAX = 1000;
export const USERS_PAGE_DEFAULT = 100;

export const createUserBody = z.strictObject({
  username: usernameInput,
  password: passwordInput
    .optional()
    .describe('With a password the user can log in; without, the user is external'),
  role: roleSchema.optional().describe('Default member'),
});

export const listUsersQuery = z.strictObject({
  limit: limitQuery(USERS_PAGE_MAX),
  after: cursorQuery.describe('A user id: list the users after it (the nextCursor of the previous page)'),
});

export const userParams = z.strictObject({
  app: appIdParam,
  username: usernameInput,
});

// Bounds only: the engine applies the exact rules (invalid_profile).
const profileInput = (what: string, max: number) =>
  z.string().max(max).nullable().optional().describe(`${what}; null clears it`);

export const patchUserBody = z
  .strictObject({
    role: roleSchema.optional(),
    displayName: profileInput('1-64 characters once trimmed, no control characters', 1024),
    avatarUrl: profileInput('An https URL of at most 512 characters', 2048),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'Give role, displayName or avatarUrl',
  });

export function userRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/users',
      operationId: 'createUser',
      tag: 'users',
      summary: 'Create a user',
      auth: 'admin',
      audit: 'user.create',
      params: appParams,
      body: createUserBody,
      responses: { 201: { description: 'The new user', schema: userSchema } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params, body }) => ({ status: 201, body: await engine.createUser(params.app, body) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/users',
      operationId: 'listUsers',
      tag: 'users',
      summary: 'List the users of an app, by id',
      auth: 'admin',
      params: appParams,
      query: listUsersQuery,
      responses: {
        200: {
          description: 'A page of users',
          schema: z.strictObject({
            users: z.array(userSchema),
            nextCursor: z
              .number()
              .int()
              .nullable()
              .describe('Pass as `after` for the next page; null at the end'),
          }),
        },
      },
      errors: ['not_found'],
      handler: async ({ params, query }) => {
        const limit = query.limit ?? USERS_PAGE_DEFAULT;
        const opts: { limit: number; afterId?: number } = { limit };
        if (query.after !== undefined) opts.afterId = query.after;
        const users = await engine.listUsers(params.app, opts);
        const last = users[users.length - 1];
        return { status: 200, body: { users, nextCursor: users.length === limit && last ? last.id : null } };
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/apps/:app/users/:username',
      operationId: 'updateUser',
      tag: 'users',
      summary: "Change a user's role or profile",
      description:
        'A role change is recorded in the moderation record; both apply at once to open connections (a profile ' +
        'change is told as `profile_changed`).',
      auth: 'admin',
      audit: 'user.update',
      params: userParams,
      body: patchUserBody,
      responses: { 200: { description: 'The updated user', schema: userSchema } },
      errors: ['not_found', 'invalid_profile'],
      handler: async ({ params, body }) => {
        const { role, ...profile } = body;
        let user = role === undefined ? null : await engine.setUserRole(params.app, params.username, role);
        if (profile.displayName !== undefined || profile.avatarUrl !== undefined) {
          user = await engine.setUserProfile(params.app, params.username, profile);
        }
        return { status: 200, body: user ?? (await engine.setUserProfile(params.app, params.username, {})) };
      },
    }),
  ];
}
