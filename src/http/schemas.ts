import { z } from 'zod';
import { named } from './docRegistry.js';
import { jwtSettingsSchema, originEntry } from './accessSchemas.js';
import { attachmentSchema, linkPreviewSchema } from './messagePartSchemas.js';
import { RETENTION_DAYS_MAX } from '../core/dataProtection.js';
import { MODERATION_KINDS } from '../core/moderation.js';
import { ERROR_CODES, type ErrorCode } from '../core/errors.js';
import { DEFAULT_OPERATION_LIMITS, type OverridableOperation } from '../core/operationLimits.js';
import { MAX_REACTION_EMOJI_LIMIT } from '../core/reactions.js';
import { ROLES } from '../core/roles.js';
import {
  escalationSettingsSchema,
  filterSettingsSchema,
  guestVerificationSchema,
  preSendHookSchema,
  pageRoomsSchema,
  attachmentSettingsSchema,
  reportSettingsSchema,
} from './policySchemas.js';

/**
 * The zod schemas of the HTTP API: inputs are validated with them and docs/openapi are generated from them, so
 * the document cannot drift from what the server accepts. Response schemas are registered in `docRegistry`
 * under a name and become `#/components/schemas/<name>` in the OpenAPI document.
 */
export { docRegistry, named } from './docRegistry.js';
export { isOriginPattern, jwtSettingsSchema } from './accessSchemas.js';
export { attachmentSchema, linkPreviewSchema } from './messagePartSchemas.js';

// ------------------------------------------------------------------------------------------------ primitives

export const id = z.number().int().positive();
export const timestamp = z.number().int().describe('Milliseconds since the Unix epoch');

/** A positive integer in a path (`:app`, `:id`); at most 9 digits so that it always fits an integer column. */
export function positiveIntParam(description: string) {
  return z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a positive integer')
    .describe(description)
    .transform(Number);
}

export const usernameInput = z
  .string()
  .min(1)
  .max(32)
  .describe('1-32 letters, digits, "_", "." or "-"; unique per app without regard to case');
export const passwordInput = z.string().min(6).max(256).describe('6-256 characters');
export const roomNameInput = z
  .string()
  .min(1)
  .max(64)
  .describe('1-64 letters, digits, spaces, "_", "." or "-"');
export const roleSchema = z.enum(ROLES);
export const visibilitySchema = z.enum(['public', 'private']);
export const topicInput = z.string().max(500);
export const reasonInput = z.string().max(500);
export const minutesInput = z
  .number()
  .int()
  .min(1)
  .max(60 * 24 * 365)
  .describe('Duration in minutes; absent means until lifted');

/** A page size in a query string. */
export function limitQuery(max: number) {
  return z.coerce.number().int().min(1).max(max).optional().describe(`Page size, 1-${max}`);
}
/** A cursor (an id or a seq) in a query string. */
export const cursorQuery = z.coerce.number().int().min(0).optional();

export const appIdParam = positiveIntParam('The app id');

/** Retention in days: one day to 100 years (core/dataProtection.ts). */
export const retentionDaysInput = z.number().int().min(1).max(RETENTION_DAYS_MAX);
export const erasureSettingsSchema = z.strictObject({ messages: z.enum(['delete', 'anonymise']) });
export const appParams = z.strictObject({ app: appIdParam });

// ------------------------------------------------------------------------------------------------ app settings

/** A token bucket: `what` a user may make at once, and per second after that. */
function floodLimitSchema(what: string) {
  return z.strictObject({
    burst: z.number().int().positive().max(100_000).describe(`${what} a user may make at once`),
    perSecond: z.number().positive().max(100_000).describe(`Sustained ${what.toLowerCase()} per second`),
  });
}

const OVERRIDABLE = Object.keys(DEFAULT_OPERATION_LIMITS) as OverridableOperation[];

const operationLimitsSchema = z
  .strictObject(
    Object.fromEntries(
      OVERRIDABLE.map((op) => {
        const { burst, perSecond } = DEFAULT_OPERATION_LIMITS[op];
        return [
          op,
          floodLimitSchema('Requests').optional().describe(`Default: ${burst} at once, ${perSecond}/s`),
        ];
      }),
    ) as Record<OverridableOperation, z.ZodOptional<ReturnType<typeof floodLimitSchema>>>,
  )
  .describe(
    'Per-user limits of the other operations (token buckets; per cluster with Redis), each replacing its default; `send` ' +
      'is held to `flood`. An operation over its limit answers rate_limited with details.retryAfterMs.',
  );

const settingsFields = {
  maxMessageLength: z.number().int().min(1).max(100_000).describe('Longest message text, in characters'),
  flood: floodLimitSchema('Messages').describe('Per-user flood limit of `send` (a token bucket)'),
  limits: operationLimitsSchema,
  allowGuests: z.boolean().describe('Whether guests may connect with a nickname'),
  guestsCanWrite: z.boolean().describe('Whether guests may post'),
  allowAccounts: z.boolean().describe('Whether the public register and login endpoints are open'),
  joinHistory: z.number().int().min(0).max(1000).describe('Messages a fresh join returns'),
  replayLimit: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .describe('Missed messages a resuming join replays before it reports a gap instead'),
  allowedOrigins: z
    .array(originEntry)
    .max(100)
    .nullable()
    .describe('Browser origins allowed for this app; null means whatever the server allows. Narrows only.'),
  jwt: jwtSettingsSchema
    .nullable()
    .describe('How the site signs JWTs for single sign-on; null disables JWTs'),
  guestRetentionHours: z
    .number()
    .int()
    .min(1)
    .max(8760)
    .describe("Hours an unused guest is kept after it was last seen (at least the guest token's lifetime)"),
  maxGuests: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .describe(
      'Most guest users the app keeps; past it the oldest unused go first, else a new guest gets guest_limit',
    ),
  maxReactionEmoji: z
    .number()
    .int()
    .min(1)
    .max(MAX_REACTION_EMOJI_LIMIT)
    .describe('Most distinct emoji one message may carry; one more is refused with too_many_reactions'),
  readReceiptsMaxRoomSize: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .describe('Read receipts in rooms with at most this many readers (users with a read marker); 0: off'),
  dms: z.boolean().describe('Whether users may open direct messages (default on)'),
  guestDms: z.boolean().describe('Whether guests may open direct messages when `dms` is on (default off)'),
  signIn: named(
    z.strictObject({
      failuresPerAccount: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .describe('Wrong passwords for one account before it is locked (default 5)'),
      failuresPerAddress: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .describe(
          'Wrong passwords from one address, for any accounts, before the address is locked (default 20)',
        ),
      lockSeconds: z
        .number()
        .int()
        .min(1)
        .max(3600)
        .describe(
          'The first lock; every further lock of the same account or address doubles it, up to an hour',
        ),
      registrationsPerAddressPerHour: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .describe('New accounts one address may register in an hour (default 10)'),
      guestsPerAddressPerMinute: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .optional()
        .describe('New guest identities one address may create in a minute, across the cluster (default 30)'),
    }),
    'SignInLimits',
  ).describe(
    'Limits on password guessing, account and guest creation; past them `rate_limited` (429, Retry-After)',
  ),
  linkGuestMessages: z
    .boolean()
    .describe(
      "Whether a guest who upgrades to a user takes their messages along (default off: they stay the guest's)",
    ),
  usersSetProfile: z
    .boolean()
    .describe(
      'Whether users may set their own display name and avatar (`profile.set`; default on, never guests)',
    ),
  reports: named(reportSettingsSchema, 'ReportSettings').describe(
    'When reports hide a message (docs/moderation.md); default 3 reporters, accounts of 24 hours',
  ),
  filter: named(filterSettingsSchema, 'FilterSettings').describe(
    'The word and link filter (default: no phrases, links from anyone); mods and up are not filtered',
  ),
  escalation: named(escalationSettingsSchema, 'EscalationSettings').describe(
    'What strikes (filter hits, floods, upheld reports) lead to: warn, mute 10 min, mute 60 min, ban a day',
  ),
  guestVerification: named(guestVerificationSchema, 'GuestVerification').nullable(),
  pageRooms: named(pageRoomsSchema, 'PageRoomSettings').describe(
    'Rooms for pages of the site (`rooms.page`, docs/protocol.md): off by default (on in app 1), 10,000 at most',
  ),
  linkPreviews: z
    .boolean()
    .describe(
      "Whether the server fetches a preview of each message's first link (docs/link-previews.md; default on)",
    ),
  attachments: named(attachmentSettingsSchema, 'AttachmentSettings').describe(
    'Files in messages (docs/attachments.md): on, 10 MB, images, PDF, plain text and zip, 10 per message',
  ),
  retentionDays: retentionDaysInput
    .nullable()
    .describe(
      'Days a message is kept before the retention purge removes it (docs/data-protection.md); null: forever',
    ),
  erasure: named(erasureSettingsSchema, 'ErasureSettings').describe(
    "What erasing a user does to their messages: 'delete' (default) or 'anonymise' (kept, by \"deleted user\")",
  ),
  preSendHook: named(preSendHookSchema, 'PreSendHook').nullable(),
};

export const appSettingsSchema = named(z.strictObject(settingsFields), 'AppSettings');
/** Any subset of the settings; each given field replaces the stored one (`flood`, `limits` and `jwt` as a whole). */
export const appSettingsPatchSchema = z.strictObject(settingsFields).partial();

export const appNameInput = z.string().trim().min(1).max(100);

// ------------------------------------------------------------------------------------------------ responses

export const appSchema = named(
  z.strictObject({ id, name: z.string(), settings: appSettingsSchema, createdAt: timestamp }),
  'App',
);

/** A user's profile as users and user references carry it: each field present only when set. */
const profileFields = {
  displayName: z.string().optional().describe('The display name, when set'),
  avatarUrl: z.string().optional().describe('The avatar (an https URL), when set'),
};

export const userSchema = named(
  z.strictObject({
    id,
    appId: id,
    username: z.string(),
    role: roleSchema,
    kind: z.enum(['account', 'external', 'guest', 'bot']),
    createdAt: timestamp,
    ...profileFields,
  }),
  'User',
);

export const userRefSchema = named(
  z.strictObject({
    id: z.number().int().nonnegative().describe('0 on the messages of a removed guest (a tombstone author)'),
    username: z.string(),
    role: roleSchema,
    ...profileFields,
    bot: z.literal(true).optional().describe('Present on bots only (docs/bots.md)'),
  }),
  'UserRef',
  'A user as they appear on messages and in presence',
);

export const issuedTokenSchema = named(
  z.strictObject({
    token: z.string().describe('An opaque access token (pt_…); connect with it'),
    tokenId: z.string().describe('Names the token to list and revoke it; proves nothing'),
    expiresAt: timestamp.nullable().describe('null: it does not expire'),
    user: userSchema,
  }),
  'IssuedToken',
);

export const roomSchema = named(
  z.strictObject({
    id,
    name: z.string(),
    visibility: visibilitySchema,
    topic: z.string(),
    createdAt: timestamp,
    lastSeq: z.number().int().min(0).describe('The seq of the newest message, 0 when there is none'),
    online: z.number().int().min(0).describe('Users present in the room, as this node sees it'),
    createdBy: id.nullable().describe('The user who created the room; null when the operator did'),
    dm: z.literal(true).optional().describe('Present (true) on a direct-message room only'),
    slowModeSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Present only in slow mode: a user below mod may send one message per this many seconds'),
    retentionDays: z
      .number()
      .int()
      .positive()
      .nullable()
      .optional()
      .describe("The room's own retention in days (null: forever); absent: the app's `retentionDays`"),
  }),
  'Room',
);

export const replyQuoteSchema = named(
  z.strictObject({
    id,
    author: userRefSchema.nullable(),
    excerpt: z.string().describe("The start of the parent's text when the reply was written"),
    deleted: z.boolean().describe('Whether the parent was deleted since (the excerpt is then empty)'),
  }),
  'ReplyQuote',
  'What a reply shows of the message it answers',
);

export const reactionCountSchema = named(
  z.strictObject({
    emoji: z.string(),
    count: z.number().int().min(1),
    me: z.boolean().optional().describe('In answers for one user: whether they reacted with this emoji'),
  }),
  'ReactionCount',
);

export const messageSchema = named(
  z.strictObject({
    id,
    room: z.string(),
    roomId: id,
    seq: z.number().int().positive().describe('Per-room, gapless, starting at 1'),
    kind: z.enum(['text', 'me', 'system']),
    author: userRefSchema.nullable(),
    text: z.string().describe('The source text (Markdown); empty once deleted'),
    html: z.string().describe('The sanitised HTML rendering; empty once deleted'),
    clientMsgId: z.string().nullable(),
    createdAt: timestamp,
    editedAt: timestamp.nullable(),
    deletedAt: timestamp.nullable(),
    replyTo: replyQuoteSchema
      .nullable()
      .describe('The message this one answers; null when it is not a reply'),
    replyCount: z.number().int().min(0).describe('How many replies the message has'),
    reactions: z.array(reactionCountSchema).describe('Reactions by emoji, most used first'),
    mentions: z
      .array(userRefSchema)
      .describe('The users the text mentioned when it was posted (at most 20), in the order of the text'),
    visibility: z
      .enum(['held', 'hidden', 'shadow'])
      .optional()
      .describe('Only on a message not visible to everyone: held for review, hidden after reports, shadow'),
    preview: linkPreviewSchema
      .optional()
      .describe("The first link's preview, once the server fetched it (docs/link-previews.md)"),
    attachments: z
      .array(attachmentSchema)
      .optional()
      .describe('The files it carries, in order; absent: none'),
  }),
  'Message',
);

export const historyPageSchema = named(
  z.strictObject({
    messages: z.array(messageSchema).describe('In seq order, oldest first'),
    nextCursor: z
      .number()
      .int()
      .nullable()
      .describe(
        'Pass as `before` (paging back) or `after` (paging forward) for the next page; null at the end',
      ),
  }),
  'HistoryPage',
);

export const muteSchema = named(
  z.strictObject({
    appId: id,
    userId: id,
    roomId: id.nullable().describe('null: muted in the whole app'),
    expiresAt: timestamp.nullable().describe('null: until unmuted'),
    reason: z.string(),
    by: id.nullable().describe('The moderator; null for the operator (admin key)'),
    createdAt: timestamp,
  }),
  'Mute',
);

export const banSchema = named(
  z.strictObject({
    appId: id,
    userId: id,
    expiresAt: timestamp.nullable().describe('null: until unbanned'),
    reason: z.string(),
    by: id.nullable().describe('The moderator; null for the operator (admin key)'),
    createdAt: timestamp,
  }),
  'Ban',
);

export const moderationRecordSchema = named(
  z.strictObject({
    id,
    appId: id,
    kind: z.enum(MODERATION_KINDS),
    actorId: id.nullable().describe('The moderator; null for the operator (admin key)'),
    targetId: id.nullable(),
    roomId: id.nullable(),
    detail: z.record(z.string(), z.unknown()),
    createdAt: timestamp,
  }),
  'ModerationRecord',
);

export const onlineUserSchema = named(
  z.strictObject({
    user: userRefSchema,
    rooms: z.array(z.string()).describe('Names of the rooms the user has joined'),
    connections: z.number().int().positive(),
  }),
  'OnlineUser',
);

export const errorResponseSchema = named(
  z.strictObject({
    error: z.strictObject({
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).describe('A code of the error catalogue'),
      status: z.number().int().describe('The HTTP status, repeated'),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional().describe('e.g. { field } for a bad_request'),
    }),
  }),
  'Error',
  'Every error response has this body; see docs/errors.md for the codes',
);

export const statusSchema = named(z.strictObject({ status: z.literal('ok') }), 'Status');

export const pinSchema = named(
  z.strictObject({
    message: messageSchema,
    pinnedBy: userRefSchema
      .nullable()
      .describe('Who pinned it; null for the operator or a user since removed'),
    pinnedAt: timestamp,
  }),
  'Pin',
  'A pinned message',
);

/** One room of `GET /api/v1/apps/:app/users/:username/unread`. */
export const roomUnreadSchema = named(
  z.strictObject({
    room: z.string(),
    roomId: id,
    seq: z.number().int().min(0).describe("The user's read marker: messages up to this seq count as read"),
    unread: z
      .number()
      .int()
      .min(0)
      .describe('Messages after the marker that the user did not write and that are not deleted'),
    unreadMentions: z.number().int().min(0).describe('Those of the unread messages that mention the user'),
  }),
  'RoomUnread',
);
