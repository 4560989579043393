import { checkAppName, DEFAULT_APP_SETTINGS, mergeSettings } from '../core/apps.js';
import { ParleyError } from '../core/errors.js';
import { noSuchApp } from '../core/failures.js';
import type { IssuedToken } from '../core/identity.js';
import { checkUsername } from '../core/names.js';
import { checkRole, type Role } from '../core/roles.js';
import type {
  App,
  AppId,
  AppSettings,
  AppSettingsPatch,
  Ban,
  ModerationRecord,
  Mute,
  User,
} from '../core/types.js';
import type {
  AppPatch,
  EngineAccessAdmin,
  EngineDataAdmin,
  EngineAdmin,
  HistoryPage,
  HistoryQuery,
  MuteOptions,
  NamedMute,
  OnlineUser,
  ReactionInput,
  ReactionResult,
  SearchPage,
  SearchQuery,
  SendResult,
  UserUnread,
} from './api.js';
import type { ShadowMute } from './ports/reportStore.js';
import type { Reports } from './reports.js';
import type { QueueEntryView, QueuePage, QueueQuery, ResolveInput } from './reportViews.js';
import type { ShadowMutes } from './shadowMutes.js';
import type { Broadcast } from './broadcast.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { MessageView, PinView, RoomView } from './events.js';
import type { Identity } from './identity.js';
import type { Messages } from './messages.js';
import type { ModerationCache } from './moderationCache.js';
import type { Dms } from './dms.js';
import type { Actor } from './moderation.js';
import type { Moderator } from './moderator.js';
import type { Pins } from './pins.js';
import type { Presence } from './presence.js';
import type { Profiles } from './profiles.js';
import type { Replies } from './replies.js';
import type { Reactions } from './reactions.js';
import type { ReadState } from './readState.js';
import type { RoomInput, RoomPatch, Rooms } from './rooms.js';
import type { Search } from './search.js';
import type { StorageHealthView } from './storageHealth.js';
import { refOf } from './views.js';
import type { WebhookEvents } from './webhookEvents.js';

const OPERATOR: Actor = { kind: 'operator' };

export interface AdminParts {
  catalog: Catalog;
  identity: Identity;
  rooms: Rooms;
  messages: Messages;
  moderator: Moderator;
  moderation: ModerationCache;
  broadcast: Broadcast;
  presence: Presence;
  replies: Replies;
  pins: Pins;
  /** Sessions and live channels on this node. */
  stats(): { sessions: number; rooms: number };
  storageHealth(): StorageHealthView;
  reactions: Pick<Reactions, 'forUser'>;
  reads: ReadState;
  search: Search;
  dms: Pick<Dms, 'openBetween'>;
  profiles: Pick<Profiles, 'setByOperator'>;
  reportQueue: Pick<Reports, 'queue' | 'resolve'>;
  shadowMutes: Pick<ShadowMutes, 'mute' | 'unmute'>;
  /** `user.created` for the users the operator creates, written in the user's transaction. */
  events?: Pick<WebhookEvents, 'userCreated' | 'queued'>;
}

/** The operator's bot operations, answered by the bots' parts (bots.ts, botCommands.ts). */
type BotAdminOperation = 'createBot' | 'listBots' | 'updateBot' | 'deleteBot' | 'rotateBotKey' | 'botPost';

/** What the operator may do (the HTTP admin API and the CLI), holding the admin key: above every role. */
export class Admin implements Omit<
  EngineAdmin,
  | keyof EngineAccessAdmin
  | keyof EngineDataAdmin
  | 'userStrikes'
  | 'testFilter'
  | 'attachments'
  | 'webhooks'
  | BotAdminOperation
> {
  readonly nodeId: string;

  constructor(
    private readonly ctx: EngineContext,
    private readonly parts: AdminParts,
  ) {
    this.nodeId = ctx.nodeId;
  }

  // ---------------------------------------------------------------- apps and users

  getApp(appId: AppId): Promise<App> {
    return this.parts.catalog.getApp(appId);
  }

  listApps(): Promise<App[]> {
    return this.ctx.store.directory.listApps();
  }

  async createApp(input: { name: string; settings?: AppSettingsPatch }): Promise<App> {
    const name = checkAppName(input.name);
    const settings = mergeSettings(DEFAULT_APP_SETTINGS, input.settings ?? {});
    return this.ctx.track(this.ctx.store.directory.createApp(name, settings, this.ctx.clock.now()));
  }

  async updateApp(appId: AppId, patch: AppPatch): Promise<App> {
    // Read from storage, not the cache: another node may have changed other settings meanwhile.
    const app = await this.ctx.store.directory.getApp(appId);
    if (!app) throw noSuchApp();
    const update: { name?: string; settings?: AppSettings } = {};
    if (patch.name !== undefined) update.name = checkAppName(patch.name);
    if (patch.settings !== undefined) update.settings = mergeSettings(app.settings, patch.settings);
    const updated = await this.ctx.track(this.ctx.store.directory.updateApp(appId, update));
    this.parts.catalog.rememberApp(updated);
    this.parts.broadcast.appChanged(appId);
    return updated;
  }

  async createUser(appId: AppId, input: { username: string; password?: string; role?: Role }): Promise<User> {
    await this.getApp(appId);
    const username = checkUsername(input.username);
    const role = checkRole(input.role ?? 'member');
    const passwordHash =
      input.password === undefined ? null : await this.parts.identity.hashPassword(input.password);
    const kind = passwordHash ? 'account' : 'external';
    const outbox = await this.parts.events?.userCreated(appId);
    const user = await this.ctx.track(
      this.ctx.store.directory.createUser(
        appId,
        { username, role, kind, passwordHash },
        this.ctx.clock.now(),
        outbox,
      ),
    );
    if (outbox) this.parts.events?.queued();
    return user;
  }

  async setUserRole(appId: AppId, username: string, role: Role): Promise<User> {
    checkRole(role);
    const user = await this.parts.catalog.findUser(appId, username);
    const updated = await this.ctx.track(this.ctx.store.directory.setUserRole(appId, user.id, role));
    await this.parts.moderator.record(appId, 'role', OPERATOR, user.id, null, { role });
    this.parts.broadcast.roleChanged(appId, user.id, role);
    return updated;
  }

  setUserProfile(
    appId: AppId,
    username: string,
    profile: { displayName?: string | null; avatarUrl?: string | null },
  ): Promise<User> {
    return this.parts.profiles.setByOperator(appId, username, profile);
  }

  async listUsers(appId: AppId, opts: { limit: number; afterId?: number }): Promise<User[]> {
    await this.getApp(appId);
    return this.ctx.store.directory.listUsers(appId, opts);
  }

  issueToken(appId: AppId, username: string, ttlSeconds?: number): Promise<IssuedToken> {
    return this.parts.identity.issueToken(appId, username, ttlSeconds);
  }

  register(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken> {
    return this.parts.identity.register(appId, username, password, address);
  }

  login(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken> {
    return this.parts.identity.login(appId, username, password, address);
  }

  // ---------------------------------------------------------------- rooms and messages

  async listRooms(appId: AppId): Promise<RoomView[]> {
    await this.getApp(appId);
    return this.parts.catalog.allRooms(appId);
  }

  async createRoom(appId: AppId, input: RoomInput): Promise<RoomView> {
    await this.getApp(appId);
    return this.parts.rooms.create(appId, input, null);
  }

  updateRoom(appId: AppId, room: string, patch: RoomPatch): Promise<RoomView> {
    return this.parts.rooms.update(appId, room, patch);
  }

  deleteRoom(appId: AppId, room: string): Promise<void> {
    return this.parts.rooms.delete(appId, room);
  }

  addRoomMember(appId: AppId, room: string, username: string): Promise<void> {
    return this.parts.rooms.addMember(appId, room, username);
  }

  async history(appId: AppId, room: string, query: HistoryQuery): Promise<HistoryPage> {
    await this.getApp(appId);
    return this.parts.messages.history(await this.parts.catalog.findRoom(appId, room), query);
  }

  /** A server-side publish through the same path as a client's send; the author is created when new. */
  async publish(
    appId: AppId,
    roomName: string,
    input: { username: string; text: string; clientMsgId?: string; replyTo?: number },
  ): Promise<SendResult> {
    const app = await this.getApp(appId);
    const room = await this.parts.catalog.findRoom(appId, roomName);
    const username = checkUsername(input.username);
    const directory = this.ctx.store.directory;
    let user = await directory.findUserByName(appId, username);
    if (!user) {
      try {
        const external = { username, role: 'member', kind: 'external', passwordHash: null } as const;
        user = await directory.createUser(appId, external, this.ctx.clock.now());
      } catch (err) {
        if (!(err instanceof ParleyError && err.code === 'conflict')) throw err;
        user = await this.parts.catalog.findUser(appId, username);
      }
    }
    const author = refOf(user);
    const { text, clientMsgId, replyTo: parentId } = input;
    return this.parts.messages.post({
      ...{ app, room, author, text, clientMsgId, parentId },
      commands: false,
      trusted: true,
    });
  }

  async deleteMessage(appId: AppId, roomName: string, messageId: number): Promise<MessageView> {
    return this.parts.messages.remove(
      await this.parts.catalog.findRoom(appId, roomName),
      OPERATOR,
      messageId,
    );
  }

  async replies(appId: AppId, room: string, messageId: number, query: HistoryQuery): Promise<HistoryPage> {
    await this.getApp(appId);
    return this.parts.replies.thread(await this.parts.catalog.findRoom(appId, room), messageId, query);
  }

  async listPins(appId: AppId, room: string): Promise<PinView[]> {
    await this.getApp(appId);
    return this.parts.pins.list(await this.parts.catalog.findRoom(appId, room));
  }

  async pin(appId: AppId, room: string, messageId: number): Promise<PinView> {
    await this.getApp(appId);
    return this.parts.pins.pin(await this.parts.catalog.findRoom(appId, room), OPERATOR, messageId);
  }

  async unpin(appId: AppId, room: string, messageId: number): Promise<void> {
    await this.getApp(appId);
    await this.parts.pins.unpin(await this.parts.catalog.findRoom(appId, room), OPERATOR, messageId);
  }

  // ---------------------------------------------------------------- moderation

  mute(appId: AppId, username: string, opts: MuteOptions): Promise<Mute> {
    return this.parts.moderator.mute(appId, username, opts, OPERATOR);
  }

  unmute(appId: AppId, username: string, opts: { room?: string }): Promise<void> {
    return this.parts.moderator.unmute(appId, username, opts, OPERATOR);
  }

  ban(appId: AppId, username: string, opts: { minutes?: number; reason?: string }): Promise<Ban> {
    return this.parts.moderator.ban(appId, username, opts, OPERATOR);
  }

  unban(appId: AppId, username: string): Promise<void> {
    return this.parts.moderator.unban(appId, username, OPERATOR);
  }

  kick(appId: AppId, username: string, opts: { reason?: string }): Promise<void> {
    return this.parts.moderator.kick(appId, username, opts, OPERATOR);
  }

  async listMutes(appId: AppId): Promise<Mute[]> {
    await this.getApp(appId);
    return this.parts.moderation.mutes(appId, this.ctx.clock.now());
  }

  /** Mutes with the muted users' names (for moderators' lists). */
  async withNames(appId: AppId, mutes: Mute[]): Promise<NamedMute[]> {
    const ids = [...new Set(mutes.map((mute) => mute.userId))];
    const users = new Map<number, string>();
    for (const user of await Promise.all(ids.map((id) => this.parts.catalog.getUser(appId, id)))) {
      if (user) users.set(user.id, user.username);
    }
    return mutes.flatMap((mute) => {
      const username = users.get(mute.userId);
      return username === undefined ? [] : [{ ...mute, username }];
    });
  }

  async listBans(appId: AppId): Promise<Ban[]> {
    await this.getApp(appId);
    return this.ctx.store.directory.listBans(appId, this.ctx.clock.now());
  }

  async listModeration(
    appId: AppId,
    opts: { limit: number; beforeId?: number },
  ): Promise<ModerationRecord[]> {
    await this.getApp(appId);
    return this.ctx.store.directory.listModeration(appId, opts);
  }

  // ---------------------------------------------------------------- the node

  online(appId: AppId): OnlineUser[] {
    return this.parts.presence.online(appId);
  }

  stats(): { sessions: number; rooms: number } {
    return this.parts.stats();
  }

  storageHealth(): StorageHealthView {
    return this.parts.storageHealth();
  }

  // ---------------------------------------------------------------- reactions

  react(appId: AppId, room: string, messageId: number, input: ReactionInput): Promise<ReactionResult> {
    return this.parts.reactions.forUser(appId, room, messageId, input, true);
  }

  unreact(appId: AppId, room: string, messageId: number, input: ReactionInput): Promise<ReactionResult> {
    return this.parts.reactions.forUser(appId, room, messageId, input, false);
  }

  // ---------------------------------------------------------------- read state

  /** Each room's unread counts for the user (see readState.ts). */
  unread(appId: AppId, username: string): Promise<UserUnread> {
    return this.parts.reads.unreadOf(appId, username);
  }

  // ---------------------------------------------------------------- search

  searchMessages(appId: AppId, query: SearchQuery): Promise<SearchPage> {
    return this.parts.search.forApp(appId, query);
  }

  // ---------------------------------------------------------------- direct messages

  openDm(appId: AppId, from: string, to: string): Promise<RoomView> {
    return this.parts.dms.openBetween(appId, from, to);
  }

  async listReports(appId: AppId, query: QueueQuery): Promise<QueuePage> {
    await this.parts.catalog.getApp(appId);
    return this.parts.reportQueue.queue(appId, query);
  }

  async resolveReport(appId: AppId, messageId: number, input: ResolveInput): Promise<QueueEntryView> {
    await this.parts.catalog.getApp(appId);
    return this.parts.reportQueue.resolve(appId, messageId, input, OPERATOR);
  }

  shadowMute(appId: AppId, target: string, opts: { minutes?: number; reason?: string }): Promise<ShadowMute> {
    return this.parts.shadowMutes.mute(appId, target, opts, OPERATOR);
  }

  unshadowMute(appId: AppId, target: string): Promise<void> {
    return this.parts.shadowMutes.unmute(appId, target, OPERATOR);
  }
}
