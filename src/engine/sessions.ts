import { disconnect, type Disconnect, type DisconnectReason } from '../core/disconnect.js';
import { connectionLimit, nicknameInUse, shuttingDown } from '../core/failures.js';
import type { Principal } from '../core/identity.js';
import { isStaff, seesEveryRoom, type Role } from '../core/roles.js';
import type { AppId, User, UserId, UserRef } from '../core/types.js';
import type { SessionMeta, SessionSink } from './api.js';
import { addTo, removeFrom, userKey, type EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import { EngineSession, type SessionHost } from './session.js';
import type { BusInterest } from './busInterest.js';

/** Told when a user's first connection to an app opens and when their last one closes. */
export interface UserPresenceHooks {
  userArrived(appId: AppId, user: UserRef): void;
  userLeft(appId: AppId, user: UserRef, immediate: boolean): void;
}

const DEFAULT_META: SessionMeta = { transport: 'unknown', dialect: 'native' };

/**
 * The sessions of this node, by app and by user, and delivery to them: to one user's connections, to an app
 * (or the part of it allowed to hear), to those who watch app-wide presence. Opening and closing a session
 * goes through here, so that presence hears of a user's first and last connection.
 */
/**
 * The wait suggested to a connection refused for its user's connection cap: a slot frees when another of the
 * user's connections closes, which the server cannot foresee; a few seconds keeps a client in a reload loop cheap.
 */
export const USER_CONNECTIONS_RETRY_MS = 5000;

export class Sessions {
  private readonly all = new Set<EngineSession>();
  private readonly byApp = new Map<AppId, Set<EngineSession>>();
  private readonly byUser = new Map<string, Set<EngineSession>>();
  /** Sessions that hear app-wide presence (see SessionMeta.appPresence). */
  private readonly appPresenceWatchers = new Map<AppId, Set<EngineSession>>();
  private stopping = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly host: SessionHost,
    /** The app's bus topic, held while a session of it is open here (its users' events come on it). */
    private readonly interest: Pick<BusInterest, 'holdApp' | 'releaseApp'>,
    private readonly presence: UserPresenceHooks,
  ) {}

  get size(): number {
    return this.all.size;
  }

  open(principal: Principal, sink: SessionSink, meta: SessionMeta = DEFAULT_META): EngineSession {
    if (this.stopping) throw shuttingDown();
    // Checked again here, synchronously: two logins with one nickname can both pass authenticate().
    if (
      principal.via === 'guest' &&
      !principal.anonymous &&
      this.hasUser(principal.appId, principal.user.id)
    ) {
      throw nicknameInUse();
    }
    if (
      !principal.anonymous &&
      this.connections(principal.appId, principal.user.id) >= this.ctx.config.connectionsPerUser
    ) {
      throw connectionLimit('This user holds too many connections', USER_CONNECTIONS_RETRY_MS);
    }
    const session = new EngineSession(this.host, principal, sink, meta);
    this.all.add(session);
    // Not awaited (opening is synchronous): an event for the user in the moment before the subscription is
    // answered is missed, and what matters of it (a ban, a revoked token) was checked at sign-in.
    void this.interest.holdApp(principal.appId);
    addTo(this.byApp, principal.appId, session);
    if (meta.appPresence === true) addTo(this.appPresenceWatchers, principal.appId, session);
    if (!session.anonymous) this.fileUnderUser(session);
    this.ctx.metrics.sessionOpened(meta.transport, meta.dialect);
    return session;
  }

  /** A session for a reader without an account (user id 0): never present, every write refused. */
  openReader(appId: AppId, sink: SessionSink, meta: SessionMeta = DEFAULT_META): EngineSession {
    const reader: User = { id: 0, appId, username: '', role: 'guest', kind: 'guest', createdAt: 0 };
    return this.open({ appId, user: reader, expiresAt: null, via: 'guest', anonymous: true }, sink, meta);
  }

  /** The session closed (its close() calls this through the host). */
  forget(session: EngineSession, immediate: boolean): void {
    if (!this.all.delete(session)) return;
    this.interest.releaseApp(session.appId);
    removeFrom(this.byApp, session.appId, session);
    removeFrom(this.appPresenceWatchers, session.appId, session);
    if (!session.anonymous) this.unfile(session, session.user, immediate);
    this.ctx.metrics.sessionClosed(session.meta.transport, session.meta.dialect);
  }

  /** The other sessions of the session's user on this node. */
  othersOf(session: EngineSession): EngineSession[] {
    const mine = this.byUser.get(userKey(session.appId, session.user.id)) ?? [];
    return [...mine].filter((other) => other !== session);
  }

  /**
   * The session's user was `from` and is now another (a guest's upgrade, upgrade.ts): it is filed under its
   * new user, `from` goes offline at once when this was its last session, and the user comes online when new.
   */
  moved(session: EngineSession, from: UserRef): void {
    if (!this.all.has(session) || session.anonymous) return;
    this.unfile(session, from, true);
    this.fileUnderUser(session);
  }

  /** Files the session under its user, who comes online with their first session. */
  private fileUnderUser(session: EngineSession): void {
    const key = userKey(session.appId, session.user.id);
    const first = !this.byUser.has(key);
    addTo(this.byUser, key, session);
    if (first) this.presence.userArrived(session.appId, session.user);
  }

  /** The session is no longer `user`'s, who goes offline with their last session (unless the node stops). */
  private unfile(session: EngineSession, user: UserRef, immediate: boolean): void {
    const key = userKey(session.appId, user.id);
    removeFrom(this.byUser, key, session);
    if (!this.byUser.has(key) && !this.stopping) this.presence.userLeft(session.appId, user, immediate);
  }

  watchAppPresence(session: EngineSession): void {
    if (this.all.has(session)) addTo(this.appPresenceWatchers, session.appId, session);
  }

  hasUser(appId: AppId, userId: UserId): boolean {
    return this.byUser.has(userKey(appId, userId));
  }

  /** How many connections the user has on this node. */
  connections(appId: AppId, userId: UserId): number {
    return this.byUser.get(userKey(appId, userId))?.size ?? 0;
  }

  /** `except`: the connection that asked for the change and has its answer already. */
  toUser(appId: AppId, userId: UserId, event: EngineEvent, except?: object): void {
    const sessions = this.byUser.get(userKey(appId, userId));
    if (event.type === 'block_changed')
      for (const s of sessions ?? []) s.blockedSet.apply(event.user.id, event.blocked);
    if (except === undefined || !sessions) return this.deliver(sessions, event);
    let count = 0;
    for (const session of sessions) {
      if (session === except) continue;
      session.deliverDirect(event);
      count += 1;
    }
    this.ctx.metrics.messagesOut(count);
  }

  toAppPresenceWatchers(appId: AppId, event: EngineEvent): void {
    this.deliver(this.appPresenceWatchers.get(appId), event);
  }

  /** To every session of the app; with an audience, only to those users and to the app's admins and owners. */
  toApp(appId: AppId, event: EngineEvent, audience?: readonly number[]): void {
    const sessions = this.byApp.get(appId);
    if (!audience) return this.deliver(sessions, event);
    if (!sessions) return;
    let count = 0;
    for (const session of sessions) {
      if (!audience.includes(session.user.id) && !seesEveryRoom(session.user.role)) continue;
      session.deliverDirect(event);
      count += 1;
    }
    this.ctx.metrics.messagesOut(count);
  }

  /** To the app's staff sessions only (the moderation queue, shadow mutes). */
  toStaff(appId: AppId, event: EngineEvent): void {
    let count = 0;
    for (const session of this.byApp.get(appId) ?? []) {
      if (!isStaff(session.user.role) || session.anonymous) continue;
      session.deliverDirect(event);
      count += 1;
    }
    this.ctx.metrics.messagesOut(count);
  }

  private deliver(sessions: ReadonlySet<EngineSession> | undefined, event: EngineEvent): void {
    if (!sessions) return;
    for (const session of sessions) session.deliverDirect(event);
    this.ctx.metrics.messagesOut(sessions.size);
  }

  disconnectUser(appId: AppId, userId: UserId, reason: DisconnectReason): void {
    for (const session of [...(this.byUser.get(userKey(appId, userId)) ?? [])]) {
      session.terminate(disconnect(reason));
    }
  }

  /** Ends the user's sessions signed in with the token (revoked: it no longer authenticates). */
  disconnectToken(appId: AppId, userId: UserId, tokenId: string): void {
    for (const session of [...(this.byUser.get(userKey(appId, userId)) ?? [])]) {
      if (session.principal.tokenId === tokenId) session.terminate(disconnect('revoked'));
    }
  }

  applyRole(appId: AppId, userId: UserId, role: Role): void {
    for (const session of this.byUser.get(userKey(appId, userId)) ?? []) session.setRole(role);
  }

  /** The user's profile changed: their sessions here take it; answers them. */
  applyProfile(appId: AppId, user: UserRef): readonly EngineSession[] {
    const own = [...(this.byUser.get(userKey(appId, user.id)) ?? [])];
    // What the session sends from now on carries the profile; its role stays its own (role_changed moves it).
    for (const session of own) session.user = { ...user, role: session.user.role };
    return own;
  }

  /** Stop: no new sessions, and every open one is told why and closed (without presence events). */
  terminateAll(reason: Disconnect): void {
    this.stopping = true;
    for (const session of [...this.all]) session.terminate(reason);
  }
}
