import { z } from 'zod';
import { MODERATION_KINDS } from '../core/moderation.js';
import { QUEUE_PAGE_MAX, QUEUE_REASONS, REPORT_ACTIONS, REPORT_REASONS } from '../core/reports.js';
import { SEARCH_QUERY_MAX } from '../core/search.js';
import { id, messageSchema, named, timestamp, userRefSchema } from './schemas.js';

/** The schemas of the moderation queue and shadow mutes (docs/moderation.md), beside schemas.ts. */

const reportReason = z.enum(REPORT_REASONS);
const moderationKind = z.enum(MODERATION_KINDS);

export const queueEntrySchema = named(
  z.strictObject({
    room: z.strictObject({ id, name: z.string() }),
    message: messageSchema.describe('The message as staff see it, marked with its visibility'),
    context: z.array(messageSchema).describe('Up to 2 messages before and 2 after it, oldest first'),
    status: z.enum(['open', 'resolved']),
    reason: z.enum([...REPORT_REASONS, 'held']).describe("The first report's reason, or held (for review)"),
    openedAt: timestamp,
    reporters: z.number().int().min(0).describe('How many users reported it'),
    reports: z
      .array(
        z.strictObject({
          reporter: userRefSchema.nullable().describe('null once the reporter was removed'),
          reason: reportReason,
          text: z.string(),
          createdAt: timestamp,
        }),
      )
      .describe('The first 20 reports, oldest first'),
    author: z
      .strictObject({
        user: userRefSchema,
        record: z.partialRecord(moderationKind, z.number().int().min(0)),
        muted: z.boolean(),
        banned: z.boolean(),
        shadowMuted: z.boolean(),
      })
      .nullable()
      .describe("The author's moderation record summary; null when the author is gone"),
    resolution: z.enum(REPORT_ACTIONS).nullable(),
    resolvedBy: id.nullable().describe('The moderator; null for the operator, or while open'),
    resolvedAt: timestamp.nullable(),
    note: z.string().describe("The moderator's reason ('' when none)"),
  }),
  'QueueEntry',
);

export const queuePageSchema = named(
  z.strictObject({
    entries: z.array(queueEntrySchema).describe('Newest message first'),
    nextCursor: z.number().int().nullable().describe('Pass as `before` for the next page; null at the end'),
  }),
  'QueuePage',
);

export const queueQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional().describe('Default open'),
  before: z.coerce.number().int().min(1).optional().describe('A message id: the entries of older messages'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(QUEUE_PAGE_MAX)
    .optional()
    .describe(`Page size, 1-${QUEUE_PAGE_MAX}`),
  room: z.string().min(1).max(64).optional().describe('Only the entries of this room (by name)'),
  reason: z.enum(QUEUE_REASONS).optional().describe('Only entries opened for this reason'),
  q: z
    .string()
    .max(4 * SEARCH_QUERY_MAX)
    .optional()
    .describe(
      `Only messages holding these words, matched as search matches them (1-${SEARCH_QUERY_MAX} characters; ` +
        'punctuation and operators are never syntax)',
    ),
});
