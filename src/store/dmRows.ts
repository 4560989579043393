import type { DmSummary } from '../engine/ports/dmStore.js';
import { toRoom, toUser, type RoomRow, type UserRow } from './rows.js';

/** A DM room with its last seq and its other member (columns prefixed `p_`), as both stores read it. */
export type SummaryRow = RoomRow & {
  last_seq: number;
  p_id: number;
  p_username: string;
  p_role: string;
  p_kind: string;
  p_created_at: number;
  p_display_name: string | null;
  p_avatar_url: string | null;
};

export function toDmSummary(row: SummaryRow): DmSummary {
  const peer: UserRow = {
    id: row.p_id,
    app_id: row.app_id,
    username: row.p_username,
    role: row.p_role,
    kind: row.p_kind,
    created_at: row.p_created_at,
    display_name: row.p_display_name,
    avatar_url: row.p_avatar_url,
  };
  return { room: toRoom(row), peer: toUser(peer), lastSeq: row.last_seq };
}
