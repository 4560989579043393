/**
 * Pins as both stores read them: the pinned message (read as every message is, see each store's messageLog.ts)
 * with who pinned it, as the user is now, and when.
 */
import { profileFields } from '../core/profiles.js';
import { ROLES } from '../core/roles.js';
import type { UserRef } from '../core/types.js';
import type { PinRecord } from '../engine/ports/store.js';
import { toMessage, type MessageRow } from './rows.js';

/** Columns added to a message read, with `pn` the pin and `pb` the user who pinned. */
export const PIN_COLUMNS = `pb.id AS pinned_by_id, pb.username AS pinned_by_username, pb.role AS pinned_by_role,
  pb.display_name AS pinned_by_display_name, pb.avatar_url AS pinned_by_avatar_url, pn.pinned_at`;
export const PIN_FROM = 'FROM pins pn JOIN messages m ON m.id = pn.message_id';
export const PIN_JOINS = 'LEFT JOIN users pb ON pb.id = pn.pinned_by';

export interface PinRow extends MessageRow {
  pinned_by_id: number | null;
  pinned_by_username: string | null;
  pinned_by_role: string | null;
  pinned_by_display_name: string | null;
  pinned_by_avatar_url: string | null;
  pinned_at: number;
}

export function toPin(row: PinRow): PinRecord {
  let pinnedBy: UserRef | null = null;
  const role = ROLES.find((r) => r === row.pinned_by_role);
  if (row.pinned_by_id !== null && row.pinned_by_username !== null && role !== undefined) {
    pinnedBy = {
      id: row.pinned_by_id,
      username: row.pinned_by_username,
      role,
      ...profileFields({ displayName: row.pinned_by_display_name, avatarUrl: row.pinned_by_avatar_url }),
    };
  }
  return { message: toMessage(row), pinnedBy, pinnedAt: row.pinned_at };
}
