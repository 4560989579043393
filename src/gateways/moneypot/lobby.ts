/**
 * Opening a moneypot socket's engine session and putting it in its app's lobby. A signed-in user gets an
 * ordinary session; everybody else an anonymous reader (engine.openReader), which reads and is never present.
 */
import { LOBBY_ROOM } from '../../core/apps.js';
import { ParleyError } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import type { EngineApi, JoinResult, Principal, Session, SessionSink } from '../../engine/api.js';

type SessionMeta = { transport: string; dialect: string };

export async function openSession(
  engine: EngineApi,
  appId: AppId,
  principal: Principal | null,
  sink: SessionSink,
  meta: SessionMeta,
): Promise<Session> {
  if (principal) return engine.openSession(principal, sink, meta);
  return engine.openReader(appId, sink, meta);
}

/**
 * Joins the app's lobby, `lobby`. An app without one (apps other than app 1 start with no rooms) gets it,
 * public, on the first moneypot auth: the document promises every app a lobby channel.
 */
export async function joinLobby(engine: EngineApi, session: Session): Promise<JoinResult> {
  try {
    return await session.join(LOBBY_ROOM);
  } catch (err) {
    if (!(err instanceof ParleyError && err.code === 'not_found')) throw err;
  }
  try {
    await engine.createRoom(session.appId, { name: LOBBY_ROOM, visibility: 'public' });
  } catch (err) {
    // Another socket created it at the same moment.
    if (!(err instanceof ParleyError && err.code === 'conflict')) throw err;
  }
  return session.join(LOBBY_ROOM);
}
