import type { Role } from '../../core/roles.js';
import type { AppId, Message, RoomId, UserId } from '../../core/types.js';
import type { EngineEvent } from '../events.js';
import type { PresenceEntry } from '../presenceDirectory.js';

/**
 * What travels between nodes. A node fans a committed message out to its own clients and publishes it once;
 * other nodes fan it out to theirs. Control messages carry moderation and presence across the cluster.
 */
export type BusMessage =
  | { type: 'room_event'; origin: string; appId: AppId; roomId: RoomId; event: EngineEvent; seq?: number }
  /** `audience`: only these users (and admins and owners) hear it, e.g. of a private room. */
  | { type: 'app_event'; origin: string; appId: AppId; event: EngineEvent; audience?: readonly number[] }
  | { type: 'user_event'; origin: string; appId: AppId; userId: UserId; event: EngineEvent }
  | { type: 'disconnect_user'; origin: string; appId: AppId; userId: UserId; reason: 'kicked' | 'banned' }
  /** The app's name or settings changed: forget the cached copy. */
  | { type: 'app_changed'; origin: string; appId: AppId }
  /** The operator gave a user another role: connected sessions take it at once. */
  | { type: 'role_changed'; origin: string; appId: AppId; userId: UserId; role: Role }
  /** A user became present on the origin node in a room or the app (online), or stopped being (offline). */
  | { type: 'presence'; origin: string; entry: PresenceEntry; online: boolean }
  /** Sent every heartbeat interval; a node not heard from for three intervals is taken as gone. */
  | { type: 'node_alive'; origin: string }
  /** A node (re)joined: the others answer with their presence snapshots. */
  | { type: 'hello'; origin: string }
  /** Everything the origin node has present; `to` null for every node. */
  | { type: 'presence_snapshot'; origin: string; to: string | null; entries: PresenceEntry[] }
  /**
   * Said by the bus adapter itself to its own node, never published: the link to the other nodes was lost and
   * is back, so messages may have been missed (backfill from storage, exchange presence again).
   */
  | { type: 'resync'; origin: string };

export type BusHandler = (message: BusMessage) => void;

/** The bus between nodes: publish to the others, and one handler the engine registers to hear them. */
export interface Bus {
  publish(message: BusMessage): void;
  onMessage(handler: BusHandler): void;
}

export type { Message };
