import { z } from 'zod';
import { AUDIT_ACTION_MAX } from '../../core/audit.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appParams, cursorQuery, limitQuery, named, timestamp } from '../schemas.js';

export const AUDIT_PAGE_MAX = 200;

const auditQuery = z.strictObject({
  limit: limitQuery(AUDIT_PAGE_MAX),
  before: cursorQuery.describe('An entry id: the entries before it (the nextCursor of the previous page)'),
});

const auditEntrySchema = named(
  z.strictObject({
    id: z.number().int().positive(),
    appId: z.number().int().positive().nullable().describe('null: a server-wide change (an app created)'),
    at: timestamp,
    actor: z.string().describe("The admin key's identity: `operator`"),
    address: z.string().nullable().describe('The peer address of the request'),
    action: z.string().max(AUDIT_ACTION_MAX).describe("The route's action, e.g. `token.revoke`"),
    changes: z
      .record(z.string(), z.unknown())
      .describe('The route parameters and body; secrets blanked, long values cut, at most 2048 characters'),
  }),
  'AuditEntry',
  'One change made through the admin API',
);

const auditPageSchema = z.strictObject({
  entries: z.array(auditEntrySchema),
  nextCursor: z.number().int().nullable().describe('Pass as `before` for the next page; null at the end'),
});

export function auditRoutes({ engine }: ApiDeps): RouteSpec[] {
  const page = (query: z.infer<typeof auditQuery>) => ({
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.before === undefined ? {} : { before: query.before }),
  });
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/audit',
      operationId: 'listAudit',
      tag: 'audit',
      summary: "The app's audit trail: every change made through the admin API, newest first",
      auth: 'admin',
      params: appParams,
      query: auditQuery,
      responses: { 200: { description: 'A page of entries', schema: auditPageSchema } },
      errors: ['not_found'],
      handler: async ({ params, query }) => ({
        status: 200,
        body: await engine.listAudit(params.app, page(query)),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit',
      operationId: 'listServerAudit',
      tag: 'audit',
      summary: "The server's audit trail: every app's entries and the server-wide ones (apps created)",
      auth: 'admin',
      query: auditQuery,
      responses: { 200: { description: 'A page of entries', schema: auditPageSchema } },
      handler: async ({ query }) => ({ status: 200, body: await engine.listAudit(null, page(query)) }),
    }),
  ];
}
