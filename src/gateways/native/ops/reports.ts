/**
 * The native operations of reports and the moderation queue (docs/protocol.md [proto.reports]): `report` by
 * users, and for staff `reports.list`, `report.resolve`, `shadow_mute` and `unshadow_mute`.
 */
import { z } from 'zod';
import {
  QUEUE_PAGE_MAX,
  QUEUE_REASONS,
  REPORT_ACTIONS,
  REPORT_REASONS,
  REPORT_TEXT_MAX,
} from '../../../core/reports.js';
import { SEARCH_QUERY_MAX } from '../../../core/search.js';
import type { QueueEntryView, QueuePage, ReportResult, ShadowMute } from '../../../engine/api.js';
import type {
  QueueEntry as WireQueueEntry,
  QueuePage as WireQueuePage,
  ReportResult as WireReportResult,
  ShadowMute as WireShadowMute,
} from '../../../protocol/native.js';
import { defineOp, messageId, minutes, reason, user, room, type Operation } from './define.js';

/** True only when A and B are the same type: the engine's views are the wire's. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type ReportWireAgreement = [
  Equals<QueueEntryView, WireQueueEntry>,
  Equals<QueuePage, WireQueuePage>,
  Equals<ReportResult, WireReportResult>,
  Equals<ShadowMute, WireShadowMute>,
] extends [true, true, true, true]
  ? true
  : never;
const agreed: ReportWireAgreement = true;
void agreed;

export const reportOps: Record<
  'report' | 'reports.list' | 'report.resolve' | 'shadow_mute' | 'unshadow_mute',
  Operation
> = {
  report: defineOp('report', {
    schema: z.strictObject({
      room,
      id: messageId,
      reason: z.enum(REPORT_REASONS),
      text: z.string().max(REPORT_TEXT_MAX).optional(),
    }),
    handle: (_ctx, input, session) => {
      const { room: name, id, ...rest } = input;
      return session.reports.report(name, id, rest);
    },
  }),
  'reports.list': defineOp('reports.list', {
    schema: z.strictObject({
      status: z.enum(['open', 'resolved']).optional(),
      before: messageId.optional(),
      limit: z.number().int().min(1).max(QUEUE_PAGE_MAX).optional(),
      room: room.optional(),
      reason: z.enum(QUEUE_REASONS).optional(),
      q: z
        .string()
        .max(4 * SEARCH_QUERY_MAX)
        .optional(),
    }),
    handle: (_ctx, input, session) => session.reports.queue(input),
  }),
  'report.resolve': defineOp('report.resolve', {
    schema: z.strictObject({
      id: messageId,
      action: z.enum(REPORT_ACTIONS),
      minutes: minutes.optional(),
      reason: reason.optional(),
    }),
    handle: async (_ctx, input, session) => {
      const { id, ...rest } = input;
      return { entry: await session.reports.resolve(id, rest) };
    },
  }),
  shadow_mute: defineOp('shadow_mute', {
    schema: z.strictObject({ user, minutes: minutes.optional(), reason: reason.optional() }),
    handle: async (_ctx, input, session) => {
      const { user: target, ...opts } = input;
      return { shadowMute: await session.reports.shadowMute(target, opts) };
    },
  }),
  unshadow_mute: defineOp('unshadow_mute', {
    schema: z.strictObject({ user }),
    handle: async (_ctx, input, session) => {
      await session.reports.unshadowMute(input.user);
      return {};
    },
  }),
};
