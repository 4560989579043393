import type { AppId } from '../core/types.js';
import type { Broadcast } from './broadcast.js';
import { readBusMessage } from './busIntake.js';
import type { Catalog } from './catalog.js';
import type { Channels } from './channels.js';
import type { EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import type { ModerationCache } from './moderationCache.js';
import type { BusMessage } from './ports/bus.js';
import type { Presence } from './presence.js';
import type { Profiles } from './profiles.js';
import type { Rooms } from './rooms.js';
import type { Sessions } from './sessions.js';
import type { ShadowMutes } from './shadowMutes.js';

export interface InboundParts {
  catalog: Catalog;
  channels: Channels;
  sessions: Sessions;
  presence: Presence;
  rooms: Rooms;
  moderation: ModerationCache;
  broadcast: Broadcast;
  profiles: Pick<Profiles, 'applied'>;
  shadowMutes: Pick<ShadowMutes, 'applied'>;
  /** Outgoing webhooks forget the app's endpoints on `app_changed`. */
  webhooks?: { forget(appId: number): void; forgetAll(): void };
}

/**
 * What arrives from the other nodes. Every message is checked before anything is done with it; one that is
 * malformed or of another version is logged and dropped. Nothing here may stop the node: a failure while
 * applying a message, synchronous or not, is logged with the message it came from and the node goes on.
 */
export class Inbound {
  constructor(
    private readonly ctx: EngineContext,
    private readonly parts: InboundParts,
  ) {}

  receive(raw: unknown): void {
    this.ctx.metrics.busReceived();
    const intake = readBusMessage(raw);
    if (!intake.ok) {
      this.ctx.logger.warn({ problem: intake.problem, received: describe(raw) }, 'bus message dropped');
      return;
    }
    const message = intake.message;
    try {
      this.apply(message);
    } catch (err) {
      this.ctx.logger.error({ err, type: message.type, origin: message.origin }, 'bus message failed');
    }
  }

  private apply(message: BusMessage): void {
    const { channels, sessions, presence, catalog, broadcast } = this.parts;
    if (message.type === 'resync') {
      // The link to the other nodes is back: catch up from storage and exchange presence again.
      channels.resyncAll();
      // An endpoint changed while the link was down was told to no one here.
      this.parts.webhooks?.forgetAll();
      presence.sendSnapshot(null);
      broadcast.hello();
      return;
    }
    if (message.origin === this.ctx.nodeId) return;
    presence.heard(message.origin);
    switch (message.type) {
      case 'room_event': {
        this.keepInStep(message, message.appId, message.event);
        const channel = channels.get(message.roomId);
        if (!channel) return;
        // A released message keeps its old seq: it goes to every subscriber as it is (reports.ts).
        if (message.event.type === 'message' && message.event.released !== true)
          channel.acceptMessage(message.event);
        else channel.broadcast(message.event);
        return;
      }
      case 'app_event':
        this.keepInStep(message, message.appId, message.event);
        sessions.toApp(message.appId, message.event, message.audience);
        return;
      case 'user_event':
        sessions.toUser(message.appId, message.userId, message.event);
        return;
      case 'staff_event': {
        const { event } = message;
        if (event.type === 'shadow_muted' || event.type === 'shadow_unmuted')
          this.settle(this.parts.shadowMutes.applied(message.appId, event), message, event);
        sessions.toStaff(message.appId, event);
        return;
      }
      case 'disconnect_user':
        sessions.disconnectUser(message.appId, message.userId, message.reason);
        return;
      case 'token_revoked':
        sessions.disconnectToken(message.appId, message.userId, message.tokenId);
        return;
      case 'presence':
        presence.remote(message.entry, message.online, message.origin);
        return;
      case 'node_alive':
        return;
      case 'node_leaving':
        this.ctx.logger.info({ node: message.origin }, 'node leaving: dropping its presence');
        presence.nodeLeft(message.origin);
        return;
      case 'app_changed':
        catalog.forgetApp(message.appId);
        this.parts.webhooks?.forget(message.appId);
        return;
      case 'role_changed':
        sessions.applyRole(message.appId, message.userId, message.role);
        return;
      case 'profile_changed':
        this.parts.profiles.applied(message.appId, message.user);
        return;
      case 'hello':
        presence.sendSnapshot(message.origin);
        return;
      case 'presence_snapshot':
        if (message.to === null || message.to === this.ctx.nodeId)
          presence.replaceNode(message.origin, message.entries);
        return;
    }
  }

  /** Keeps this node's caches and channels in step with a change made on another node. */
  private keepInStep(message: BusMessage, appId: AppId, event: EngineEvent): void {
    const { moderation, channels, rooms } = this.parts;
    const now = this.ctx.clock.now();
    const settle = (work: Promise<void>) => this.settle(work, message, event);
    switch (event.type) {
      case 'muted':
        settle(
          moderation.applyMute({
            appId,
            userId: event.user.id,
            roomId: event.room?.id ?? null,
            expiresAt: event.expiresAt,
            reason: event.reason,
            by: event.by?.id ?? null,
            createdAt: now,
          }),
        );
        return;
      case 'unmuted':
        settle(moderation.applyUnmute(appId, event.user.id, event.room?.id ?? null));
        return;
      case 'banned':
        settle(
          moderation.applyBan({
            appId,
            userId: event.user.id,
            expiresAt: event.expiresAt,
            reason: event.reason,
            by: event.by?.id ?? null,
            createdAt: now,
          }),
        );
        return;
      case 'unbanned':
        settle(moderation.applyUnban(appId, event.user.id));
        return;
      case 'room_updated':
        channels.renamed(event.room);
        if (event.room.visibility === 'private') settle(rooms.keepOutNonMembers(event.room.id));
        return;
      case 'room_deleted':
        channels.drop(event.room.id);
        return;
      case 'user_renamed':
        this.parts.presence.renamed(appId, event.room, event.from, event.to, message.origin);
        return;
      default:
        return;
    }
  }

  /**
   * Work started from a bus message is not awaited by anyone: its failure is logged here, with where it came
   * from. (A cache that failed to load reads everything from storage on its next use, so nothing is lost.)
   */
  private settle(work: Promise<void>, message: BusMessage, event: EngineEvent): void {
    work.catch((err: unknown) =>
      this.ctx.logger.error(
        { err, type: message.type, event: event.type, origin: message.origin },
        'applying a bus message failed',
      ),
    );
  }
}

/** What was received, for the log: its type when it has one, never the whole payload (it may be huge). */
function describe(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null) return { kind: typeof raw };
  const record = raw as Record<string, unknown>;
  return { type: String(record['type']), v: String(record['v']), origin: String(record['origin']) };
}
