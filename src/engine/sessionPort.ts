import type { BacklogRule } from '../core/backlog.js';
import type { Clock } from '../core/clock.js';
import type { Credentials, Principal } from '../core/identity.js';
import type { LimitedOperation } from '../core/operationLimits.js';
import type { RoomCreation } from '../core/roomPolicy.js';
import type { App, AppId, Room, RoomVisibility, UserId, UserRef } from '../core/types.js';
import type {
  HistoryPage,
  HistoryQuery,
  NamedMute,
  OnlineUser,
  SearchPage,
  SearchQuery,
  SendResult,
  UpgradeRequest,
  UpgradeResult,
} from './api.js';
import type { EngineConfig } from './config.js';
import type { EngineEvent, MessageView, PinView, RoomView } from './events.js';
import type { PostInput, Replay } from './messages.js';
import type { Actor } from './moderation.js';
import type { DmView, Dms } from './dms.js';
import type { Moderator } from './moderator.js';
import type { OperationLimiter } from './operationLimiter.js';
import type { Profiles } from './profiles.js';
import type { Reactions } from './reactions.js';
import type { ReadState } from './readState.js';
import type { Reports } from './reports.js';
import type { RoomChannel, Subscriber } from './roomChannel.js';
import type { ShadowMutes } from './shadowMutes.js';
import type { PageRooms } from './pageRooms.js';

/**
 * What a session needs from the engine around it (sessionHost.ts wires it from the parts). `S` is the session
 * type (session.ts), named here as a parameter so that this port does not import the session that uses it.
 */
export interface SessionHost<S> {
  readonly clock: Clock;
  readonly config: Pick<EngineConfig, 'typingThrottleMs'>;
  /** A session's own slow-consumer rule, on the engine's clock and configured bounds. */
  backlogRule(): BacklogRule;
  readonly moderator: Moderator;
  /** Read markers and unread counts (readState.ts). */
  readonly reads: Pick<ReadState, 'joined' | 'read' | 'withUnread' | 'receipts'>;
  /** Every operation's per-user budget (see operationLimiter.ts); a refused send is a flood strike. */
  readonly limits: Pick<OperationLimiter, 'takeHere'> & {
    enforce(caller: S, op: LimitedOperation): void | Promise<void>;
  };
  slowConsumer(): void;
  /** The session closed: the engine forgets it (presence ends after the grace period unless `immediate`). */
  forget(session: S, immediate: boolean): void;
  watchAppPresence(session: S): void;
  liveChannel(roomId: number): RoomChannel | undefined;
  openChannel(room: Room): Promise<RoomChannel>;
  getApp(appId: AppId): Promise<App>;
  findRoom(appId: AppId, name: unknown): Promise<Room>;
  canSee(room: Room, user: UserRef): Promise<boolean>;
  visibleRooms(appId: AppId, user: UserRef): Promise<RoomView[]>;
  describeRoom(room: Room): Promise<RoomView>;
  createRoom(
    appId: AppId,
    input: { name: string; visibility?: RoomVisibility; topic?: string },
    creator: UserRef | null,
    how: RoomCreation,
  ): Promise<RoomView>;
  createMissingRoom(appId: AppId, name: string, creator: UserRef | null): Promise<void>;
  roomOnline(room: Room): UserRef[];
  online(appId: AppId): OnlineUser[];
  roomEvent(room: Room, event: EngineEvent, except: Subscriber): void;
  post(input: PostInput): Promise<SendResult>;
  edit(app: App, room: Room, actor: UserRef, messageId: unknown, text: unknown): Promise<MessageView>;
  remove(room: Room, actor: Actor, messageId: unknown): Promise<MessageView>;
  replay(room: Room, app: App, sinceSeq?: number, readerId?: UserId | null): Promise<Replay>;
  history(room: Room, query: HistoryQuery, readerId?: UserId | null): Promise<HistoryPage>;
  namedMutes(appId: AppId): Promise<NamedMute[]>;
  reauthenticate(appId: AppId, credentials: Credentials): Promise<Principal>;
  /** A guest session becomes another user in place (upgrade.ts). */
  upgrade(session: S, request: UpgradeRequest): Promise<UpgradeResult>;
  replies(room: Room, parentId: unknown, query: HistoryQuery, readerId: UserId | null): Promise<HistoryPage>;
  pin(room: Room, actor: Actor, messageId: unknown): Promise<PinView>;
  unpin(room: Room, actor: Actor, messageId: unknown): Promise<void>;
  pins(room: Room, readerId: UserId | null): Promise<PinView[]>;
  readonly reactions: Pick<Reactions, 'react' | 'unreact'>;
  search(appId: AppId, user: UserRef, query: SearchQuery): Promise<SearchPage>;
  readonly profiles: Pick<Profiles, 'setOwn'>;
  readonly dms: Pick<Dms, 'open' | 'block' | 'unblock' | 'blocks' | 'checkWrite' | 'attach'>;
  /** Reports, the moderation queue (reports.ts) and shadow mutes (shadowMutes.ts), for sessionReports.ts. */
  readonly reportQueue: Pick<Reports, 'report' | 'queue' | 'resolve'>;
  readonly shadowMutes: Pick<ShadowMutes, 'mute' | 'unmute'>;
  /** The room of a page (pageRooms.ts); `creator` null for a reader without an account. */
  pageRoom: PageRooms['resolve'];
  /** The user's DMs, each room with its unread counts as a room list gives them (dms.ts, readState.ts). */
  listDms(appId: AppId, user: UserRef, blocked: ReadonlySet<number> | null): Promise<DmView[]>;
  /** A mod or above sets the room's slow mode (rooms.ts); `forbidden` below mod. */
  setSlowMode(room: Room, seconds: unknown, by: UserRef): Promise<RoomView>;
}
