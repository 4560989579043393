import { z } from 'zod';
import type { EngineAdmin } from '../../engine/api.js';
import type { LiveStats } from '../liveStats.js';
import { STATS_INTERVAL_MS, STATS_SAMPLES_KEPT } from '../liveStats.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { named, timestamp } from '../schemas.js';

export interface StatsDeps {
  live: LiveStats;
  engine: Pick<EngineAdmin, 'nodeId'>;
}

const statsQuery = z.strictObject({
  since: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'Only the samples taken after this time (ms since the epoch): the `at` of the last one you have',
    ),
});

const percentilesSchema = named(
  z.strictObject({
    p50: z.number().min(0),
    p95: z.number().min(0),
    p99: z.number().min(0),
    max: z.number().min(0),
  }),
  'Percentiles',
  'Milliseconds',
);

const sampleSchema = named(
  z.strictObject({
    at: timestamp.describe('The end of the one-second interval'),
    connections: z.number().int().min(0).describe('Open sessions on this node'),
    rooms: z.number().int().min(0).describe('Rooms with a live channel on this node'),
    messagesInPerSecond: z.number().min(0).describe('Messages accepted (sends and publishes)'),
    messagesOutPerSecond: z.number().min(0).describe('Message events handed to sessions, one per recipient'),
    sendAckMs: percentilesSchema
      .nullable()
      .describe('From a message entering the post pipeline to its answer; null when none was sent'),
    fanoutMs: percentilesSchema
      .nullable()
      .describe('From commit to the last local recipient; null when none was sent'),
    eventLoopDelayMs: percentilesSchema,
    topRooms: z
      .array(
        z.strictObject({
          appId: z.number().int().positive(),
          room: z.string(),
          messages: z.number().int().min(1).describe('Messages accepted in the interval'),
        }),
      )
      .describe('The busiest rooms of the interval, most messages first, at most 10'),
  }),
  'StatsSample',
  "One second of this node's activity",
);

export const statsResponseSchema = z.strictObject({
  node: z.string().describe('The node that answered: each node samples its own activity'),
  intervalMs: z.number().int().positive(),
  samples: z.array(sampleSchema).describe('Oldest first; at most five minutes of them'),
});

export function statsRoutes(deps: StatsDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/admin/stats',
      operationId: 'liveStats',
      tag: 'operations',
      summary: "This node's activity second by second, for the admin console's dashboard",
      description:
        `One sample every ${STATS_INTERVAL_MS} ms, the last ${STATS_SAMPLES_KEPT} kept. Poll with \`since\` set to ` +
        'the newest `at` you have to get only the new ones. For long-term series scrape /metrics.',
      auth: 'admin',
      query: statsQuery,
      responses: { 200: { description: 'The samples', schema: statsResponseSchema } },
      handler: async ({ query }) => ({
        status: 200,
        body: {
          node: deps.engine.nodeId,
          intervalMs: STATS_INTERVAL_MS,
          samples: deps.live.samples(query.since),
        },
      }),
    }),
  ];
}
