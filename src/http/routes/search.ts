import { z } from 'zod';
import { SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX, SEARCH_QUERY_MAX } from '../../core/search.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appParams, docRegistry, limitQuery, messageSchema, roomNameInput } from '../schemas.js';

export const searchQuery = z.strictObject({
  q: z
    .string()
    .max(4 * SEARCH_QUERY_MAX)
    .describe(
      `1-${SEARCH_QUERY_MAX} characters. Words are runs of letters and digits; every word must match (without ` +
        'regard to case), the last one also as a prefix. Operators and punctuation are plain characters.',
    ),
  room: roomNameInput.optional().describe('Only this room'),
  before: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe("The previous page's nextCursor (a message id): only older messages"),
  limit: limitQuery(SEARCH_LIMIT_MAX).describe(
    `Page size, 1-${SEARCH_LIMIT_MAX}, default ${SEARCH_LIMIT_DEFAULT}`,
  ),
});

export const searchHitSchema = z.strictObject({
  message: messageSchema,
  highlight: z
    .string()
    .describe("The message's text, HTML-escaped, with each matched word wrapped in <mark>…</mark>"),
});
docRegistry.add(searchHitSchema, { id: 'SearchHit' });

export const searchPageSchema = z.strictObject({
  hits: z.array(searchHitSchema).describe('Newest first'),
  nextCursor: z
    .number()
    .int()
    .nullable()
    .describe('Pass as `before` for the next (older) page; null at the end'),
});
docRegistry.add(searchPageSchema, { id: 'SearchPage' });

export function searchRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/search',
      operationId: 'searchMessages',
      tag: 'messages',
      summary: "Search the app's messages (every room, private ones included)",
      description:
        'Full-text search, newest first, paged with `before`. Deleted messages are never found. An empty ' +
        `query or one over ${SEARCH_QUERY_MAX} characters is a bad_request (field q); a query with no word ` +
        '(punctuation only) finds nothing.',
      auth: 'admin',
      params: appParams,
      query: searchQuery,
      responses: { 200: { description: 'A page of hits', schema: searchPageSchema } },
      errors: ['not_found'],
      handler: async ({ params, query }) => ({
        status: 200,
        body: await engine.searchMessages(params.app, query),
      }),
    }),
  ];
}
