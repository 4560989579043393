/** The erasures table's row, and how both stores read it (`Json`: the counts column as the driver returns it). */
import type { ErasureMode, ErasureRecord } from '../engine/ports/dataProtectionStore.js';
import { oneOf } from './rows.js';

export interface ErasureRow<Json> {
  id: number;
  app_id: number;
  at: number;
  actor: string;
  user_id: number;
  username_hash: string;
  messages: string;
  counts: Json;
}

const MODES: readonly ErasureMode[] = ['delete', 'anonymise'];

export function toErasure<Json>(
  row: ErasureRow<Json>,
  counts: (json: Json) => Record<string, number>,
): ErasureRecord {
  return {
    id: row.id,
    appId: row.app_id,
    at: row.at,
    actor: row.actor,
    userId: row.user_id,
    usernameHash: row.username_hash,
    messages: oneOf(row.messages, MODES, 'erasure mode'),
    counts: counts(row.counts),
  };
}
