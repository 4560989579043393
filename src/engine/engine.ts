import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  DEFAULT_APP_1_SETTINGS,
  DEFAULT_APP_NAME,
  DEFAULT_APP_SETTINGS,
  LOBBY_ROOM,
  mergeSettings,
} from '../core/apps.js';
import type { Clock } from '../core/clock.js';
import { disconnect, type DisconnectReason } from '../core/disconnect.js';
import { ParleyError, type ErrorCode } from '../core/errors.js';
import { renderMarkdown } from '../core/markdown.js';
import { checkClientMsgId, checkMessageText } from '../core/messages.js';
import { checkRoomName, checkUsername } from '../core/names.js';
import { mayCreateRoom, type RoomCreation } from '../core/roomPolicy.js';
import { isRole, isStaff, type Role } from '../core/roles.js';
import type { App, AppId, Ban, Message, Mute, Room, RoomVisibility, User, UserRef } from '../core/types.js';
import type { IdentityProvider } from './ports/identity.js';
import type { Bus, BusMessage } from './ports/bus.js';
import type { Store } from './ports/store.js';
import type {
  AppPatch,
  EngineApi,
  Gap,
  HistoryPage,
  HistoryQuery,
  MuteOptions,
  NamedMute,
  OnlineUser,
  SendResult,
  SessionMeta,
  SessionSink,
} from './api.js';
import type { Credentials, IssuedToken, Principal } from '../core/identity.js';
import type { EngineConfig } from './config.js';
import type { EngineEvent, MessageView, RoomView } from './events.js';
import type { EngineMetrics } from './metrics.js';
import { ModerationCache } from './moderationCache.js';
import { describeDuration, type Actor } from './moderation.js';
import { RateLimiter } from './rateLimiter.js';
import { RoomChannel, type Subscriber } from './roomChannel.js';
import { PresenceDirectory, type PresenceEntry, type PresencePlace } from './presenceDirectory.js';
import { EngineSession } from './session.js';
import { refOf, toMessageView, toRoomRef, toRoomView } from './views.js';
import { Moderator } from './moderator.js';
import { runSlashCommand } from './slashCommands.js';
import { parseText, type Command } from '../core/commands.js';
import { renderInline } from '../core/markdown.js';

export interface EngineDeps {
  store: Store;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  metrics: EngineMetrics;
  config: EngineConfig;
  authenticator: IdentityProvider;
}

const HISTORY_MAX = 200;
const HISTORY_DEFAULT = 50;
const SWEEP_MS = 60_000;
/** Expired tokens are purged once an hour. */
const TOKEN_PURGE_EVERY_SWEEPS = 60;
const OPERATOR: Actor = { kind: 'operator' };

export function createEngine(deps: EngineDeps): Engine {
  return new Engine(deps);
}

/**
 * The one engine under every gateway: sessions, room channels, fan-out, presence, flood control and
 * moderation. It talks to storage and to other nodes only through the ports it is given.
 */
export class Engine implements EngineApi {
  readonly nodeId = randomUUID();
  private readonly store: Store;
  private readonly bus: Bus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  readonly config: EngineConfig;
  private readonly auth: IdentityProvider;

  private readonly apps = new Map<AppId, Promise<App>>();
  private readonly channels = new Map<number, RoomChannel>();
  private readonly sessions = new Set<EngineSession>();
  private readonly sessionsByApp = new Map<AppId, Set<EngineSession>>();
  /** Sessions that hear app-wide presence (see SessionMeta.appPresence). */
  private readonly appPresenceWatchers = new Map<AppId, Set<EngineSession>>();
  private readonly sessionsByUser = new Map<string, Set<EngineSession>>();
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();
  private readonly presence = new PresenceDirectory();
  /** Other nodes, by when they were last heard from. */
  private readonly nodesSeen = new Map<string, number>();
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly silenceTimer: NodeJS.Timeout;
  private readonly moderation: ModerationCache;
  readonly moderator: Moderator;
  private readonly flood = new RateLimiter();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly sweepTimer: NodeJS.Timeout;
  private stopping = false;
  private sweeps = 0;

  constructor(deps: EngineDeps) {
    this.store = deps.store;
    this.bus = deps.bus;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.metrics = deps.metrics;
    this.config = deps.config;
    this.auth = deps.authenticator;
    this.moderation = new ModerationCache(this.store.directory);
    this.moderator = new Moderator(this, this.store.directory, this.moderation);
    this.bus.onMessage((message) => this.onBusMessage(message));
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.config.clusterHeartbeatMs);
    this.heartbeatTimer.unref();
    this.silenceTimer = setInterval(() => this.dropSilentNodes(), this.config.clusterHeartbeatMs / 4);
    this.silenceTimer.unref();
    this.bus.publish({ type: 'hello', origin: this.nodeId });
  }

  /** Forgets refilled flood buckets; now and then removes expired tokens (every guest visit leaves one). */
  private sweep(): void {
    const now = this.clock.now();
    this.flood.sweep(now);
    this.sweeps += 1;
    if (this.sweeps % TOKEN_PURGE_EVERY_SWEEPS !== 0) return;
    this.store.directory
      .deleteExpiredAccessTokens(now)
      .catch((err: unknown) => this.logger.warn({ err }, 'purging expired tokens failed'));
  }

  /** First start: app 1 "default" with its lobby. */
  async bootstrap(): Promise<void> {
    const dir = this.store.directory;
    // Atomic in the store: nodes starting together on an empty database make one default app between them.
    const app = await dir.ensureFirstApp(DEFAULT_APP_NAME, DEFAULT_APP_1_SETTINGS, this.clock.now());
    if (!(await dir.findRoomByName(app.id, LOBBY_ROOM))) {
      try {
        await dir.createRoom(
          app.id,
          { name: LOBBY_ROOM, visibility: 'public', createdBy: null },
          this.clock.now(),
        );
      } catch (err) {
        if (!(err instanceof ParleyError && err.code === 'conflict')) throw err;
      }
    }
  }

  // ---------------------------------------------------------------- apps, users, rooms (shared look-ups)

  async getApp(appId: AppId): Promise<App> {
    if (!Number.isInteger(appId) || appId < 1) throw new ParleyError('not_found', 'No such app');
    let entry = this.apps.get(appId);
    if (!entry) {
      entry = this.store.directory.getApp(appId).then((app) => {
        if (!app) throw new ParleyError('not_found', 'No such app');
        return app;
      });
      entry.catch(() => this.apps.delete(appId));
      this.apps.set(appId, entry);
    }
    return entry;
  }

  getUser(appId: AppId, userId: number): Promise<User | null> {
    return this.store.directory.getUser(appId, userId);
  }

  async findUser(appId: AppId, username: unknown): Promise<User> {
    if (typeof username !== 'string' || username.length === 0 || username.length > 64) {
      throw new ParleyError('bad_request', 'user must be a username', { field: 'user' });
    }
    const user = await this.store.directory.findUserByName(appId, username);
    if (!user) throw new ParleyError('not_found', `No user named ${username}`);
    return user;
  }

  async findRoom(appId: AppId, name: unknown): Promise<Room> {
    if (typeof name !== 'string' || name.length === 0 || name.length > 64) {
      throw new ParleyError('bad_request', 'room must be a room name', { field: 'room' });
    }
    const room = await this.store.directory.findRoomByName(appId, name.trim());
    if (!room) throw new ParleyError('not_found', `No room named ${name}`);
    return room;
  }

  /** Public rooms are open to all; private ones to their members and to admins and owners. */
  async canSee(room: Room, user: UserRef): Promise<boolean> {
    if (room.visibility === 'public') return true;
    if (canSeeEveryRoom(user)) return true;
    return this.store.directory.isRoomMember(room.id, user.id);
  }

  private async roomView(room: Room): Promise<RoomView> {
    const channel = this.channels.get(room.id);
    const lastSeq = channel?.deliveredSeq ?? (await this.store.messages.lastSeq(room.id));
    return toRoomView(room, lastSeq, this.presence.count({ appId: room.appId, roomId: room.id }));
  }

  async visibleRooms(appId: AppId, user: UserRef): Promise<RoomView[]> {
    const rooms = await this.store.directory.listRooms(appId);
    const views: RoomView[] = [];
    for (const room of rooms) if (await this.canSee(room, user)) views.push(await this.roomView(room));
    return views;
  }

  // ---------------------------------------------------------------- authentication and sessions

  async authenticate(appId: AppId, credentials: Credentials): Promise<Principal> {
    const app = await this.getApp(appId);
    const principal = await this.auth.authenticate(app, credentials);
    const ban = await this.moderation.activeBan(appId, principal.user.id, this.clock.now());
    if (ban) throw new ParleyError('banned', ban.reason ? `You are banned: ${ban.reason}` : undefined);
    if (credentials.kind === 'guest' && this.guestOnline(appId, principal.user.id)) {
      // A nickname alone does not prove the guest is the same person.
      throw new ParleyError('conflict', 'That nickname is in use');
    }
    return principal;
  }

  /** Connected here, or present through another node (a guest who left this node may come back at once). */
  private guestOnline(appId: AppId, userId: number): boolean {
    return (
      this.sessionsByUser.has(userKey(appId, userId)) ||
      this.presence.presentElsewhere({ appId, roomId: null }, userId, this.nodeId)
    );
  }

  openSession(
    principal: Principal,
    sink: SessionSink,
    meta: SessionMeta = { transport: 'unknown', dialect: 'native' },
  ): EngineSession {
    if (this.stopping) throw new ParleyError('unavailable', 'The server is shutting down');
    // Checked again here, synchronously: two logins with one nickname can both pass authenticate().
    if (
      principal.via === 'guest' &&
      !principal.anonymous &&
      this.sessionsByUser.has(userKey(principal.appId, principal.user.id))
    ) {
      throw new ParleyError('conflict', 'That nickname is in use');
    }
    const session = new EngineSession(this, principal, sink, meta);
    this.sessions.add(session);
    addTo(this.sessionsByApp, principal.appId, session);
    if (meta.appPresence === true) addTo(this.appPresenceWatchers, principal.appId, session);
    if (!session.anonymous) this.userConnected(session);
    this.metrics.sessionOpened(meta.transport, meta.dialect);
    return session;
  }

  async openReader(
    appId: AppId,
    sink: SessionSink,
    meta: SessionMeta = { transport: 'unknown', dialect: 'native' },
  ): Promise<EngineSession> {
    await this.getApp(appId);
    const reader: User = { id: 0, appId, username: '', role: 'guest', kind: 'guest', createdAt: 0 };
    return this.openSession(
      { appId, user: reader, expiresAt: null, via: 'guest', anonymous: true },
      sink,
      meta,
    );
  }

  /** @internal Called by EngineSession.close(). */
  forgetSession(session: EngineSession, immediate = false): void {
    if (!this.sessions.delete(session)) return;
    removeFrom(this.sessionsByApp, session.appId, session);
    removeFrom(this.appPresenceWatchers, session.appId, session);
    if (!session.anonymous) this.userDisconnected(session, immediate);
    this.metrics.sessionClosed(session.meta.transport, session.meta.dialect);
  }

  /** App-wide presence: online with the first connection, offline a grace period after the last one. */
  private userConnected(session: EngineSession): void {
    const key = userKey(session.appId, session.user.id);
    const first = !this.sessionsByUser.has(key);
    addTo(this.sessionsByUser, key, session);
    if (!first) return;
    const pending = this.offlineTimers.get(key);
    if (pending) {
      clearTimeout(pending);
      this.offlineTimers.delete(key);
      return;
    }
    this.localPresence({ appId: session.appId, roomId: null, roomName: null }, session.user, true);
  }

  private userDisconnected(session: EngineSession, immediate: boolean): void {
    const key = userKey(session.appId, session.user.id);
    removeFrom(this.sessionsByUser, key, session);
    if (this.sessionsByUser.has(key) || this.stopping) return;
    const offline = () => {
      this.offlineTimers.delete(key);
      this.localPresence({ appId: session.appId, roomId: null, roomName: null }, session.user, false);
    };
    if (immediate || this.config.presenceGraceMs <= 0) return offline();
    const timer = setTimeout(offline, this.config.presenceGraceMs);
    timer.unref();
    this.offlineTimers.set(key, timer);
  }

  // ---------------------------------------------------------------- presence across the cluster

  /** A user became present, or stopped being, on this node: tell the other nodes and, if it changed the
   *  cluster-wide picture, this node's clients. */
  private localPresence(place: PresencePlace, user: UserRef, present: boolean, except?: Subscriber): void {
    this.applyPresence(place, user, present, this.nodeId, except);
    this.bus.publish({ type: 'presence', origin: this.nodeId, entry: { ...place, user }, online: present });
  }

  private applyPresence(
    place: PresencePlace,
    user: UserRef,
    present: boolean,
    node: string,
    except?: Subscriber,
  ) {
    const changed = present
      ? this.presence.add(place, user, node)
      : this.presence.remove(place, user.id, node);
    if (changed) this.announcePresence({ ...place, user }, present, except);
  }

  private announcePresence(entry: PresenceEntry, present: boolean, except?: Subscriber): void {
    if (entry.roomId === null) {
      const event: EngineEvent = { type: present ? 'user_online' : 'user_offline', user: entry.user };
      this.deliverTo(this.appPresenceWatchers.get(entry.appId), event);
      return;
    }
    const channel = this.channels.get(entry.roomId);
    if (!channel) return;
    const room = toRoomRef(channel.room);
    channel.broadcast({ type: present ? 'presence_join' : 'presence_leave', room, user: entry.user }, except);
  }

  /** Who is in a room, across the cluster: each user once. */
  roomOnline(room: Room): UserRef[] {
    return this.presence.users({ appId: room.appId, roomId: room.id });
  }

  private heartbeat(): void {
    this.bus.publish({ type: 'node_alive', origin: this.nodeId });
  }

  /**
   * Runs four times per heartbeat interval and drops a node silent for more than 2.75 intervals, so that a
   * dead node's presence is gone within 3 intervals of when it was last heard (the documented bound).
   */
  private dropSilentNodes(): void {
    const deadline = this.clock.now() - 2.75 * this.config.clusterHeartbeatMs;
    for (const [node, seen] of this.nodesSeen) {
      if (seen >= deadline) continue;
      this.nodesSeen.delete(node);
      this.logger.warn({ node }, 'node not heard from: dropping its presence');
      this.replacePresenceOf(node, []);
    }
  }

  private replacePresenceOf(node: string, entries: PresenceEntry[]): void {
    const { joined, left } = this.presence.replaceNode(node, entries);
    for (const entry of left) this.announcePresence(entry, false);
    for (const entry of joined) this.announcePresence(entry, true);
  }

  private sendSnapshot(to: string | null): void {
    this.bus.publish({
      type: 'presence_snapshot',
      origin: this.nodeId,
      to,
      entries: this.presence.entriesOf(this.nodeId),
    });
  }

  async register(appId: AppId, username: string, password: string): Promise<IssuedToken> {
    return this.auth.register(await this.getApp(appId), username, password);
  }

  async login(appId: AppId, username: string, password: string): Promise<IssuedToken> {
    const issued = await this.auth.login(await this.getApp(appId), username, password);
    const ban = await this.moderation.activeBan(appId, issued.user.id, this.clock.now());
    if (ban) throw new ParleyError('banned');
    return issued;
  }

  // ---------------------------------------------------------------- room channels

  /** @internal The live channel of a room, created on first use and dropped when nobody is left. */
  async channel(room: Room): Promise<RoomChannel> {
    let channel = this.channels.get(room.id);
    if (!channel) {
      const created: RoomChannel = new RoomChannel(
        room,
        {
          presenceGraceMs: this.config.presenceGraceMs,
          onPresence: (channel, user, present, except) =>
            this.localPresence(
              { appId: channel.room.appId, roomId: channel.room.id, roomName: channel.room.name },
              user,
              present,
              except,
            ),
          backfillDelayMs: this.config.backfillDelayMs,
          loadAfter: async (roomId: number, afterSeq: number, limit: number): Promise<MessageView[]> => {
            const messages = await this.store.messages.range(roomId, { afterSeq, limit });
            return messages.map((m) => toMessageView(m, created.room.name));
          },
          onEmpty: (c) => {
            if (this.channels.get(c.room.id) === c) this.channels.delete(c.room.id);
          },
          onDelivered: (count) => this.metrics.messagesOut(count),
          logError: (err) => this.logger.error({ err }, 'room backfill failed'),
        },
        this.store.messages.lastSeq(room.id),
      );
      channel = created;
      this.channels.set(room.id, channel);
      channel.ready.catch(() => {
        if (this.channels.get(room.id) === created) this.channels.delete(room.id);
      });
    }
    await channel.ready;
    return channel;
  }

  existingChannel(roomId: number): RoomChannel | undefined {
    return this.channels.get(roomId);
  }

  // ---------------------------------------------------------------- posting

  /**
   * The one path of every message: checks (ban, guest rights, flood, slash commands, mute, length), commit,
   * then fan-out to this node's subscribers and once to the other nodes. Nothing is acknowledged or fanned
   * out before the store has committed it.
   */
  async post(input: {
    app: App;
    room: Room;
    author: UserRef;
    text: unknown;
    clientMsgId: unknown;
    commands: boolean;
    kind?: 'text' | 'me';
    flood: boolean;
    session?: EngineSession;
  }): Promise<SendResult> {
    const { app, room, author } = input;
    const now = this.clock.now();
    const ban = await this.moderation.activeBan(app.id, author.id, now);
    if (ban) throw new ParleyError('banned');
    if (author.role === 'guest' && !app.settings.guestsCanWrite) throw new ParleyError('guest_read_only');
    const clientMsgId = checkClientMsgId(input.clientMsgId);
    if (typeof input.text !== 'string')
      throw new ParleyError('bad_request', 'text must be a string', { field: 'text' });
    if (input.flood) {
      const taken = this.flood.take(userKey(app.id, author.id), app.settings.flood, now);
      if (!taken.ok) throw new ParleyError('rate_limited', undefined, { retryAfterMs: taken.retryAfterMs });
    }
    let text = checkMessageText(input.text, app.settings.maxMessageLength);
    let kind: 'text' | 'me' = input.kind ?? 'text';
    if (input.commands && kind === 'text') {
      const parsed = parseText(text);
      if (parsed.kind === 'invalid')
        return this.commandReply(input.session, room, 'invalid', parsed.usage, 'bad_request');
      if (parsed.kind === 'command' && parsed.command.kind !== 'me') {
        return this.runCommand(app, room, author, parsed.command, input.session);
      }
      if (parsed.kind === 'command' && parsed.command.kind === 'me') {
        kind = 'me';
        text = parsed.command.action;
      } else if (parsed.kind === 'text') text = parsed.text;
    }
    if (!isStaff(author.role)) {
      const mute = await this.moderation.activeMute(app.id, author.id, room.id, now);
      if (mute) {
        throw new ParleyError('muted', `You are muted ${describeDuration(mute.expiresAt, now)}`, {
          expiresAt: mute.expiresAt,
        });
      }
    }
    const html = kind === 'me' ? renderInline(text) : renderMarkdown(text);
    this.metrics.messageIn();
    const appended = await this.track(
      this.store.messages.append({
        appId: app.id,
        roomId: room.id,
        kind,
        authorId: author.id,
        text,
        html,
        clientMsgId,
        createdAt: now,
      }),
    );
    const message = toMessageView(appended.message, room.name);
    if (!appended.duplicate) this.fanOutMessage(room, message);
    return { kind: 'message', message, duplicate: appended.duplicate };
  }

  private fanOutMessage(room: Room, message: MessageView): void {
    const started = performance.now();
    const event: EngineEvent = { type: 'message', room: toRoomRef(room), message };
    this.channels.get(room.id)?.acceptMessage(event);
    this.bus.publish({ type: 'room_event', origin: this.nodeId, appId: room.appId, roomId: room.id, event });
    this.metrics.fanoutLatency(performance.now() - started);
  }

  private commandReply(
    session: EngineSession | undefined,
    room: Room,
    command: string,
    text: string,
    error: ErrorCode | null,
  ): SendResult {
    session?.deliverDirect({ type: 'system', room: toRoomRef(room), text });
    return { kind: 'command', command, text, error };
  }

  private async runCommand(
    app: App,
    room: Room,
    author: UserRef,
    command: Exclude<Command, { kind: 'me' }>,
    session: EngineSession | undefined,
  ): Promise<SendResult> {
    try {
      const text = await runSlashCommand(this.moderator, app.id, author, command, this.clock.now());
      return this.commandReply(session, room, command.kind, text, null);
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code === 'internal' || err.code === 'unavailable') throw err;
      return this.commandReply(session, room, command.kind, err.message, err.code);
    }
  }

  async editMessage(
    app: App,
    room: Room,
    actor: UserRef,
    messageId: unknown,
    text: unknown,
  ): Promise<MessageView> {
    const message = await this.getMessage(room, messageId);
    if (message.author?.id !== actor.id)
      throw new ParleyError('forbidden', 'You can only edit your own messages');
    if (message.deletedAt !== null) throw new ParleyError('not_found', 'The message was deleted');
    const checked = checkMessageText(text, app.settings.maxMessageLength);
    const html = message.kind === 'me' ? renderInline(checked) : renderMarkdown(checked);
    const edited = await this.track(
      this.store.messages.edit(room.id, message.id, checked, html, this.clock.now()),
    );
    const view = toMessageView(edited, room.name);
    this.roomEvent(room, { type: 'message_edited', room: toRoomRef(room), message: view });
    return view;
  }

  async removeMessage(room: Room, actor: Actor, messageId: unknown): Promise<MessageView> {
    const message = await this.getMessage(room, messageId);
    const own = actor.kind === 'user' && message.author?.id === actor.user.id;
    if (!own && actor.kind === 'user' && !isStaff(actor.user.role)) {
      throw new ParleyError('forbidden', 'You can only delete your own messages');
    }
    if (message.deletedAt !== null) return toMessageView(message, room.name);
    const removed = await this.track(this.store.messages.remove(room.id, message.id, this.clock.now()));
    const view = toMessageView(removed, room.name);
    this.roomEvent(room, { type: 'message_deleted', room: toRoomRef(room), message: view });
    if (!own) {
      await this.moderator.record(room.appId, 'delete_message', actor, message.author?.id ?? null, room.id, {
        messageId: message.id,
        seq: message.seq,
      });
    }
    return view;
  }

  private async getMessage(room: Room, messageId: unknown) {
    if (typeof messageId !== 'number' || !Number.isInteger(messageId) || messageId < 1) {
      throw new ParleyError('bad_request', 'id must be a message id', { field: 'id' });
    }
    const message = await this.store.messages.get(room.id, messageId);
    if (!message) throw new ParleyError('not_found', 'No such message in this room');
    return message;
  }

  /**
   * What a join hands back: the newest messages, or everything after the client's last seq, or, when that is
   * more than the app's replay limit, the newest messages and an explicit gap to page back through.
   */
  async replay(
    room: Room,
    app: App,
    sinceSeq?: number,
  ): Promise<{ messages: MessageView[]; gap: Gap | null; lastSeq: number }> {
    const last = await this.store.messages.lastSeq(room.id);
    const view = (list: Message[]) => list.map((m) => toMessageView(m, room.name));
    const newest = async (limit: number) =>
      limit > 0 ? view(await this.store.messages.range(room.id, { limit })) : [];
    const upTo = (messages: MessageView[]) => Math.max(last, messages[messages.length - 1]?.seq ?? 0);
    if (sinceSeq === undefined) {
      const messages = await newest(app.settings.joinHistory);
      return { messages, gap: null, lastSeq: upTo(messages) };
    }
    if (sinceSeq >= last) return { messages: [], gap: null, lastSeq: last };
    const missed = last - sinceSeq;
    if (missed <= app.settings.replayLimit) {
      const messages = view(await this.store.messages.range(room.id, { afterSeq: sinceSeq, limit: missed }));
      return { messages, gap: null, lastSeq: upTo(messages) };
    }
    const messages = await newest(Math.min(app.settings.joinHistory, app.settings.replayLimit));
    const beforeSeq = messages[0]?.seq ?? last + 1;
    return {
      messages,
      gap: { afterSeq: sinceSeq, beforeSeq, missed: beforeSeq - sinceSeq - 1 },
      lastSeq: upTo(messages),
    };
  }

  describeRoom(room: Room): Promise<RoomView> {
    return this.roomView(room);
  }

  async roomHistory(room: Room, query: HistoryQuery): Promise<HistoryPage> {
    const limit = checkLimit(query.limit);
    const before = checkCursor(query.before, 'before');
    const after = checkCursor(query.after, 'after');
    if (before !== undefined && after !== undefined) {
      throw new ParleyError('bad_request', 'give before or after, not both', { field: 'before' });
    }
    const rangeQuery: { afterSeq?: number; beforeSeq?: number; limit: number } = { limit };
    if (before !== undefined) rangeQuery.beforeSeq = before;
    if (after !== undefined) rangeQuery.afterSeq = after;
    const messages = (await this.store.messages.range(room.id, rangeQuery)).map((m) =>
      toMessageView(m, room.name),
    );
    let nextCursor: number | null = null;
    if (messages.length === limit) {
      nextCursor =
        after !== undefined ? (messages[messages.length - 1]?.seq ?? null) : (messages[0]?.seq ?? null);
    }
    return { messages, nextCursor };
  }

  // ---------------------------------------------------------------- fan-out helpers

  /** An event for everyone in a room, here and on the other nodes. */
  roomEvent(room: Room, event: EngineEvent, except?: EngineSession): void {
    this.channels.get(room.id)?.broadcast(event, except);
    this.bus.publish({ type: 'room_event', origin: this.nodeId, appId: room.appId, roomId: room.id, event });
  }

  /**
   * An event for every session of an app, here and on the other nodes; with an audience, only for those
   * users (and the app's admins and owners): that is how private rooms stay unknown to non-members.
   */
  appEvent(appId: AppId, event: EngineEvent, audience?: readonly number[]): void {
    this.deliverToApp(appId, event, audience);
    this.bus.publish({
      type: 'app_event',
      origin: this.nodeId,
      appId,
      event,
      ...(audience ? { audience } : {}),
    });
  }

  /** @internal Called by EngineSession.watchOnline(). */
  watchAppPresence(session: EngineSession): void {
    if (this.sessions.has(session)) addTo(this.appPresenceWatchers, session.appId, session);
  }

  private deliverTo(sessions: ReadonlySet<EngineSession> | undefined, event: EngineEvent): void {
    if (!sessions) return;
    for (const session of sessions) session.deliverDirect(event);
    this.metrics.messagesOut(sessions.size);
  }

  private deliverToApp(appId: AppId, event: EngineEvent, audience?: readonly number[]): void {
    const sessions = this.sessionsByApp.get(appId);
    if (!audience) return this.deliverTo(sessions, event);
    if (!sessions) return;
    let count = 0;
    for (const session of sessions) {
      if (!audience.includes(session.user.id) && !canSeeEveryRoom(session.user)) continue;
      session.deliverDirect(event);
      count += 1;
    }
    this.metrics.messagesOut(count);
  }

  /** Who hears of a room's creation, change or removal: everyone for a public room, members for a private one. */
  private async roomAudience(room: Room): Promise<readonly number[] | undefined> {
    return room.visibility === 'private' ? this.store.directory.listRoomMembers(room.id) : undefined;
  }

  private disconnectUser(appId: AppId, userId: number, reason: DisconnectReason): void {
    for (const session of [...(this.sessionsByUser.get(userKey(appId, userId)) ?? [])]) {
      session.terminate(disconnect(reason));
    }
  }

  private onBusMessage(message: BusMessage): void {
    if (message.type === 'resync') {
      // The link to the other nodes is back: catch up from storage and exchange presence again.
      for (const channel of this.channels.values()) channel.resync();
      this.sendSnapshot(null);
      this.bus.publish({ type: 'hello', origin: this.nodeId });
      return;
    }
    if (message.origin === this.nodeId) return;
    this.nodesSeen.set(message.origin, this.clock.now());
    switch (message.type) {
      case 'room_event': {
        const channel = this.channels.get(message.roomId);
        this.applyRemoteEvent(message.appId, message.event);
        if (!channel) return;
        if (message.event.type === 'message') channel.acceptMessage(message.event);
        else channel.broadcast(message.event);
        return;
      }
      case 'app_event':
        this.applyRemoteEvent(message.appId, message.event);
        this.deliverToApp(message.appId, message.event, message.audience);
        return;
      case 'user_event':
        for (const session of this.sessionsByUser.get(userKey(message.appId, message.userId)) ?? []) {
          session.deliverDirect(message.event);
        }
        return;
      case 'disconnect_user':
        this.disconnectUser(message.appId, message.userId, message.reason);
        return;
      case 'presence':
        this.applyPresence(message.entry, message.entry.user, message.online, message.origin);
        return;
      case 'node_alive':
        return;
      case 'app_changed':
        this.apps.delete(message.appId);
        return;
      case 'role_changed':
        this.applyRole(message.appId, message.userId, message.role);
        return;
      case 'hello':
        this.sendSnapshot(message.origin);
        return;
      case 'presence_snapshot':
        if (message.to === null || message.to === this.nodeId)
          this.replacePresenceOf(message.origin, message.entries);
        return;
    }
  }

  /** Keeps this node's caches in step with changes made on another node. */
  private applyRemoteEvent(appId: AppId, event: EngineEvent): void {
    const now = this.clock.now();
    switch (event.type) {
      case 'muted':
        void this.moderation.applyMute({
          appId,
          userId: event.user.id,
          roomId: event.room?.id ?? null,
          expiresAt: event.expiresAt,
          reason: event.reason,
          by: event.by?.id ?? null,
          createdAt: now,
        });
        return;
      case 'unmuted':
        void this.moderation.applyUnmute(appId, event.user.id, event.room?.id ?? null);
        return;
      case 'banned':
        void this.moderation.applyBan({
          appId,
          userId: event.user.id,
          expiresAt: event.expiresAt,
          reason: event.reason,
          by: event.by?.id ?? null,
          createdAt: now,
        });
        return;
      case 'unbanned':
        void this.moderation.applyUnban(appId, event.user.id);
        return;
      case 'room_updated': {
        const channel = this.channels.get(event.room.id);
        if (channel)
          channel.room = {
            ...channel.room,
            name: event.room.name,
            visibility: event.room.visibility,
            topic: event.room.topic,
          };
        return;
      }
      case 'room_deleted':
        this.dropChannel(event.room.id);
        return;
      default:
        return;
    }
  }

  private dropChannel(roomId: number): void {
    const channel = this.channels.get(roomId);
    if (!channel) return;
    for (const subscriber of [...channel.subscribers]) {
      if (subscriber instanceof EngineSession) subscriber.forgetRoom(roomId);
    }
    channel.clear();
    this.channels.delete(roomId);
  }

  // ---------------------------------------------------------------- moderation by the operator (admin API)

  mute(appId: AppId, username: string, opts: MuteOptions): Promise<Mute> {
    return this.moderator.mute(appId, username, opts, OPERATOR);
  }

  unmute(appId: AppId, username: string, opts: { room?: string }): Promise<void> {
    return this.moderator.unmute(appId, username, opts, OPERATOR);
  }

  ban(appId: AppId, username: string, opts: { minutes?: number; reason?: string }): Promise<Ban> {
    return this.moderator.ban(appId, username, opts, OPERATOR);
  }

  unban(appId: AppId, username: string): Promise<void> {
    return this.moderator.unban(appId, username, OPERATOR);
  }

  kick(appId: AppId, username: string, opts: { reason?: string }): Promise<void> {
    return this.moderator.kick(appId, username, opts, OPERATOR);
  }

  disconnectEverywhere(appId: AppId, userId: number, reason: 'kicked' | 'banned'): void {
    this.disconnectUser(appId, userId, reason);
    this.bus.publish({ type: 'disconnect_user', origin: this.nodeId, appId, userId, reason });
  }

  async listMutes(appId: AppId): Promise<Mute[]> {
    await this.getApp(appId);
    return this.moderation.mutes(appId, this.clock.now());
  }

  /** The mutes in force with the muted users' names (for moderators' lists). */
  async namedMutes(appId: AppId): Promise<NamedMute[]> {
    const mutes = await this.listMutes(appId);
    const ids = [...new Set(mutes.map((mute) => mute.userId))];
    const users = new Map<number, string>();
    for (const user of await Promise.all(ids.map((id) => this.store.directory.getUser(appId, id)))) {
      if (user) users.set(user.id, user.username);
    }
    return mutes.flatMap((mute) => {
      const username = users.get(mute.userId);
      return username === undefined ? [] : [{ ...mute, username }];
    });
  }

  async listBans(appId: AppId): Promise<Ban[]> {
    await this.getApp(appId);
    return this.store.directory.listBans(appId, this.clock.now());
  }

  async listModeration(appId: AppId, opts: { limit: number; beforeId?: number }) {
    await this.getApp(appId);
    return this.store.directory.listModeration(appId, opts);
  }

  // ---------------------------------------------------------------- rooms (sessions and the admin API)

  async createRoomAs(
    appId: AppId,
    input: { name: string; visibility?: RoomVisibility; topic?: string },
    creator: UserRef | null,
    how: RoomCreation = 'explicit',
  ): Promise<RoomView> {
    const name = checkRoomName(input.name);
    const visibility = input.visibility ?? 'public';
    if (visibility !== 'public' && visibility !== 'private') {
      throw new ParleyError('bad_request', 'visibility must be public or private', { field: 'visibility' });
    }
    const topic = checkTopic(input.topic);
    if (creator && !mayCreateRoom(creator.role, how, name, (await this.getApp(appId)).settings)) {
      throw new ParleyError('forbidden', 'Guests cannot create rooms');
    }
    const room = await this.track(
      this.store.directory.createRoom(
        appId,
        { name, visibility, topic, createdBy: creator?.id ?? null },
        this.clock.now(),
      ),
    );
    if (creator && visibility === 'private') await this.store.directory.addRoomMember(room.id, creator.id);
    const view = toRoomView(room, 0, 0);
    this.appEvent(appId, { type: 'room_created', room: view }, await this.roomAudience(room));
    return view;
  }

  async createRoom(appId: AppId, input: { name: string; visibility?: RoomVisibility; topic?: string }) {
    await this.getApp(appId);
    return this.createRoomAs(appId, input, null);
  }

  async updateRoom(
    appId: AppId,
    name: string,
    patch: { name?: string; visibility?: RoomVisibility; topic?: string },
  ) {
    const room = await this.findRoom(appId, name);
    const clean: { name?: string; visibility?: RoomVisibility; topic?: string } = {};
    if (patch.name !== undefined) clean.name = checkRoomName(patch.name);
    if (patch.visibility !== undefined) {
      if (patch.visibility !== 'public' && patch.visibility !== 'private') {
        throw new ParleyError('bad_request', 'visibility must be public or private', { field: 'visibility' });
      }
      clean.visibility = patch.visibility;
    }
    if (patch.topic !== undefined) clean.topic = checkTopic(patch.topic);
    const updated = await this.track(this.store.directory.updateRoom(appId, room.id, clean));
    const channel = this.channels.get(room.id);
    if (channel) channel.room = updated;
    const view = await this.roomView(updated);
    // Everyone who could see the room before or can see it after hears of the change: a room that was and
    // stays private is news to its members only.
    const audience = room.visibility === 'private' ? await this.roomAudience(updated) : undefined;
    this.appEvent(appId, { type: 'room_updated', room: view }, audience);
    return view;
  }

  async deleteRoom(appId: AppId, name: string): Promise<void> {
    const room = await this.findRoom(appId, name);
    const audience = await this.roomAudience(room);
    await this.track(this.store.directory.deleteRoom(appId, room.id));
    this.dropChannel(room.id);
    this.appEvent(appId, { type: 'room_deleted', room: toRoomRef(room) }, audience);
  }

  async addRoomMember(appId: AppId, roomName: string, username: string): Promise<void> {
    const room = await this.findRoom(appId, roomName);
    const user = await this.findUser(appId, username);
    await this.track(this.store.directory.addRoomMember(room.id, user.id));
    if (room.visibility === 'private') {
      const view = await this.roomView(room);
      const event: EngineEvent = { type: 'room_created', room: view };
      for (const session of this.sessionsByUser.get(userKey(appId, user.id)) ?? [])
        session.deliverDirect(event);
      this.bus.publish({ type: 'user_event', origin: this.nodeId, appId, userId: user.id, event });
    }
  }

  // ---------------------------------------------------------------- administration

  async listApps(): Promise<App[]> {
    return this.store.directory.listApps();
  }

  async createApp(input: { name: string; settings?: Partial<App['settings']> }): Promise<App> {
    const name = checkAppName(input.name);
    return this.track(
      this.store.directory.createApp(
        name,
        mergeSettings(DEFAULT_APP_SETTINGS, input.settings ?? {}),
        this.clock.now(),
      ),
    );
  }

  private applyRole(appId: AppId, userId: number, role: Role): void {
    for (const session of this.sessionsByUser.get(userKey(appId, userId)) ?? []) session.setRole(role);
  }

  async updateApp(appId: AppId, patch: AppPatch): Promise<App> {
    // Read from storage, not the cache: another node may have changed other settings meanwhile.
    const app = await this.store.directory.getApp(appId);
    if (!app) throw new ParleyError('not_found', 'No such app');
    const update: { name?: string; settings?: App['settings'] } = {};
    if (patch.name !== undefined) update.name = checkAppName(patch.name);
    if (patch.settings !== undefined) update.settings = mergeSettings(app.settings, patch.settings);
    const updated = await this.track(this.store.directory.updateApp(appId, update));
    this.apps.set(appId, Promise.resolve(updated));
    this.bus.publish({ type: 'app_changed', origin: this.nodeId, appId });
    return updated;
  }

  async createUser(appId: AppId, input: { username: string; password?: string; role?: Role }): Promise<User> {
    await this.getApp(appId);
    const username = checkUsername(input.username);
    const role = input.role ?? 'member';
    if (!isRole(role)) throw new ParleyError('bad_request', 'unknown role', { field: 'role' });
    const passwordHash = input.password === undefined ? null : await this.auth.hashPassword(input.password);
    return this.track(
      this.store.directory.createUser(
        appId,
        { username, role, kind: passwordHash ? 'account' : 'external', passwordHash },
        this.clock.now(),
      ),
    );
  }

  async setUserRole(appId: AppId, username: string, role: Role): Promise<User> {
    if (!isRole(role)) throw new ParleyError('bad_request', 'unknown role', { field: 'role' });
    const user = await this.findUser(appId, username);
    const updated = await this.track(this.store.directory.setUserRole(appId, user.id, role));
    await this.moderator.record(appId, 'role', { kind: 'operator' }, user.id, null, { role });
    this.applyRole(appId, user.id, role);
    this.bus.publish({ type: 'role_changed', origin: this.nodeId, appId, userId: user.id, role });
    return updated;
  }

  async listUsers(appId: AppId, opts: { limit: number; afterId?: number }): Promise<User[]> {
    await this.getApp(appId);
    return this.store.directory.listUsers(appId, opts);
  }

  async issueToken(appId: AppId, username: string, ttlSeconds?: number): Promise<IssuedToken> {
    return this.auth.issueToken(await this.getApp(appId), username, ttlSeconds);
  }

  async listRooms(appId: AppId): Promise<RoomView[]> {
    await this.getApp(appId);
    const rooms = await this.store.directory.listRooms(appId);
    return Promise.all(rooms.map((room) => this.roomView(room)));
  }

  async history(appId: AppId, room: string, query: HistoryQuery): Promise<HistoryPage> {
    await this.getApp(appId);
    return this.roomHistory(await this.findRoom(appId, room), query);
  }

  async publish(
    appId: AppId,
    roomName: string,
    input: { username: string; text: string; clientMsgId?: string },
  ) {
    const app = await this.getApp(appId);
    const room = await this.findRoom(appId, roomName);
    const username = checkUsername(input.username);
    let user = await this.store.directory.findUserByName(appId, username);
    if (!user) {
      try {
        user = await this.store.directory.createUser(
          appId,
          { username, role: 'member', kind: 'external', passwordHash: null },
          this.clock.now(),
        );
      } catch (err) {
        if (!(err instanceof ParleyError && err.code === 'conflict')) throw err;
        user = await this.findUser(appId, username);
      }
    }
    return this.post({
      app,
      room,
      author: refOf(user),
      text: input.text,
      clientMsgId: input.clientMsgId,
      commands: false,
      flood: false,
    });
  }

  async deleteMessage(appId: AppId, roomName: string, messageId: number): Promise<MessageView> {
    return this.removeMessage(await this.findRoom(appId, roomName), { kind: 'operator' }, messageId);
  }

  /**
   * Who is connected to the app, across the cluster. `connections` counts this node's connections and each
   * other node where the user is present once.
   */
  online(appId: AppId): OnlineUser[] {
    return this.presence.users({ appId, roomId: null }).map((user) => {
      const local = this.sessionsByUser.get(userKey(appId, user.id))?.size ?? 0;
      const remoteNodes = this.presence.nodesOf({ appId, roomId: null }, user.id) - (local > 0 ? 1 : 0);
      return { user, rooms: this.presence.roomsOf(appId, user.id), connections: local + remoteNodes };
    });
  }

  stats(): { sessions: number; rooms: number } {
    return { sessions: this.sessions.size, rooms: this.channels.size };
  }

  /** Counts a write until it settles, so that shutdown can wait for it. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const forget = () => this.inflight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.heartbeatTimer);
    clearInterval(this.silenceTimer);
    this.moderator.stop();
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
    for (const session of [...this.sessions]) session.terminate(disconnect('shutdown'));
    await Promise.allSettled([...this.inflight]);
    for (const channel of this.channels.values()) channel.clear();
    this.channels.clear();
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** @internal For sessions: refresh credentials to the same user. */
  async reauthenticate(appId: AppId, credentials: Credentials): Promise<Principal> {
    const app = await this.getApp(appId);
    return this.auth.authenticate(app, credentials);
  }
}

/** Admins and owners see private rooms without being members. */
function canSeeEveryRoom(user: UserRef): boolean {
  return user.role === 'admin' || user.role === 'owner';
}

function userKey(appId: AppId, userId: number): string {
  return `${appId}:${userId}`;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

function checkLimit(value: unknown): number {
  if (value === undefined || value === null) return HISTORY_DEFAULT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > HISTORY_MAX) {
    throw new ParleyError('bad_request', `limit must be a whole number from 1 to ${HISTORY_MAX}`, {
      field: 'limit',
    });
  }
  return value;
}

function checkCursor(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ParleyError('bad_request', `${field} must be a seq (a whole number)`, { field });
  }
  return value;
}

function checkTopic(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > 500) {
    throw new ParleyError('bad_request', 'topic must be at most 500 characters', { field: 'topic' });
  }
  return value.trim();
}

function checkAppName(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 100) {
    throw new ParleyError('bad_request', 'name must be 1-100 characters', { field: 'name' });
  }
  return value.trim();
}
