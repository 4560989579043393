import type { Role } from '../../core/roles.js';
import type { AppId, RoomId, UserId, UserRef } from '../../core/types.js';
import type { EngineEvent } from '../events.js';
import type { PresenceEntry } from '../presenceDirectory.js';

/**
 * The version of the bus messages below. A node drops (and logs) a message of another version: nodes of one
 * cluster run one release, and a rolling upgrade that changes this shape bumps it. Version 2 routes room and
 * app traffic on topics (busInterest.ts): a node of version 1 would not hear it, so it is told apart loudly.
 */
export const BUS_VERSION = 2;

/**
 * What travels between nodes. A node fans a committed message out to its own clients and publishes it once;
 * other nodes fan it out to theirs. Control messages carry moderation and presence across the cluster.
 */
export type BusBody =
  | { type: 'room_event'; appId: AppId; roomId: RoomId; event: EngineEvent; seq?: number }
  /** `audience`: only these users (and admins and owners) hear it, e.g. of a private room. */
  | { type: 'app_event'; appId: AppId; event: EngineEvent; audience?: readonly number[] }
  | { type: 'user_event'; appId: AppId; userId: UserId; event: EngineEvent }
  /** For the app's staff sessions only (mods and above): the moderation queue, shadow mutes. */
  | { type: 'staff_event'; appId: AppId; event: EngineEvent }
  /** `logout`: a guest became a user on one connection (upgrade.ts), and its other connections end. */
  | {
      type: 'disconnect_user';
      appId: AppId;
      userId: UserId;
      reason: 'kicked' | 'banned' | 'logout' | 'revoked';
    }
  /** The operator revoked one access token: the sessions signed in with it end (`revoked`). */
  | { type: 'token_revoked'; appId: AppId; userId: UserId; tokenId: string }
  /** The app's name or settings changed: forget the cached copy. */
  | { type: 'app_changed'; appId: AppId }
  /** The operator gave a user another role: connected sessions take it at once. */
  | { type: 'role_changed'; appId: AppId; userId: UserId; role: Role }
  /** A user's profile changed: every node updates the user's sessions and tells them and the rooms they are in. */
  | { type: 'profile_changed'; appId: AppId; user: UserRef }
  /** A user became present on the origin node in a room or the app (online), or stopped being (offline). */
  | { type: 'presence'; entry: PresenceEntry; online: boolean }
  /** Sent every heartbeat interval; a node not heard from for three intervals is taken as gone. */
  | { type: 'node_alive' }
  /** The origin node is stopping on purpose: drop its presence now rather than after three silent intervals. */
  | { type: 'node_leaving' }
  /** A node (re)joined: the others answer with their presence snapshots. */
  | { type: 'hello' }
  /** Everything the origin node has present; `to` null for every node. */
  | { type: 'presence_snapshot'; to: string | null; entries: PresenceEntry[] }
  /**
   * Said by the bus adapter itself to its own node: the link to the other nodes was lost and is back, so
   * messages may have been missed (backfill from storage, exchange presence again).
   */
  | { type: 'resync' };

/** A bus message as published: its body with the version and the node that sent it. */
export type BusMessage = BusBody & { v: typeof BUS_VERSION; origin: string };

/**
 * Receives what arrived from the other nodes, as it arrived: the engine validates every message at intake,
 * so an adapter hands over whatever it decoded and never vouches for its shape.
 */
export type BusHandler = (message: unknown) => void;

/**
 * The bus between nodes: publish to the others, and one handler the engine registers to hear them. A message
 * goes either to every node (no topic: control, presence, whatever changes a cache every node keeps) or on a
 * topic (a room's or an app's traffic, `room:<appId>:<roomId>`, `app:<appId>`), heard only by the nodes that
 * subscribed to it: the engine subscribes to what concerns its own sessions (busInterest.ts).
 */
export interface Bus {
  publish(message: BusMessage, topic?: string): void;
  onMessage(handler: BusHandler): void;
  /**
   * Starts hearing `topic`; resolves once messages published after it will be heard, or at once while the
   * link to the other nodes is down (when it comes back, every topic is subscribed again before `resync`).
   * Subscribing to a topic already subscribed does nothing.
   */
  subscribe(topic: string): Promise<void>;
  /** Stops hearing `topic` (nothing when it was not subscribed). */
  unsubscribe(topic: string): void;
}
