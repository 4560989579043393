import { newConnectionId } from './ids.js';
import { disconnect, type Disconnect } from '../core/disconnect.js';
import { ParleyError } from '../core/errors.js';
import { isStaff, type Role } from '../core/roles.js';
import { mayCreateRoom } from '../core/roomPolicy.js';
import type { Ban, Mute, Room, RoomVisibility, UserRef } from '../core/types.js';
import type {
  HistoryPage,
  HistoryQuery,
  JoinOptions,
  JoinResult,
  MuteOptions,
  NamedMute,
  SendInput,
  SendResult,
  Session,
  SessionMeta,
  SessionSink,
} from './api.js';
import type { Credentials, Principal } from '../core/identity.js';
import type { Engine } from './engine.js';
import type { EngineEvent, MessageView, RoomView } from './events.js';
import type { Subscriber } from './roomChannel.js';
import { toRoomRef } from './views.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One authenticated connection as the engine sees it. Gateways call its methods and give it a sink for what
 * it receives; every method checks the user's rights.
 */
export class EngineSession implements Session, Subscriber {
  readonly id = newConnectionId();
  readonly appId: number;
  user: UserRef;
  principal: Principal;
  private readonly joined = new Map<number, Room>();
  /** Events for rooms whose join has not been answered yet: held so that they follow the join's reply. */
  // Created when first needed: most connections never type, and a join is in flight only for a moment.
  private joiningMap: Map<number, EngineEvent[]> | null = null;
  private typingMap: Map<number, number> | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    principal: Principal,
    private readonly sink: SessionSink,
    readonly meta: SessionMeta,
  ) {
    this.appId = principal.appId;
    this.principal = principal;
    this.user = { id: principal.user.id, username: principal.user.username, role: principal.user.role };
    this.armExpiry();
  }

  get rooms(): ReadonlySet<string> {
    return new Set(
      [...this.joined.values()].map((room) => this.engine.existingChannel(room.id)?.room.name ?? room.name),
    );
  }

  get anonymous(): boolean {
    return this.principal.anonymous === true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ------------------------------------------------------------------ delivery

  deliverRoomEvent(roomId: number, event: EngineEvent): void {
    const held = this.joiningMap?.get(roomId);
    if (held) held.push(event);
    else this.deliverDirect(event);
  }

  /** Hands an event to the gateway, unless the client has fallen too far behind: then it is disconnected. */
  deliverDirect(event: EngineEvent): void {
    if (this.closed) return;
    if (this.sink.bufferedBytes() > this.engine.config.outboundBufferBytes) {
      this.engine.metrics.slowConsumerDisconnected();
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
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    for (const roomId of this.joined.keys())
      this.engine.existingChannel(roomId)?.unsubscribe(this, immediate);
    this.joined.clear();
    this.joiningMap?.clear();
    this.engine.forgetSession(this, immediate);
  }

  /** @internal The room is gone (deleted): forget it without events. */
  forgetRoom(roomId: number): void {
    this.joined.delete(roomId);
    this.joiningMap?.delete(roomId);
  }

  /** @internal The operator changed this user's role. */
  setRole(role: Role): void {
    this.user = { ...this.user, role };
  }

  private armExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    const expiresAt = this.principal.expiresAt;
    if (expiresAt === null) return;
    const delay = Math.max(0, expiresAt - this.engine.clock.now());
    if (delay > MAX_TIMER_MS) return;
    this.expiryTimer = setTimeout(() => this.terminate(disconnect('credentials_expired')), delay);
    this.expiryTimer.unref();
  }

  // ------------------------------------------------------------------ rooms

  private assertOpen(): void {
    if (this.closed) throw new ParleyError('unauthorized', 'The session is closed');
  }

  /** Writes need a user: an anonymous reader is told to sign in. */
  private assertUser(): void {
    this.assertOpen();
    if (this.anonymous) throw new ParleyError('unauthorized', 'Sign in to do that');
  }

  private async joinedRoom(name: unknown): Promise<Room> {
    const room = await this.engine.findRoom(this.appId, name);
    if (!this.joined.has(room.id)) throw new ParleyError('not_joined', `Join ${room.name} first`);
    return room;
  }

  private async visibleRoom(name: unknown): Promise<Room> {
    const room = await this.engine.findRoom(this.appId, name);
    if (!(await this.engine.canSee(room, this.user)))
      throw new ParleyError('forbidden', 'This room is private');
    return room;
  }

  async listRooms(): Promise<RoomView[]> {
    this.assertOpen();
    return this.engine.visibleRooms(this.appId, this.user);
  }

  async createRoom(input: { name: string; visibility?: RoomVisibility; topic?: string }): Promise<RoomView> {
    this.assertUser();
    return this.engine.createRoomAs(this.appId, input, this.user);
  }

  async join(name: string, opts: JoinOptions = {}): Promise<JoinResult> {
    this.assertOpen();
    if (opts.create === true) await this.createMissing(name);
    const room = await this.visibleRoom(name);
    const sinceSeq = checkSinceSeq(opts.sinceSeq);
    const app = await this.engine.getApp(this.appId);
    const alreadyJoined = this.joined.has(room.id);
    if (!alreadyJoined) (this.joiningMap ??= new Map()).set(room.id, []);
    try {
      const channel = await this.engine.channel(room);
      if (this.closed) throw new ParleyError('unauthorized', 'The session is closed');
      if (!alreadyJoined) {
        this.joined.set(room.id, room);
        channel.subscribe(this);
      }
      const replay = await this.engine.replay(room, app, sinceSeq);
      const result: JoinResult = {
        room: await this.engine.describeRoom(room),
        messages: replay.messages,
        gap: replay.gap,
        lastSeq: replay.lastSeq,
        online: this.engine.roomOnline(room),
      };
      if (!alreadyJoined) this.releaseHeld(room.id, replay.lastSeq);
      return result;
    } catch (err) {
      if (!alreadyJoined) {
        this.joiningMap?.delete(room.id);
        if (this.joined.delete(room.id)) this.engine.existingChannel(room.id)?.unsubscribe(this);
      }
      throw err;
    }
  }

  /** A join with `create`: the room, public, when there is none of that name yet. */
  private async createMissing(name: string): Promise<void> {
    try {
      await this.engine.findRoom(this.appId, name);
      return;
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === 'not_found')) throw err;
    }
    try {
      const app = await this.engine.getApp(this.appId);
      const role = this.anonymous ? null : this.user.role;
      if (!mayCreateRoom(role, 'on_join', name.trim(), app.settings)) {
        throw new ParleyError('forbidden', 'Guests cannot create rooms');
      }
      const creator = this.anonymous ? null : this.user;
      await this.engine.createRoomAs(this.appId, { name, visibility: 'public' }, creator, 'on_join');
    } catch (err) {
      // Another connection created it at the same moment: join theirs.
      if (!(err instanceof ParleyError && err.code === 'conflict')) throw err;
    }
  }

  /**
   * Events that came while the join was being answered are handed out after the reply (the gateway writes the
   * reply in the continuation of join(), which runs before setImmediate), skipping messages the reply carried.
   */
  private releaseHeld(roomId: number, replayedUpTo: number): void {
    setImmediate(() => {
      const held = this.joiningMap?.get(roomId);
      this.joiningMap?.delete(roomId);
      if (!held || this.closed) return;
      for (const event of held) {
        if (event.type === 'message' && event.message.seq <= replayedUpTo) continue;
        this.deliverDirect(event);
      }
    });
  }

  async leave(name: string): Promise<void> {
    this.assertOpen();
    const room = await this.joinedRoom(name);
    this.joined.delete(room.id);
    this.joiningMap?.delete(room.id);
    this.typingMap?.delete(room.id);
    // Leaving is on purpose: no grace period (that is for connections that drop).
    this.engine.existingChannel(room.id)?.unsubscribe(this, true);
  }

  async send(name: string, input: SendInput): Promise<SendResult> {
    this.assertUser();
    const room = await this.joinedRoom(name);
    const app = await this.engine.getApp(this.appId);
    return this.engine.post({
      app,
      room,
      author: this.user,
      text: input.text,
      clientMsgId: input.clientMsgId,
      commands: input.literal !== true,
      ...(input.kind ? { kind: input.kind } : {}),
      flood: true,
      session: this,
    });
  }

  async edit(name: string, messageId: number, text: string): Promise<MessageView> {
    this.assertUser();
    const room = await this.joinedRoom(name);
    return this.engine.editMessage(await this.engine.getApp(this.appId), room, this.user, messageId, text);
  }

  async remove(name: string, messageId: number): Promise<MessageView> {
    this.assertUser();
    const room = await this.joinedRoom(name);
    return this.engine.removeMessage(room, { kind: 'user', user: this.user }, messageId);
  }

  async history(name: string, query: HistoryQuery): Promise<HistoryPage> {
    this.assertOpen();
    return this.engine.roomHistory(await this.visibleRoom(name), query);
  }

  typing(name: string, typing: boolean): void {
    this.assertUser();
    if (typeof typing !== 'boolean')
      throw new ParleyError('bad_request', 'typing must be a boolean', { field: 'typing' });
    const room = [...this.joined.values()].find((r) => r.name === name);
    if (!room) throw new ParleyError('not_joined', 'Join the room first');
    const now = this.engine.clock.now();
    const last = this.typingMap?.get(room.id);
    if (typing) {
      if (last !== undefined && now - last < this.engine.config.typingThrottleMs) return;
      (this.typingMap ??= new Map()).set(room.id, now);
    } else {
      if (last === undefined) return;
      this.typingMap?.delete(room.id);
    }
    this.engine.roomEvent(room, { type: 'typing', room: toRoomRef(room), user: this.user, typing }, this);
  }

  /** From now on this session hears `user_online` / `user_offline` for the whole app; returns who is online. */
  watchOnline(): { online: UserRef[] } {
    if (this.closed) return { online: [] };
    this.engine.watchAppPresence(this);
    return { online: this.engine.online(this.appId).map((entry) => entry.user) };
  }

  async members(name: string): Promise<{ online: UserRef[] }> {
    this.assertOpen();
    const room = await this.visibleRoom(name);
    return { online: this.engine.roomOnline(room) };
  }

  // ------------------------------------------------------------------ moderation

  private get actor() {
    return { kind: 'user' as const, user: this.user };
  }

  mute(target: string, opts: MuteOptions): Promise<Mute> {
    this.assertUser();
    return this.engine.moderator.mute(this.appId, target, opts, this.actor);
  }

  unmute(target: string, opts: { room?: string }): Promise<void> {
    this.assertUser();
    return this.engine.moderator.unmute(this.appId, target, opts, this.actor);
  }

  ban(target: string, opts: { minutes?: number; reason?: string }): Promise<Ban> {
    this.assertUser();
    return this.engine.moderator.ban(this.appId, target, opts, this.actor);
  }

  unban(target: string): Promise<void> {
    this.assertUser();
    return this.engine.moderator.unban(this.appId, target, this.actor);
  }

  kick(target: string, opts: { reason?: string }): Promise<void> {
    this.assertUser();
    return this.engine.moderator.kick(this.appId, target, opts, this.actor);
  }

  async listMutes(): Promise<NamedMute[]> {
    this.assertUser();
    if (!isStaff(this.user.role)) throw new ParleyError('forbidden', 'Only moderators see the mute list');
    return this.engine.namedMutes(this.appId);
  }

  async refresh(credentials: Credentials): Promise<Principal> {
    this.assertUser();
    const principal = await this.engine.reauthenticate(this.appId, credentials);
    if (principal.user.id !== this.user.id) {
      throw new ParleyError('unauthorized', 'The new credentials are for another user');
    }
    this.principal = principal;
    this.user = { id: principal.user.id, username: principal.user.username, role: principal.user.role };
    this.armExpiry();
    return principal;
  }
}

function checkSinceSeq(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ParleyError('bad_request', 'sinceSeq must be a seq (a whole number)', { field: 'sinceSeq' });
  }
  return value;
}
