/** The row both stores read for read receipts, and how it becomes a ReceiptRow. */
import { ParleyError } from '../core/errors.js';
import { profileFields } from '../core/profiles.js';
import { ROLES, type Role } from '../core/roles.js';
import type { ReceiptRow } from '../engine/ports/readStore.js';

export interface ReceiptDbRow {
  id: number;
  username: string;
  role: string;
  display_name: string | null;
  avatar_url: string | null;
  seq: number;
}

export function toReceipt(row: ReceiptDbRow): ReceiptRow {
  if (!(ROLES as readonly string[]).includes(row.role)) {
    throw new ParleyError('internal', 'stored role has an unknown value');
  }
  const profile = profileFields({ displayName: row.display_name, avatarUrl: row.avatar_url });
  return { user: { id: row.id, username: row.username, role: row.role as Role, ...profile }, seq: row.seq };
}
