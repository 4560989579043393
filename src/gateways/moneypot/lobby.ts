/**
 * Opening a moneypot socket's engine session and putting it in its app's lobby. A signed-in user gets an
 * ordinary session; everybody else an anonymous reader (engine.openReader), which reads and is never present.
 */
import { LOBBY_ROOM } from '../../core/apps.js';
import type { AppId } from '../../core/types.js';
import type { EngineConnections, JoinResult, Session, SessionSink } from '../../engine/api.js';
import type { Principal } from '../../core/identity.js';

type SessionMeta = { transport: string; dialect: string };

export async function openSession(
  engine: EngineConnections,
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
export function joinLobby(session: Session): Promise<JoinResult> {
  return session.join(LOBBY_ROOM, { create: true });
}
