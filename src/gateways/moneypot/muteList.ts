/**
 * The auth reply's `muteList` for staff: the mutes in force in the lobby (app-wide ones and the lobby's own),
 * keyed by lowercase username, with each mute's duration in minutes and its end as an ISO string.
 */
import type { Mute } from '../../core/types.js';
import type { EngineApi } from '../../engine/api.js';
import { toMute } from './frames.js';
import type { MoneypotMute } from './protocol.js';

/** The mute that lasts longest wins when a user has both an app-wide and a lobby mute. */
function longer(a: Mute, b: Mute): Mute {
  if (a.expiresAt === null) return a;
  if (b.expiresAt === null) return b;
  return a.expiresAt >= b.expiresAt ? a : b;
}

function minutesOf(mute: Mute): number | null {
  return mute.expiresAt === null ? null : Math.max(1, Math.round((mute.expiresAt - mute.createdAt) / 60_000));
}

/** Mutes carry user ids; the list shows names. */
async function usernameOf(engine: EngineApi, appId: number, userId: number): Promise<string | null> {
  return (await engine.getUser(appId, userId))?.username ?? null;
}

export async function buildMuteList(
  engine: EngineApi,
  appId: number,
  lobbyId: number,
): Promise<Record<string, MoneypotMute>> {
  const byUser = new Map<number, Mute>();
  for (const mute of await engine.listMutes(appId)) {
    if (mute.roomId !== null && mute.roomId !== lobbyId) continue;
    const seen = byUser.get(mute.userId);
    byUser.set(mute.userId, seen ? longer(seen, mute) : mute);
  }
  const entries = await Promise.all(
    [...byUser.values()].map(async (mute) => {
      const uname = await usernameOf(engine, appId, mute.userId);
      return uname === null
        ? null
        : ([uname.toLowerCase(), toMute(uname, minutesOf(mute), mute.expiresAt)] as const);
    }),
  );
  // fromEntries defines own properties: a name such as "__proto__" stays a plain key.
  return Object.fromEntries(entries.filter((entry) => entry !== null));
}
