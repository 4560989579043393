import { z } from 'zod';
import {
  MAX_WEBHOOKS_PER_APP,
  WEBHOOK_EVENT_PATTERNS,
  WEBHOOK_SECRET_MAX,
  WEBHOOK_SECRET_MIN,
  WEBHOOK_SECRET_SHOWN,
  WEBHOOK_URL_MAX,
  isWebhookUrl,
} from '../../core/webhooks.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appIdParam, cursorQuery, id, limitQuery, named, positiveIntParam, timestamp } from '../schemas.js';

export const DELIVERY_PAGE_MAX = 100;
const DELIVERY_PAGE_DEFAULT = 50;

const urlInput = z
  .string()
  .max(WEBHOOK_URL_MAX)
  .refine(isWebhookUrl, 'must be an http or https URL without credentials')
  .describe(`http or https, at most ${WEBHOOK_URL_MAX} characters`);
const secretInput = z
  .string()
  .min(WEBHOOK_SECRET_MIN)
  .max(WEBHOOK_SECRET_MAX)
  .describe(`The signing secret, ${WEBHOOK_SECRET_MIN}-${WEBHOOK_SECRET_MAX} characters; never shown again`);
const eventsInput = z
  .array(z.enum(WEBHOOK_EVENT_PATTERNS as [string, ...string[]]))
  .min(1)
  .max(WEBHOOK_EVENT_PATTERNS.length)
  .describe('Event names, `moderation.*` or `*` (docs/webhooks.md)');

const createBody = z.strictObject({
  url: urlInput,
  secret: secretInput,
  events: eventsInput,
  enabled: z.boolean().optional(),
});
const patchBody = z.strictObject({
  url: urlInput.optional(),
  secret: z
    .union([secretInput, z.literal(WEBHOOK_SECRET_SHOWN)])
    .optional()
    .describe('A new secret; `[set]` or absent keeps the stored one'),
  events: eventsInput.optional(),
  enabled: z.boolean().optional(),
});

const webhookParams = z.strictObject({ app: appIdParam, id: positiveIntParam('The webhook id') });
const deliveryParams = webhookParams.extend({ deliveryId: positiveIntParam('The delivery id') });

const webhookSchema = named(
  z.strictObject({
    id,
    appId: id,
    url: z.string(),
    secret: z.literal(WEBHOOK_SECRET_SHOWN).describe('Never the secret itself'),
    events: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
  'Webhook',
  'An endpoint that receives the events it asks for, signed',
);

const deliverySchema = named(
  z.strictObject({
    id,
    appId: id,
    webhookId: id,
    eventId: z.string().describe('The event id (`Parley-Event-Id`): the same on every retry and redelivery'),
    type: z.string(),
    orderKey: z.string().describe('`room:<id>` or `app`: deliveries with the same key go out in order'),
    status: z.enum(['pending', 'delivered', 'failed-retrying', 'dead']),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastFailure: z
      .string()
      .nullable()
      .describe('`timeout`, `unreachable`, `redirect`, `too_large`, `status`'),
    nextAttemptAt: timestamp.nullable(),
    createdAt: timestamp,
    deliveredAt: timestamp.nullable(),
  }),
  'WebhookDelivery',
  'One event for one endpoint',
);

const deliveryPageSchema = z.strictObject({
  deliveries: z.array(deliverySchema),
  nextCursor: z.number().int().nullable().describe('Pass as `before` for the next page; null at the end'),
});

const deliveriesQuery = z.strictObject({
  limit: limitQuery(DELIVERY_PAGE_MAX),
  before: cursorQuery.describe(
    'A delivery id: the deliveries before it (the nextCursor of the previous page)',
  ),
});

export function webhookRoutes({ engine }: ApiDeps): RouteSpec[] {
  const base = { tag: 'webhooks', auth: 'admin' as const };
  return [
    defineRoute({
      ...base,
      method: 'GET',
      url: '/api/v1/apps/:app/webhooks',
      operationId: 'listWebhooks',
      summary: "The app's webhook endpoints",
      params: z.strictObject({ app: appIdParam }),
      responses: {
        200: { description: 'The endpoints', schema: z.strictObject({ webhooks: z.array(webhookSchema) }) },
      },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: { webhooks: await engine.webhooks.list(params.app) },
      }),
    }),
    defineRoute({
      ...base,
      method: 'POST',
      url: '/api/v1/apps/:app/webhooks',
      operationId: 'createWebhook',
      summary: 'Add a webhook endpoint',
      description: `At most ${MAX_WEBHOOKS_PER_APP} per app (\`conflict\` past it, details \`{ max }\`).`,
      params: z.strictObject({ app: appIdParam }),
      body: createBody,
      responses: { 201: { description: 'Created', schema: webhookSchema } },
      errors: ['not_found', 'conflict'],
      audit: 'webhook.create',
      handler: async ({ params, body }) => ({
        status: 201,
        body: await engine.webhooks.create(params.app, body),
      }),
    }),
    defineRoute({
      ...base,
      method: 'GET',
      url: '/api/v1/apps/:app/webhooks/:id',
      operationId: 'getWebhook',
      summary: 'One webhook endpoint',
      params: webhookParams,
      responses: { 200: { description: 'The endpoint', schema: webhookSchema } },
      errors: ['not_found'],
      handler: async ({ params }) => ({
        status: 200,
        body: await engine.webhooks.get(params.app, params.id),
      }),
    }),
    defineRoute({
      ...base,
      method: 'PATCH',
      url: '/api/v1/apps/:app/webhooks/:id',
      operationId: 'updateWebhook',
      summary: 'Change a webhook endpoint',
      description: 'Queued deliveries keep the body they were written with and go to the URL as it is now.',
      params: webhookParams,
      body: patchBody,
      responses: { 200: { description: 'The endpoint', schema: webhookSchema } },
      errors: ['not_found'],
      audit: 'webhook.update',
      handler: async ({ params, body }) => ({
        status: 200,
        body: await engine.webhooks.update(params.app, params.id, body),
      }),
    }),
    defineRoute({
      ...base,
      method: 'DELETE',
      url: '/api/v1/apps/:app/webhooks/:id',
      operationId: 'deleteWebhook',
      summary: 'Remove a webhook endpoint and its deliveries',
      params: webhookParams,
      responses: { 204: { description: 'Removed' } },
      errors: ['not_found'],
      audit: 'webhook.delete',
      handler: async ({ params }) => {
        await engine.webhooks.remove(params.app, params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      ...base,
      method: 'GET',
      url: '/api/v1/apps/:app/webhooks/:id/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: "The endpoint's delivery log, newest first",
      params: webhookParams,
      query: deliveriesQuery,
      responses: { 200: { description: 'A page of deliveries', schema: deliveryPageSchema } },
      errors: ['not_found'],
      handler: async ({ params, query }) => ({
        status: 200,
        body: await engine.webhooks.deliveries(params.app, params.id, {
          limit: query.limit ?? DELIVERY_PAGE_DEFAULT,
          ...(query.before === undefined ? {} : { beforeId: query.before }),
        }),
      }),
    }),
    defineRoute({
      ...base,
      method: 'POST',
      url: '/api/v1/apps/:app/webhooks/:id/deliveries/:deliveryId/redeliver',
      operationId: 'redeliverWebhook',
      summary: 'Send a delivery again',
      description:
        'Queues a new delivery of the same event (same event id and body, tries from zero) after everything ' +
        'queued so far for the endpoint.',
      params: deliveryParams,
      responses: { 201: { description: 'The new delivery', schema: deliverySchema } },
      errors: ['not_found'],
      audit: 'webhook.redeliver',
      handler: async ({ params }) => ({
        status: 201,
        body: await engine.webhooks.redeliver(params.app, params.id, params.deliveryId),
      }),
    }),
  ];
}
