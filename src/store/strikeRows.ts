import { STRIKE_SOURCES, type Strike } from '../core/escalation.js';
import { oneOf } from './rows.js';

export interface StrikeRow {
  app_id: number | string;
  user_id: number | string;
  source: string;
  reason: string;
  at: number | string;
  expires_at: number | string;
}

export const STRIKE_COLUMNS = 'app_id, user_id, source, reason, at, expires_at';

export function toStrike(row: StrikeRow): Strike {
  return {
    appId: Number(row.app_id),
    userId: Number(row.user_id),
    source: oneOf(row.source, STRIKE_SOURCES, 'strike source'),
    reason: row.reason,
    at: Number(row.at),
    expiresAt: Number(row.expires_at),
  };
}
