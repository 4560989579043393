import { z } from 'zod';
import { REPORT_ACTIONS } from '../../core/reports.js';
import { queueEntrySchema, queuePageSchema, queueQuery } from '../reportSchemas.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appIdParam, appParams, banSchema, minutesInput, positiveIntParam, reasonInput } from '../schemas.js';
import { banBody, targetParams } from './moderation.js';

const resolveParams = z.strictObject({ app: appIdParam, messageId: positiveIntParam('The message id') });
const resolveBody = z.strictObject({
  action: z.enum(REPORT_ACTIONS).describe('dismiss, or delete the message, or mute or ban its author'),
  minutes: minutesInput.optional().describe('For mute and ban; absent means until lifted'),
  reason: reasonInput.optional().describe('Why: kept in the moderation record'),
});
const shadowMuteBody = banBody;

/** The moderation queue and shadow mutes (docs/moderation.md), for the operator. */
export function reportRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app/reports',
      operationId: 'listReports',
      tag: 'moderation',
      summary: 'The moderation queue: reported and held messages, newest message first',
      auth: 'admin',
      params: appParams,
      query: queueQuery,
      responses: { 200: { description: 'A page of queue entries', schema: queuePageSchema } },
      errors: ['not_found'],
      handler: async ({ params, query }) => ({
        status: 200,
        body: await engine.listReports(params.app, query),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/reports/:messageId/resolve',
      operationId: 'resolveReport',
      tag: 'moderation',
      audit: 'report.resolve',
      summary: 'Resolve an open queue entry in one step',
      description:
        'dismiss makes a held or hidden message visible again (and hands it to the room); delete deletes it; ' +
        'mute and ban act on its author. Recorded in the moderation record.',
      auth: 'admin',
      params: resolveParams,
      body: resolveBody,
      responses: { 200: { description: 'The entry as resolved', schema: queueEntrySchema } },
      errors: ['not_found'],
      handler: async ({ params, body }) => ({
        status: 200,
        body: await engine.resolveReport(params.app, params.messageId, body),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/shadow-mutes',
      operationId: 'shadowMute',
      tag: 'moderation',
      audit: 'moderation.shadow_mute',
      summary: 'Shadow-mute a user',
      description: 'Their new messages are seen only by them and by staff until lifted; they are not told.',
      auth: 'admin',
      params: appParams,
      body: shadowMuteBody,
      responses: { 201: { description: 'The shadow mute', schema: banSchema } },
      errors: ['not_found'],
      handler: async ({ params, body }) => {
        const { username, ...opts } = body;
        return { status: 201, body: await engine.shadowMute(params.app, username, opts) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/apps/:app/shadow-mutes/:username',
      operationId: 'unshadowMute',
      tag: 'moderation',
      audit: 'moderation.unshadow_mute',
      summary: 'Lift a shadow mute',
      description: 'Messages written meanwhile stay seen only by their author and staff.',
      auth: 'admin',
      params: targetParams,
      responses: { 204: { description: 'Lifted' } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        await engine.unshadowMute(params.app, params.username);
        return { status: 204 };
      },
    }),
  ];
}
