/**
 * The auth reply's `muteList` for staff: the mutes in force in the lobby (app-wide ones and the lobby's own),
 * keyed by lowercase username, with each mute's duration in minutes and its end as an ISO string.
 */
import type { Mute } from '../../core/types.js';
import type { NamedMute, Session } from '../../engine/api.js';
import { toMute } from './frames.js';
import type { MoneypotMute } from './protocol.js';

/** The mute that lasts longest wins when a user has both an app-wide and a lobby mute. */
function longer(a: NamedMute, b: NamedMute): NamedMute {
  if (a.expiresAt === null) return a;
  if (b.expiresAt === null) return b;
  return a.expiresAt >= b.expiresAt ? a : b;
}

function minutesOf(mute: Mute): number | null {
  return mute.expiresAt === null ? null : Math.max(1, Math.round((mute.expiresAt - mute.createdAt) / 60_000));
}

export async function buildMuteList(
  session: Session,
  lobbyId: number,
): Promise<Record<string, MoneypotMute>> {
  const byUser = new Map<number, NamedMute>();
  for (const mute of await session.listMutes()) {
    if (mute.roomId !== null && mute.roomId !== lobbyId) continue;
    const seen = byUser.get(mute.userId);
    byUser.set(mute.userId, seen ? longer(seen, mute) : mute);
  }
  const entries = [...byUser.values()].map(
    (mute) => [mute.username.toLowerCase(), toMute(mute.username, minutesOf(mute), mute.expiresAt)] as const,
  );
  // fromEntries defines own properties: a name such as "__proto__" stays a plain key.
  return Object.fromEntries(entries);
}
