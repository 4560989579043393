import { newConnectionId } from './ids.js';
import { disconnect, type Disconnect } from '../core/disconnect.js';
import {
  credentialsOfAnotherUser,
  notJoined,
  rateLimited,
  roomIsPrivate,
  sessionClosed,
  signInRequired,
  staffOnlyMuteList,
} from '../core/failures.js';
import type { Credentials, Principal } from '../core/identity.js';
import { checkSeq, checkTyping } from '../core/messages.js';
import type { LimitedOperation } from '../core/operationLimits.js';
import { isStaff, type Role } from '../core/roles.js';
import type { Ban, Mute, Room, RoomVisibility, UserId, UserRef } from '../core/types.js';
import type {
  HistoryPage,
  HistoryQuery,
  JoinOptions,
  JoinResult,
  MuteOptions,
  NamedMute,
  PageRoomResult,
  ReactionResult,
  ReadReceipt,
  ReadResult,
  SendInput,
  SearchPage,
  SearchQuery,
  SendResult,
  Session,
  SessionMeta,
  SessionSink,
  UpgradeRequest,
  UpgradeResult,
} from './api.js';
import { userKey } from './context.js';
import type { EngineEvent, MessageView, PinView, RoomView } from './events.js';
import { BlockedSet } from './blockedSet.js';
import { CredentialExpiry } from './credentialExpiry.js';
import type { DmView } from './dms.js';
import { ReplayFloors } from './replayFloors.js';
import { SessionReports } from './sessionReports.js';
import { eventFor, visibleItems, visibleTo } from './visibility.js';
import { TypingThrottle } from './typingThrottle.js';
import type { Subscriber } from './roomChannel.js';
import type { SessionHost as Host } from './sessionPort.js';
import { refOf, toRoomRef } from './views.js';

/**
 * One authenticated connection as the engine sees it. Gateways call its methods and give it a sink for what
 * it receives; every method checks the user's rights.
 */
export type SessionHost = Host<EngineSession>;

export class EngineSession implements Session, Subscriber {
  readonly id = newConnectionId();
  readonly appId: number;
  /** Whose budget the operations of this session spend: the user's (every connection of theirs shares it). */
  limitKey: string;
  user: UserRef;
  principal: Principal;
  private readonly joined = new Map<number, Room>();
  /** Events for rooms whose join is not answered yet, held to follow its reply (only while there are some). */
  private joiningMap: Map<number, EngineEvent[]> | null = null;
  private readonly typingThrottle = new TypingThrottle();
  private readonly replayFloors = new ReplayFloors();
  private readonly expiry: CredentialExpiry;
  private closed = false;
  private readonly backlog: ReturnType<SessionHost['backlogRule']>; // a stopped reader told from a burst
  /** Users whose messages this session leaves out (the user blocked them; see dms.ts). */
  readonly blockedSet = new BlockedSet();
  readonly reports: SessionReports;

  constructor(
    private readonly host: SessionHost,
    principal: Principal,
    private readonly sink: SessionSink,
    readonly meta: SessionMeta,
  ) {
    this.appId = principal.appId;
    this.principal = principal;
    this.user = refOf(principal.user);
    // Readers have no user (all are user 0): each reader has a budget of its own.
    this.limitKey = this.anonymous ? `reader:${this.id}` : userKey(this.appId, this.user.id);
    this.backlog = host.backlogRule();
    this.expiry = new CredentialExpiry(host.clock, this);
    this.expiry.arm(principal.expiresAt);
    host.dms.attach(this);
    this.reports = new SessionReports(this, host);
  }

  get rooms(): ReadonlySet<string> {
    return new Set(
      [...this.joined.values()].map((room) => this.host.liveChannel(room.id)?.room.name ?? room.name),
    );
  }

  get anonymous(): boolean {
    return this.principal.anonymous === true;
  }

  /** Whose answers reads are (`me` on reactions): none for an anonymous reader. */
  private get readerId(): UserId | null {
    return this.anonymous ? null : this.user.id;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ------------------------------------------------------------------ delivery

  deliverRoomEvent(roomId: number, event: EngineEvent): void {
    const shown = this.blockedSet.hides(event) ? null : eventFor(this, event);
    if (shown === null) return;
    const held = this.joiningMap?.get(roomId);
    if (held) held.push(shown);
    else if (!this.replayFloors.covers(roomId, shown)) this.deliverDirect(shown);
  }

  /** Hands an event to the gateway, unless the client has stopped reading: then it is disconnected. */
  deliverDirect(event: EngineEvent): void {
    if (this.closed) return;
    if (this.backlog.tooSlow(this.sink.bufferedBytes())) {
      this.host.slowConsumer();
      this.terminate(disconnect('slow_consumer'));
      return;
    }
    this.sink.deliver(event);
  }

  terminate(reason: Disconnect): void {
    if (this.closed) return;
    this.sink.terminate(reason);
    this.close();
  }

  close(opts: { immediate?: boolean } = {}): void {
    if (this.closed) return;
    this.closed = true;
    const immediate = opts.immediate === true;
    this.expiry.stop();
    for (const roomId of this.joined.keys()) this.host.liveChannel(roomId)?.unsubscribe(this, immediate);
    this.joined.clear();
    this.joiningMap = null;
    this.replayFloors.clear();
    this.host.forget(this, immediate);
  }

  forgetRoom(roomId: number, notice?: EngineEvent): void {
    this.joined.delete(roomId);
    this.forgetHeld(roomId);
    this.replayFloors.forget(roomId);
    this.typingThrottle.forget(roomId);
    if (notice) this.deliverDirect(notice);
  }

  /** The operator changed this user's role. */
  setRole(role: Role): void {
    this.user = { ...this.user, role };
  }

  // ------------------------------------------------------------------ rooms

  private assertOpen(): void {
    if (this.closed) throw sessionClosed();
  }

  /** Writes need a user: an anonymous reader is told to sign in. */
  private assertUser(): void {
    this.assertOpen();
    if (this.anonymous) throw signInRequired();
  }

  /**
   * The door of every operation: the session is open (and has a user, for writes), then the operation is
   * counted against the user's budget, before any other work: over it, `rate_limited` with retryAfterMs. On
   * one node the budget answers at once; in cluster mode after one round trip to the shared counters.
   */
  enter(op: LimitedOperation, needs: 'open' | 'user' = 'open'): void | Promise<void> {
    if (needs === 'user') this.assertUser();
    else this.assertOpen();
    return this.host.limits.enforce(this, op);
  }

  /** A room by name: a joined one from its live channel (kept current on rename), else from storage. */
  private async roomNamed(name: unknown): Promise<Room> {
    for (const roomId of this.joined.keys()) {
      const live = this.host.liveChannel(roomId)?.room;
      if (live !== undefined && live.name === name) return live;
    }
    return this.host.findRoom(this.appId, name);
  }

  private async joinedRoom(name: unknown): Promise<Room> {
    const room = await this.roomNamed(name);
    if (!this.joined.has(room.id)) throw notJoined(room.name);
    return room;
  }

  async visibleRoom(name: unknown): Promise<Room> {
    const room = await this.roomNamed(name);
    if (!(await this.host.canSee(room, this.user))) throw roomIsPrivate();
    return room;
  }

  async listRooms(opts: { counted?: boolean; unread?: boolean } = {}): Promise<RoomView[]> {
    if (opts.counted === false) this.assertOpen();
    else await this.enter('listRooms');
    const rooms = await this.host.visibleRooms(this.appId, this.user);
    return opts.unread && !this.anonymous ? this.host.reads.withUnread(this.appId, this.user, rooms) : rooms;
  }

  async createRoom(input: { name: string; visibility?: RoomVisibility; topic?: string }): Promise<RoomView> {
    await this.enter('createRoom', 'user');
    return this.host.createRoom(this.appId, input, this.user, 'explicit');
  }

  async join(name: string, opts: JoinOptions = {}): Promise<JoinResult> {
    await this.enter('join');
    if (opts.create === true)
      await this.host.createMissingRoom(this.appId, name, this.anonymous ? null : this.user);
    const room = await this.visibleRoom(name);
    const sinceSeq = checkSeq(opts.sinceSeq, 'sinceSeq');
    const app = await this.host.getApp(this.appId);
    const alreadyJoined = this.joined.has(room.id);
    if (!alreadyJoined) (this.joiningMap ??= new Map()).set(room.id, []);
    try {
      const channel = await this.host.openChannel(room);
      if (this.closed) throw sessionClosed();
      if (!alreadyJoined) {
        this.joined.set(room.id, channel.room); // shared by the room's sessions, not this join's own copy
        channel.subscribe(this);
      }
      const replay = await this.host.replay(room, app, sinceSeq, this.readerId);
      const view = await this.host.describeRoom(room);
      const result: JoinResult = {
        room: this.anonymous
          ? view
          : { ...view, ...(await this.host.reads.joined(this.appId, this.user, room, replay.lastSeq)) },
        messages: visibleTo(this, this.blockedSet.filter(replay.messages)),
        gap: replay.gap,
        lastSeq: replay.lastSeq,
        online: this.host.roomOnline(room),
      };
      if (!alreadyJoined) this.releaseHeld(room.id, replay.lastSeq);
      return result;
    } catch (err) {
      if (!alreadyJoined) {
        this.forgetHeld(room.id);
        if (this.joined.delete(room.id)) this.host.liveChannel(room.id)?.unsubscribe(this);
      }
      throw err;
    }
  }

  /**
   * Events that came while the join was being answered are handed out after the reply (the gateway writes the
   * reply in the continuation of join(), which runs before setImmediate), skipping messages the reply carried,
   * whether they were held or are still to come from a channel that lags behind storage (replayFloors.ts).
   */
  private releaseHeld(roomId: number, replayedUpTo: number): void {
    this.replayFloors.set(roomId, replayedUpTo);
    setImmediate(() => {
      const held = this.joiningMap?.get(roomId);
      this.forgetHeld(roomId);
      if (!held || this.closed) return;
      for (const event of held) if (!this.replayFloors.covers(roomId, event)) this.deliverDirect(event);
      this.replayFloors.passed(roomId, this.host.liveChannel(roomId)?.deliveredSeq ?? null);
    });
  }

  private forgetHeld(roomId: number): void {
    if (this.joiningMap?.delete(roomId) === true && this.joiningMap.size === 0) this.joiningMap = null;
  }

  async leave(name: string): Promise<void> {
    await this.enter('leave');
    const room = await this.joinedRoom(name);
    this.forgetRoom(room.id);
    // Leaving is on purpose: no grace period (that is for connections that drop).
    this.host.liveChannel(room.id)?.unsubscribe(this, true);
  }

  async send(name: string, input: SendInput): Promise<SendResult> {
    await this.enter('send', 'user');
    const room = await this.joinedRoom(name);
    const app = await this.host.getApp(this.appId);
    await this.host.dms.checkWrite(room, this.user);
    return this.host.post({
      ...{ app, room, author: this.user, text: input.text, clientMsgId: input.clientMsgId },
      commands: input.literal !== true,
      ...(input.kind ? { kind: input.kind } : {}),
      replyTo: this,
      parentId: input.replyTo,
      attachments: input.attachments,
    });
  }

  async edit(name: string, messageId: number, text: string): Promise<MessageView> {
    await this.enter('edit', 'user');
    const room = await this.joinedRoom(name);
    return this.host.edit(await this.host.getApp(this.appId), room, this.user, messageId, text);
  }

  async remove(name: string, messageId: number): Promise<MessageView> {
    await this.enter('remove', 'user');
    const room = await this.joinedRoom(name);
    return this.host.remove(room, { kind: 'user', user: this.user }, messageId);
  }

  async history(name: string, query: HistoryQuery): Promise<HistoryPage> {
    await this.enter('history');
    const page = await this.host.history(await this.visibleRoom(name), query, this.readerId);
    return { ...page, messages: visibleTo(this, this.blockedSet.filter(page.messages)) };
  }

  typing(name: string, typing: boolean): void {
    this.assertUser();
    checkTyping(typing);
    const room = [...this.joined.values()].find((r) => r.name === name);
    if (!room) throw notJoined(name);
    const now = this.host.clock.now();
    const limit = () => this.host.limits.takeHere(this, 'typing').ok;
    if (!this.typingThrottle.pass(room.id, typing, now, this.host.config.typingThrottleMs, limit)) return;
    this.host.roomEvent(room, { type: 'typing', room: toRoomRef(room), user: this.user, typing }, this);
  }

  /** From now on this session hears `user_online` / `user_offline` for the whole app; returns who is online. */
  watchOnline(): { online: UserRef[] } {
    if (this.closed) return { online: [] };
    // Synchronous by contract (the answer is the list), so held to this node's budget.
    const taken = this.host.limits.takeHere(this, 'watchOnline');
    if (!taken.ok) throw rateLimited(taken.retryAfterMs);
    this.host.watchAppPresence(this);
    return { online: this.host.online(this.appId).map((entry) => entry.user) };
  }

  async members(name: string): Promise<{ online: UserRef[] }> {
    await this.enter('members');
    return { online: this.host.roomOnline(await this.visibleRoom(name)) };
  }

  async pageRoom(url: string): Promise<PageRoomResult> {
    await this.enter('pageRoom');
    return this.host.pageRoom(this.appId, url, this.anonymous ? null : this.user);
  }

  async setSlowMode(name: string, seconds: number): Promise<RoomView> {
    await this.enter('setSlowMode', 'user');
    return this.host.setSlowMode(await this.visibleRoom(name), seconds, this.user);
  }

  // ------------------------------------------------------------------ moderation

  private get actor() {
    return { kind: 'user' as const, user: this.user };
  }

  async mute(target: string, opts: MuteOptions): Promise<Mute> {
    await this.enter('mute', 'user');
    return this.host.moderator.mute(this.appId, target, opts, this.actor);
  }

  async unmute(target: string, opts: { room?: string }): Promise<void> {
    await this.enter('unmute', 'user');
    return this.host.moderator.unmute(this.appId, target, opts, this.actor);
  }

  async ban(target: string, opts: { minutes?: number; reason?: string }): Promise<Ban> {
    await this.enter('ban', 'user');
    return this.host.moderator.ban(this.appId, target, opts, this.actor);
  }

  async unban(target: string): Promise<void> {
    await this.enter('unban', 'user');
    return this.host.moderator.unban(this.appId, target, this.actor);
  }

  async kick(target: string, opts: { reason?: string }): Promise<void> {
    await this.enter('kick', 'user');
    return this.host.moderator.kick(this.appId, target, opts, this.actor);
  }

  async listMutes(): Promise<NamedMute[]> {
    await this.enter('listMutes', 'user');
    if (!isStaff(this.user.role)) throw staffOnlyMuteList();
    return this.host.namedMutes(this.appId);
  }

  // ------------------------------------------------------------------ replies and pins (replies.ts, pins.ts)

  async replies(name: string, messageId: number, query: HistoryQuery): Promise<HistoryPage> {
    await this.enter('replies');
    const page = await this.host.replies(await this.visibleRoom(name), messageId, query, this.readerId);
    return { ...page, messages: visibleTo(this, this.blockedSet.filter(page.messages)) };
  }

  async pin(name: string, messageId: number): Promise<PinView> {
    await this.enter('pin', 'user');
    return this.host.pin(await this.visibleRoom(name), this.actor, messageId);
  }

  async unpin(name: string, messageId: number): Promise<void> {
    await this.enter('unpin', 'user');
    return this.host.unpin(await this.visibleRoom(name), this.actor, messageId);
  }

  async pins(name: string): Promise<PinView[]> {
    await this.enter('pins');
    return visibleItems(this, await this.host.pins(await this.visibleRoom(name), this.readerId));
  }

  // ------------------------------------------------------------------ read state (readState.ts)

  async read(name: string, seq: number): Promise<ReadResult> {
    await this.enter('read', 'user');
    return this.host.reads.read(this.appId, this.user, await this.visibleRoom(name), seq, this);
  }

  async receipts(name: string): Promise<{ receipts: ReadReceipt[] | null }> {
    await this.enter('receipts');
    return this.host.reads.receipts(await this.visibleRoom(name));
  }

  async refresh(credentials: Credentials): Promise<Principal> {
    await this.enter('refresh', 'user');
    const principal = await this.host.reauthenticate(this.appId, credentials);
    if (principal.user.id !== this.user.id) throw credentialsOfAnotherUser();
    this.become(principal);
    return principal;
  }

  async upgrade(request: UpgradeRequest): Promise<UpgradeResult> {
    await this.enter('upgrade', 'user');
    return this.host.upgrade(this, request);
  }

  /** New credentials: the same user's (refresh) or, a guest's upgrade (upgrade.ts), another's; its rooms stay. */
  become(principal: Principal): Room[] {
    this.principal = principal;
    this.user = refOf(principal.user);
    this.limitKey = userKey(this.appId, this.user.id);
    this.expiry.arm(principal.expiresAt);
    return [...this.joined.values()];
  }

  async react(name: string, messageId: number, emoji: string): Promise<ReactionResult> {
    await this.enter('react', 'user');
    const [app, room] = await Promise.all([this.host.getApp(this.appId), this.joinedRoom(name)]);
    return this.host.reactions.react(app, room, this.user, messageId, emoji);
  }

  async unreact(name: string, messageId: number, emoji: string): Promise<ReactionResult> {
    await this.enter('unreact', 'user');
    const [app, room] = await Promise.all([this.host.getApp(this.appId), this.joinedRoom(name)]);
    return this.host.reactions.unreact(app, room, this.user, messageId, emoji);
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    await this.enter('search');
    const page = await this.host.search(this.appId, this.user, query);
    return { ...page, hits: visibleItems(this, this.blockedSet.filterHits(page.hits)) };
  }

  // ------------------------------------------------------------------ direct messages and blocks (dms.ts)

  async openDm(user: string): Promise<RoomView> {
    await this.enter('openDm', 'user');
    return this.host.dms.open(this.appId, this.user, user);
  }

  async listDms(): Promise<DmView[]> {
    await this.enter('listDms', 'user');
    return this.host.listDms(this.appId, this.user, this.blockedSet.current);
  }

  async block(user: string): Promise<UserRef> {
    await this.enter('block', 'user');
    return this.host.dms.block(this.appId, this.user, user);
  }

  async unblock(user: string): Promise<void> {
    await this.enter('unblock', 'user');
    return this.host.dms.unblock(this.appId, this.user, user);
  }

  async blocks(): Promise<UserRef[]> {
    await this.enter('blocks', 'user');
    return this.host.dms.blocks(this.appId, this.user);
  }

  async setProfile(profile: { displayName?: string | null; avatarUrl?: string | null }): Promise<UserRef> {
    await this.enter('setProfile', 'user');
    return this.host.profiles.setOwn(this.appId, this.user.id, profile);
  }
}
