import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DEFAULT_APP_1_SETTINGS, DEFAULT_APP_NAME, LOBBY_ROOM } from '../core/apps.js';
import type { Clock } from '../core/clock.js';
import { disconnect } from '../core/disconnect.js';
import { ParleyError } from '../core/errors.js';
import type { Credentials, Principal } from '../core/identity.js';
import type { AppId, Room } from '../core/types.js';
import { Admin } from './admin.js';
import { Audit } from './audit.js';
import type {
  AuditPage,
  AuditQuery,
  EngineAdmin,
  EngineApi,
  Session,
  SessionMeta,
  SessionSink,
  ShutdownSummary,
} from './api.js';
import { Broadcast } from './broadcast.js';
import { Catalog } from './catalog.js';
import { Channels } from './channels.js';
import { Dms } from './dms.js';
import type { EngineConfig } from './config.js';
import { PendingWrites, type EngineContext } from './context.js';
import { GuestReaper } from './guestReaper.js';
import { Identity } from './identity.js';
import { Inbound } from './inbound.js';
import { DmNotices } from './dmNotices.js';
import { Mentions } from './mentions.js';
import { Messages, type MessageDecorator } from './messages.js';
import type { EngineMetrics } from './ports/metrics.js';
import { ModerationCache } from './moderationCache.js';
import { Moderator } from './moderator.js';
import { OperationLimiter } from './operationLimiter.js';
import { Pins } from './pins.js';
import type { Bus } from './ports/bus.js';
import type { Counters } from './ports/counters.js';
import type { GuestVerifier } from './ports/guestVerifier.js';
import type { SiteCaller } from './ports/siteCaller.js';
import type { IdentityProvider } from './ports/identity.js';
import type { Store } from './ports/store.js';
import { Presence } from './presence.js';
import { Profiles } from './profiles.js';
import { SendPolicy } from './sendPolicy.js';
import { PreSendHooks } from './preSendHook.js';
import { Bots } from './bots.js';
import { BotCommands } from './botCommands.js';
import { Strikes } from './strikes.js';
import { PageRooms } from './pageRooms.js';
import { Replies } from './replies.js';
import { Revocation } from './revocation.js';
import { Reports } from './reports.js';
import { ShadowMutes } from './shadowMutes.js';
import { Reactions } from './reactions.js';
import { ReadState } from './readState.js';
import { Rooms } from './rooms.js';
import { Search } from './search.js';
import { sessionHost, type SessionHostParts } from './sessionHost.js';
import { Upgrades } from './upgrade.js';
import { Sessions } from './sessions.js';
import { StorageHealth, watchedStore } from './storageHealth.js';

export interface EngineDeps {
  store: Store;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  metrics: EngineMetrics;
  config: EngineConfig;
  authenticator: IdentityProvider;
  /** Where limits are counted: this node's memory, or Redis shared by the cluster (ports/counters.ts). */
  counters: Counters;
  /** Checks a new guest's verification token with the app's service (ports/guestVerifier.ts). */
  guestVerifier: GuestVerifier;
  /** Signed POSTs to a site's own endpoints: webhooks, the pre-send hook, bot commands (ports/siteCaller.ts). */
  siteCaller: SiteCaller;
}

const SWEEP_MS = 60_000;
/** Expired tokens are purged once an hour. */
const TOKEN_PURGE_EVERY_SWEEPS = 60;
/** Unused guests are looked for every ten minutes (retention is counted in hours). */
const GUEST_SWEEP_EVERY_SWEEPS = 10;

export function createEngine(deps: EngineDeps): Engine {
  return new Engine(deps);
}

/**
 * The one engine under every gateway, made of parts that each own one thing (see docs/architecture.md):
 * this file wires them, starts the node and stops it. It talks to storage and to other nodes only through the
 * ports it is given.
 */
export class Engine implements EngineApi {
  readonly nodeId = randomUUID();
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  readonly config: EngineConfig;
  readonly catalog: Catalog;
  readonly channels: Channels;
  readonly sessions: Sessions;
  readonly presence: Presence;
  readonly broadcast: Broadcast;
  readonly identity: Identity;
  readonly rooms: Rooms;
  readonly messages: Messages;
  readonly moderator: Moderator;
  readonly admin: Admin;
  readonly guests: GuestReaper;
  readonly limits: OperationLimiter;
  /** The thread view (the parts are named so as not to clash with the operator's `replies` and `pin`). */
  readonly replyThreads: Replies;
  readonly pinBoard: Pins;
  readonly reactions: Reactions;
  readonly mentions: Mentions;
  readonly reads: ReadState;
  readonly search: Search;
  readonly dms: Dms;
  readonly upgrades: Upgrades;
  readonly profiles: Profiles;
  readonly revocation: Revocation;
  readonly audit: Audit;
  /** Shadow mutes and the reports part (the moderation queue). */
  readonly shadowMutes: ShadowMutes;
  readonly reportQueue: Reports;
  /** Strikes and the escalation ladder; the reports part adds a strike for an upheld report (`strikes.add`). */
  readonly strikes: Strikes;
  readonly pageRooms: PageRooms;
  readonly sendPolicy: SendPolicy;
  readonly bots: Bots;
  readonly botCommands: BotCommands;
  private readonly writes = new PendingWrites();
  private readonly store: Store;
  private readonly health: StorageHealth;
  private readonly sweepTimer: NodeJS.Timeout;
  private sweeps = 0;

  constructor(deps: EngineDeps) {
    this.health = new StorageHealth({
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      probeMs: deps.config.storageProbeMs,
    });
    // Every part sees the watched store: its failures mark storage unhealthy (see storageHealth.ts).
    const store = watchedStore(deps.store, this.health);
    this.store = store;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.metrics = deps.metrics;
    this.config = deps.config;
    const ctx: EngineContext = {
      nodeId: this.nodeId,
      store,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      config: deps.config,
      track: (promise) => this.writes.track(promise),
    };
    // Channels and sessions report presence changes; presence is made after them, so they call through.
    this.channels = new Channels(ctx, (channel, user, present, except) =>
      this.presence.roomPresence(channel, user, present, except),
    );
    const host = sessionHost(ctx, (): SessionHostParts => this);
    this.sessions = new Sessions(ctx, host, {
      userArrived: (appId, user) => this.presence.userArrived(appId, user),
      userLeft: (appId, user, immediate) => this.presence.userLeft(appId, user, immediate),
    });
    this.broadcast = new Broadcast(ctx, deps.bus, this.channels, this.sessions, (appId, user) =>
      this.profiles.applied(appId, user),
    );
    this.presence = new Presence(ctx, this.broadcast, this.sessions, this.channels);
    this.catalog = new Catalog(ctx, {
      deliveredSeq: (roomId) => this.channels.get(roomId)?.deliveredSeq,
      onlineCount: (appId, roomId) => this.presence.roomCount(appId, roomId),
    });
    this.profiles = new Profiles(ctx, {
      catalog: this.catalog,
      profileChanged: (appId, user) => this.broadcast.profileChanged(appId, user),
      applyToSessions: (appId, user) => this.sessions.applyProfile(appId, user),
      applyToPresence: (appId, user) => this.presence.applyProfile(appId, user),
      roomSubscribers: (roomId) => this.channels.get(roomId)?.subscribers ?? [],
    });
    this.limits = new OperationLimiter(ctx.clock, (appId) => this.catalog.knownApp(appId), deps.counters);
    const moderation = new ModerationCache(store.directory);
    this.moderator = new Moderator(
      {
        clock: ctx.clock,
        logger: ctx.logger,
        findUser: (appId, username) => this.catalog.findUser(appId, username),
        findRoom: (appId, name) => this.catalog.findRoom(appId, name),
        track: (promise) => this.writes.track(promise),
        roomEvent: (room, event) => this.broadcast.roomEvent(room, event),
        appEvent: (appId, event) => this.broadcast.appEvent(appId, event),
        disconnectEverywhere: (appId, userId, reason) => this.broadcast.disconnectUser(appId, userId, reason),
      },
      store.directory,
      moderation,
    );
    const isOnline = (appId: AppId, userId: number) => this.presence.isOnline(appId, userId);
    this.guests = new GuestReaper(ctx, {
      isOnline,
      onlineUsers: (appId) => this.presence.appUsers(appId),
      onlineCount: (appId) => this.presence.appCount(appId),
      listApps: () => deps.store.directory.listApps(),
    });
    this.identity = new Identity(
      ctx,
      this.catalog,
      deps.authenticator,
      moderation,
      isOnline,
      this.guests,
      this.profiles,
      deps.counters,
      deps.guestVerifier,
    );
    this.rooms = new Rooms(ctx, this.catalog, this.channels, this.broadcast);
    const users = {
      getApp: (appId: AppId) => this.catalog.getApp(appId),
      getUser: (appId: AppId, userId: number) => this.catalog.getUser(appId, userId),
      findUser: (appId: AppId, username: unknown) => this.catalog.findUser(appId, username),
    };
    this.strikes = new Strikes(
      ctx,
      { ...users, userEvent: this.broadcast.userEvent.bind(this.broadcast) },
      this.moderator,
    );
    this.sendPolicy = new SendPolicy(ctx, users, this.strikes);
    this.reactions = new Reactions(ctx, moderation, this.broadcast, this.catalog);
    // What every read of messages adds to them (reactions): history, replays, threads, pins and search hits.
    const decorators: MessageDecorator[] = [(views, readerId) => this.reactions.fill(views, readerId)];
    this.replyThreads = new Replies(ctx, decorators);
    this.pinBoard = new Pins(ctx, this.broadcast, this.moderator, decorators);
    const userEvent = this.broadcast.userEvent.bind(this.broadcast);
    const inRoom = (room: Room, userId: number) =>
      this.presence.roomOnline(room).some((u) => u.id === userId);
    this.mentions = new Mentions(ctx, {
      isOnline,
      inRoom,
      canSee: (room, user) => this.catalog.canSee(room, user),
      userEvent,
    });
    const dmNotices = new DmNotices({ isOnline, inRoom, userEvent });
    this.reads = new ReadState(ctx, {
      userEvent,
      visibleRooms: (appId, user) => this.catalog.visibleRooms(appId, user),
      findUser: (appId, username) => this.catalog.findUser(appId, username),
      getApp: (appId) => this.catalog.getApp(appId),
      getUser: (appId, userId) => this.catalog.getUser(appId, userId),
      roomEvent: (room, event) => this.broadcast.roomEvent(room, event),
      deliveredSeq: (roomId) => this.channels.get(roomId)?.deliveredSeq,
    });
    this.pageRooms = new PageRooms(ctx, { getApp: (appId) => this.catalog.getApp(appId) });
    this.shadowMutes = new ShadowMutes(ctx, {
      findUser: (appId, username) => this.catalog.findUser(appId, username),
      staffEvent: (appId, event) => this.broadcast.staffEvent(appId, event),
      moderator: this.moderator,
    });
    this.reportQueue = new Reports(ctx, {
      getApp: (appId) => this.catalog.getApp(appId),
      getUser: (appId, userId) => this.catalog.getUser(appId, userId),
      moderator: this.moderator,
      moderation,
      shadowMutes: this.shadowMutes,
      remove: (room, actor, messageId) => this.messages.remove(room, actor, messageId),
      roomEvent: (room, event) => this.broadcast.roomEvent(room, event),
      staffEvent: (appId, event) => this.broadcast.staffEvent(appId, event),
      // An upheld report is a strike toward escalation for the message's author.
      onUpheld: (appId, userId, reason) =>
        void this.strikes
          .add(appId, userId, 'report', reason || 'a report was upheld')
          .catch((err: unknown) =>
            ctx.logger.warn({ err, appId, userId }, 'recording a report strike failed'),
          ),
    });
    const preSendHooks = new PreSendHooks(ctx, deps.siteCaller);
    this.messages = new Messages(
      ctx,
      moderation,
      this.moderator,
      this.broadcast,
      {
        mentions: (appId, text) => this.mentions.resolve(appId, text),
        posted: (room, message) => {
          // Nobody is told of a mention in a message they may not see (nor of a DM message).
          if (message.visibility === undefined) {
            this.mentions.notify(room, message);
            dmNotices.notify(room, message);
          }
          if (message.author) this.reads.wrote(room.appId, message.author.id, room.id, message.seq);
        },
        shadowed: (appId, userId) => this.shadowMutes.isShadowed(appId, userId),
        held: (room, message) => this.reportQueue.held(room, message),
        screen: (app, author, text) => this.sendPolicy.screen(app, author, text),
        preSend: (app, message) => preSendHooks.check(app, message),
        botCommand: (typed) => this.botCommands.route(typed),
      },
      (room, message, actor) => this.pinBoard.messageRemoved(room, message, actor),
      decorators,
    );
    this.bots = new Bots(ctx, this.catalog, deps.authenticator, this.profiles, this.broadcast);
    this.botCommands = new BotCommands(ctx, {
      bots: this.bots,
      siteCaller: deps.siteCaller,
      post: (input) => this.messages.post(input),
      isOnline,
      userEvent,
      authenticate: (appId, credentials) => this.identity.authenticate(appId, credentials),
      catalog: this.catalog,
    });
    this.search = new Search(ctx, this.catalog, decorators);
    this.dms = new Dms(ctx, this.catalog, this.broadcast);
    this.upgrades = new Upgrades(ctx, this);
    const { catalog, identity, rooms, messages, moderator, broadcast, presence, channels, sessions } = this;
    const { replyThreads: replies, pinBoard: pins, reactions, search } = this;
    const stats = () => ({ sessions: sessions.size, rooms: channels.size });
    const adminParts = {
      catalog,
      identity,
      rooms,
      messages,
      moderator,
      moderation,
      broadcast,
      presence,
      replies,
      pins,
      stats,
      storageHealth: () => this.health.view(),
      reactions,
      reads: this.reads,
      search,
      dms: this.dms,
      profiles: this.profiles,
      reportQueue: this.reportQueue,
      shadowMutes: this.shadowMutes,
    };
    this.admin = new Admin(ctx, adminParts);
    this.revocation = new Revocation(ctx, catalog, broadcast);
    this.audit = new Audit(ctx);
    const inbound = new Inbound(ctx, {
      ...{ catalog, channels, sessions, presence, rooms, moderation, broadcast },
      profiles: this.profiles,
      shadowMutes: this.shadowMutes,
    });
    deps.bus.onMessage((message) => inbound.receive(message));
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
    this.presence.start();
    this.broadcast.hello();
  }

  /**
   * Forgets refilled rate-limit buckets; now and then removes unused guests and expired tokens (every guest
   * visit leaves one).
   */
  private sweep(): void {
    const now = this.clock.now();
    this.limits.sweep();
    this.sweeps += 1;
    if (this.sweeps % GUEST_SWEEP_EVERY_SWEEPS === 0) {
      this.guests.sweep().catch((err: unknown) => this.logger.warn({ err }, 'removing unused guests failed'));
    }
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
    if (await dir.findRoomByName(app.id, LOBBY_ROOM)) return;
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

  /**
   * Stop: every session is told `shutdown`, pending writes finish, and the other nodes hear that this one is
   * leaving, so that they drop its users' presence at once.
   */
  async shutdown(): Promise<ShutdownSummary> {
    clearInterval(this.sweepTimer);
    this.health.stop();
    this.moderator.stop();
    this.guests.stop();
    const sessionsClosed = this.sessions.size;
    this.sessions.terminateAll(disconnect('shutdown'));
    this.presence.stop();
    const writesAwaited = this.writes.size;
    await this.writes.settled();
    await this.reads.stop();
    this.channels.clearAll();
    return { sessionsClosed, writesAwaited };
  }

  // ---------------------------------------------------------------- what gateways ask (EngineConnections)

  authenticate(appId: AppId, credentials: Credentials, address?: string): Promise<Principal> {
    return this.identity.authenticate(appId, credentials, address);
  }

  openSession(principal: Principal, sink: SessionSink, meta?: SessionMeta): Session {
    return this.sessions.open(principal, sink, meta);
  }

  async openReader(appId: AppId, sink: SessionSink, meta?: SessionMeta): Promise<Session> {
    await this.catalog.getApp(appId);
    return this.sessions.openReader(appId, sink, meta);
  }

  // ---------------------------------------------------------------- what the operator asks (EngineAdmin)

  getApp: EngineAdmin['getApp'] = (...a) => this.admin.getApp(...a);
  register: EngineAdmin['register'] = (...a) => this.admin.register(...a);
  login: EngineAdmin['login'] = (...a) => this.admin.login(...a);
  online: EngineAdmin['online'] = (...a) => this.admin.online(...a);
  listApps: EngineAdmin['listApps'] = (...a) => this.admin.listApps(...a);
  createApp: EngineAdmin['createApp'] = (...a) => this.admin.createApp(...a);
  updateApp: EngineAdmin['updateApp'] = (...a) => this.admin.updateApp(...a);
  createUser: EngineAdmin['createUser'] = (...a) => this.admin.createUser(...a);
  setUserRole: EngineAdmin['setUserRole'] = (...a) => this.admin.setUserRole(...a);
  listUsers: EngineAdmin['listUsers'] = (...a) => this.admin.listUsers(...a);
  issueToken: EngineAdmin['issueToken'] = (...a) => this.admin.issueToken(...a);
  listRooms: EngineAdmin['listRooms'] = (...a) => this.admin.listRooms(...a);
  createRoom: EngineAdmin['createRoom'] = (...a) => this.admin.createRoom(...a);
  updateRoom: EngineAdmin['updateRoom'] = (...a) => this.admin.updateRoom(...a);
  deleteRoom: EngineAdmin['deleteRoom'] = (...a) => this.admin.deleteRoom(...a);
  addRoomMember: EngineAdmin['addRoomMember'] = (...a) => this.admin.addRoomMember(...a);
  history: EngineAdmin['history'] = (...a) => this.admin.history(...a);
  publish: EngineAdmin['publish'] = (...a) => this.admin.publish(...a);
  deleteMessage: EngineAdmin['deleteMessage'] = (...a) => this.admin.deleteMessage(...a);
  mute: EngineAdmin['mute'] = (...a) => this.admin.mute(...a);
  unmute: EngineAdmin['unmute'] = (...a) => this.admin.unmute(...a);
  ban: EngineAdmin['ban'] = (...a) => this.admin.ban(...a);
  unban: EngineAdmin['unban'] = (...a) => this.admin.unban(...a);
  kick: EngineAdmin['kick'] = (...a) => this.admin.kick(...a);
  listMutes: EngineAdmin['listMutes'] = (...a) => this.admin.listMutes(...a);
  listBans: EngineAdmin['listBans'] = (...a) => this.admin.listBans(...a);
  listModeration: EngineAdmin['listModeration'] = (...a) => this.admin.listModeration(...a);
  stats: EngineAdmin['stats'] = () => this.admin.stats();
  storageHealth: EngineAdmin['storageHealth'] = () => this.admin.storageHealth();
  replies: EngineAdmin['replies'] = (...a) => this.admin.replies(...a);
  listPins: EngineAdmin['listPins'] = (...a) => this.admin.listPins(...a);
  pin: EngineAdmin['pin'] = (...a) => this.admin.pin(...a);
  unpin: EngineAdmin['unpin'] = (...a) => this.admin.unpin(...a);
  react: EngineAdmin['react'] = (...a) => this.admin.react(...a);
  unreact: EngineAdmin['unreact'] = (...a) => this.admin.unreact(...a);
  unread: EngineAdmin['unread'] = (...a) => this.admin.unread(...a);
  searchMessages: EngineAdmin['searchMessages'] = (...a) => this.admin.searchMessages(...a);
  openDm: EngineAdmin['openDm'] = (...a) => this.admin.openDm(...a);
  setUserProfile: EngineAdmin['setUserProfile'] = (...a) => this.admin.setUserProfile(...a);
  listTokens: EngineAdmin['listTokens'] = (...a) => this.revocation.listTokens(...a);
  revokeToken: EngineAdmin['revokeToken'] = (...a) => this.revocation.revokeToken(...a);
  revokeUser: EngineAdmin['revokeUser'] = (...a) => this.revocation.revokeUser(...a);
  recordAudit: EngineAdmin['recordAudit'] = (...a) => this.audit.record(...a);

  async listAudit(appId: AppId | null, query: AuditQuery): Promise<AuditPage> {
    if (appId !== null) await this.catalog.getApp(appId);
    return this.audit.list(appId, query);
  }
  listReports: EngineAdmin['listReports'] = (...a) => this.admin.listReports(...a);
  resolveReport: EngineAdmin['resolveReport'] = (...a) => this.admin.resolveReport(...a);
  shadowMute: EngineAdmin['shadowMute'] = (...a) => this.admin.shadowMute(...a);
  unshadowMute: EngineAdmin['unshadowMute'] = (...a) => this.admin.unshadowMute(...a);
  userStrikes: EngineAdmin['userStrikes'] = (...a) => this.strikes.list(...a);
  testFilter: EngineAdmin['testFilter'] = (...a) => this.sendPolicy.test(...a);
  createBot: EngineAdmin['createBot'] = (...a) => this.bots.create(...a);
  listBots: EngineAdmin['listBots'] = (...a) => this.bots.list(...a);
  updateBot: EngineAdmin['updateBot'] = (...a) => this.bots.update(...a);
  deleteBot: EngineAdmin['deleteBot'] = (...a) => this.bots.remove(...a);
  rotateBotKey: EngineAdmin['rotateBotKey'] = (...a) => this.bots.rotateKey(...a);

  botPost: EngineAdmin['botPost'] = (...a) => this.botCommands.postAsBot(...a);
}
