import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DEFAULT_APP_1_SETTINGS, DEFAULT_APP_NAME, LOBBY_ROOM } from '../core/apps.js';
import type { Clock } from '../core/clock.js';
import { disconnect } from '../core/disconnect.js';
import { ParleyError } from '../core/errors.js';
import type { Credentials, Principal } from '../core/identity.js';
import type { AppId, Room } from '../core/types.js';
import { Admin } from './admin.js';
import { Attachments } from './attachments.js';
import { Audit } from './audit.js';
import type { EngineApi, Session, SessionMeta, SessionSink, ShutdownSummary } from './api.js';
import { DataProtection } from './dataProtection.js';
import { Retention } from './retention.js';
import { Broadcast } from './broadcast.js';
import { BusInterest } from './busInterest.js';
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
import { AdminFacade } from './adminFacade.js';
import { chore, Sweeper } from './sweeper.js';
import type { LinkPreviewer } from './ports/linkPreviewer.js';
import { LinkPreviews } from './linkPreviews.js';
import type { FileStore } from './ports/fileStore.js';
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
import { dispatchConfigOf, WebhookDispatcher } from './webhookDispatcher.js';
import { webhookEvents } from './webhookEvents.js';
import { Webhooks } from './webhooks.js';

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
  /** Fetches link previews (ports/linkPreviewer.ts); absent: this node fetches none. */
  linkPreviewer?: LinkPreviewer;
  /** Where uploaded files are kept and the key their URLs are signed with; absent: attachments are off. */
  files?: { store: FileStore; urlKey: Buffer; urlPrefix?: string };
}

const SWEEP_MS = 60_000;
/** Expired tokens are purged once an hour. */
const TOKEN_PURGE_EVERY_SWEEPS = 60;
/** Unused guests are looked for every ten minutes (retention is counted in hours). */
const GUEST_SWEEP_EVERY_SWEEPS = 10;
/** Old messages are purged every ten minutes, by the node holding the lease (a sweep and a bit longer). */
const RETENTION_EVERY_SWEEPS = 10;
const RETENTION_LEASE_MS = (RETENTION_EVERY_SWEEPS + 1) * SWEEP_MS;

export function createEngine(deps: EngineDeps): Engine {
  return new Engine(deps);
}

/**
 * The one engine under every gateway, made of parts that each own one thing (see docs/architecture.md):
 * this file wires them, starts the node and stops it. It talks to storage and to other nodes only through the
 * ports it is given.
 */
export class Engine extends AdminFacade implements EngineApi {
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
  readonly linkPreviews: LinkPreviews;
  /** Files in messages (attachments.ts); EngineAdmin's uploads and file URLs. */
  readonly attachments: Attachments;
  readonly webhooks: Webhooks;
  private readonly dispatcher: WebhookDispatcher;
  /** Export and erasure of a user's data; the retention purge. */
  readonly dataProtection: DataProtection;
  readonly retention: Retention;
  readonly bots: Bots;
  readonly botCommands: BotCommands;
  private readonly writes = new PendingWrites();
  private readonly store: Store;
  private readonly health: StorageHealth;
  private readonly sweeper: Sweeper;

  constructor(deps: EngineDeps) {
    super();
    const { clock, logger, metrics, config } = deps;
    this.health = new StorageHealth({ store: deps.store, clock, logger, probeMs: config.storageProbeMs });
    // Every part sees the watched store: its failures mark storage unhealthy (see storageHealth.ts).
    const store = watchedStore(deps.store, this.health);
    this.store = store;
    this.clock = clock;
    this.logger = logger;
    this.metrics = metrics;
    this.config = config;
    const ctx: EngineContext = {
      ...{ nodeId: this.nodeId, store, clock, logger, metrics, config },
      track: (promise) => this.writes.track(promise),
    };
    // Channels and sessions report presence changes; presence is made after them, so they call through.
    const interest = new BusInterest(deps.bus, config.busUnsubscribeDelayMs);
    this.channels = new Channels(ctx, interest, (channel, user, present, except) =>
      this.presence.roomPresence(channel, user, present, except),
    );
    const host = sessionHost(ctx, (): SessionHostParts => this);
    this.sessions = new Sessions(ctx, host, interest, {
      userArrived: (appId, user) => this.presence.userArrived(appId, user),
      userLeft: (appId, user, immediate) => this.presence.userLeft(appId, user, immediate),
    });
    this.broadcast = new Broadcast(ctx, deps.bus, this.channels, this.sessions, (appId, user) =>
      this.profiles.applied(appId, user),
    );
    const c = deps.config;
    this.dispatcher = new WebhookDispatcher(ctx, deps.siteCaller, dispatchConfigOf(c));
    this.webhooks = new Webhooks(ctx, {
      getApp: (appId) => this.catalog.getApp(appId),
      appChanged: (appId) => this.broadcast.appChanged(appId),
      wake: () => this.dispatcher.wake(),
    });
    const hooks = webhookEvents(this.webhooks);
    this.presence = new Presence(ctx, this.broadcast, this.sessions, this.channels, hooks.membership);
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
        events: hooks,
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
    this.attachments = new Attachments(ctx, {
      files: deps.files?.store ?? null,
      urlKey: deps.files?.urlKey ?? Buffer.from(randomUUID()),
      urlPrefix: deps.files?.urlPrefix ?? '',
      getApp: (appId) => this.catalog.getApp(appId),
      findRoom: (appId, name) => this.catalog.findRoom(appId, name),
      canSee: (room, user) => this.catalog.canSee(room, user),
      signIn: (appId, token) => this.identity.userOfBearer(appId, token),
      moderation,
    });
    this.identity.events = hooks;
    this.rooms = new Rooms(ctx, this.catalog, this.channels, this.broadcast, (room) =>
      this.attachments.deleteForRoom(room.id),
    );
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
    this.reactions = new Reactions(ctx, moderation, this.broadcast, this.catalog, hooks);
    // What every read of messages adds to them (reactions): history, replays, threads, pins and search hits.
    const decorators: MessageDecorator[] = [
      (views, readerId) => this.reactions.fill(views, readerId),
      (views) => this.linkPreviews.fill(views),
      (views) => this.attachments.fill(views),
    ];
    this.linkPreviews = new LinkPreviews(ctx, {
      previewer: deps.linkPreviewer ?? null,
      getApp: (appId) => this.catalog.getApp(appId),
      roomEvent: (room, event) => this.broadcast.roomEvent(room, event),
      decorate: async (views, readerId) => {
        for (const decorate of decorators) await decorate(views, readerId);
      },
    });
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
      events: hooks,
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
          this.linkPreviews.posted(room, message);
        },
        shadowed: (appId, userId) => this.shadowMutes.isShadowed(appId, userId),
        held: (room, message) => this.reportQueue.held(room, message),
        screen: (app, author, text) => this.sendPolicy.screen(app, author, text),
        files: this.attachments,
        outbox: (room, type) => this.webhooks.outboxFor(room, type),
        queued: () => this.dispatcher.wake(),
        preSend: (app, message) => preSendHooks.check(app, message),
        botCommand: (typed) => this.botCommands.route(typed),
      },
      async (room, message, actor) => {
        await this.linkPreviews.removed(message);
        await this.pinBoard.messageRemoved(room, message, actor);
        await this.deleteMessageFiles([message.id]);
      },
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
      ...{
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
      },
      ...{ reactions, reads: this.reads, search, dms: this.dms, profiles: this.profiles },
      ...{ reportQueue: this.reportQueue, shadowMutes: this.shadowMutes, events: hooks },
      storageHealth: () => this.health.view(),
    };
    this.admin = new Admin(ctx, adminParts);
    this.revocation = new Revocation(ctx, catalog, broadcast);
    this.audit = new Audit(ctx);
    const removeMessageFiles = (_appId: AppId, ids: readonly number[]) =>
      this.attachments.deleteForMessages(ids);
    this.dataProtection = new DataProtection(ctx, {
      catalog,
      revocation: this.revocation,
      broadcast,
      removeMessageFiles,
      listUserUploads: (appId, user) => this.attachments.uploadsOf(appId, user.id),
    });
    const { directory } = store;
    const listing = {
      listApps: () => directory.listApps(),
      listRooms: (id: AppId) => directory.listRooms(id),
    };
    this.retention = new Retention(ctx, { ...listing, removeMessageFiles }, { leaseMs: RETENTION_LEASE_MS });
    const inbound = new Inbound(ctx, {
      ...{ catalog, channels, sessions, presence, rooms, moderation, broadcast },
      profiles: this.profiles,
      shadowMutes: this.shadowMutes,
      webhooks: this.webhooks,
    });
    deps.bus.onMessage((message) => inbound.receive(message));
    const { guests, attachments, retention } = this;
    this.sweeper = new Sweeper(ctx.logger, SWEEP_MS, [
      chore(1, 'forgetting rate-limit buckets failed', () => this.limits.sweep()),
      chore(GUEST_SWEEP_EVERY_SWEEPS, 'removing unused guests failed', () => guests.sweep()),
      chore(GUEST_SWEEP_EVERY_SWEEPS, 'removing unsent uploads failed', () => attachments.sweepUnsent()),
      chore(RETENTION_EVERY_SWEEPS, 'the retention purge failed', () => retention.sweep()),
      chore(RETENTION_EVERY_SWEEPS, 'pruning webhook deliveries failed', () => this.dispatcher.prune.sweep()),
      // Every guest visit leaves a token.
      chore(TOKEN_PURGE_EVERY_SWEEPS, 'purging expired tokens failed', () =>
        store.directory.deleteExpiredAccessTokens(this.clock.now()),
      ),
    ]);
    this.presence.start();
    this.broadcast.hello();
  }

  /**
   * Removes the files of the messages (bytes and records): for the erasure of a user's messages and for
   * retention, which delete messages without the message pipeline. A deleted message's files go on their own.
   */
  deleteMessageFiles(messageIds: readonly number[]): Promise<void> {
    return this.attachments.deleteForMessages(messageIds);
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
    this.sweeper.stop();
    this.dispatcher.stop();
    this.health.stop();
    this.moderator.stop();
    this.guests.stop();
    this.linkPreviews.stop();
    this.retention.stop();
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
}
