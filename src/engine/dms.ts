import {
  blockedByUser,
  blockSelf,
  checkMayOpenDm,
  dmPair,
  dmWithSelf,
  MAX_BLOCKS,
  tooManyBlocks,
} from '../core/dms.js';
import { DM_ROOM_NAME } from '../core/names.js';
import type { AppId, Room, User, UserRef } from '../core/types.js';
import { withoutBlocked, type BlockedSet } from './blockedSet.js';
import type { Broadcast } from './broadcast.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { MessageView, RoomView } from './events.js';
import { refOf, toMessageView } from './views.js';

/** Most DMs `dm.list` answers with, newest room first. */
export const DM_LIST_MAX = 200;

/** One DM as its member sees it: the room, the other member, the room's newest seq and newest message. */
export interface DmView {
  room: RoomView;
  user: UserRef;
  lastSeq: number;
  /** Null when the room has no message yet, or its newest is by a user the viewer blocked. */
  lastMessage: MessageView | null;
}

/** A session as the DM part sees it: whose it is, and the set of users whose messages it must not receive. */
export interface BlockingSession {
  readonly appId: AppId;
  readonly user: UserRef;
  readonly blockedSet: Pick<BlockedSet, 'loaded' | 'current'>;
}

/** The two members of a DM room, from its (reserved) name; null for any other room. */
export function dmMembers(room: Pick<Room, 'name'>): [number, number] | null {
  if (!DM_ROOM_NAME.test(room.name)) return null;
  const [, low, high] = room.name.split(':');
  return [Number(low), Number(high)];
}

/**
 * Direct messages and blocking. A DM is a private room of two users, one per pair (the store makes it
 * race-proof across nodes); a block is stored per (app, blocker, blocked), refuses the blocked user's DMs to the
 * blocker, and is told to the blocker's sessions on every node (`block_changed`, a user event), which from then
 * on leave out the blocked user's messages (see EngineSession.deliverRoomEvent, join and history).
 */
export class Dms {
  constructor(
    private readonly ctx: EngineContext,
    private readonly catalog: Pick<Catalog, 'getApp' | 'findUser' | 'roomView'>,
    private readonly broadcast: Pick<Broadcast, 'appEvent' | 'userEvent'>,
  ) {}

  /** The DM room of `user` and the user named `target`, created on first use (`room_created` to both). */
  async open(appId: AppId, user: UserRef, target: unknown): Promise<RoomView> {
    checkMayOpenDm(await this.catalog.getApp(appId), user);
    const peer = await this.catalog.findUser(appId, target);
    if (peer.id === user.id) throw dmWithSelf();
    if (await this.ctx.store.dms.isBlocked(appId, peer.id, user.id)) throw blockedByUser();
    const opened = await this.ctx.store.dms.openPair(appId, dmPair(user.id, peer.id), this.ctx.clock.now());
    const view = await this.catalog.roomView(opened.room);
    if (opened.created)
      this.broadcast.appEvent(appId, { type: 'room_created', room: view }, [user.id, peer.id]);
    return view;
  }

  /** The operator opens the DM of two users by name, under the rules `from` would meet. */
  async openBetween(appId: AppId, from: unknown, to: unknown): Promise<RoomView> {
    return this.open(appId, refOf(await this.catalog.findUser(appId, from)), to);
  }

  async list(appId: AppId, user: UserRef, blocked: ReadonlySet<number> | null): Promise<DmView[]> {
    const summaries = await this.ctx.store.dms.listPairs(appId, user.id, DM_LIST_MAX);
    return Promise.all(
      summaries.map(async ({ room, peer, lastSeq }): Promise<DmView> => {
        const [last] = lastSeq > 0 ? await this.ctx.store.messages.range(room.id, { limit: 1 }) : [];
        const shown = last ? withoutBlocked(blocked, [toMessageView(last, room.name)]) : [];
        return {
          room: await this.catalog.roomView(room),
          user: refOf(peer),
          lastSeq,
          lastMessage: shown[0] ?? null,
        };
      }),
    );
  }

  /** A post in a DM room: refused when the other member blocked the author. Other rooms: nothing to check. */
  async checkWrite(room: Room, author: UserRef): Promise<void> {
    const members = dmMembers(room);
    if (members === null) return;
    const peer = members[0] === author.id ? members[1] : members[0];
    if (await this.ctx.store.dms.isBlocked(room.appId, peer, author.id)) throw blockedByUser();
  }

  async block(appId: AppId, user: UserRef, target: unknown): Promise<UserRef> {
    const blocked = await this.target(appId, user, target);
    const existing = await this.ctx.store.dms.listBlocked(appId, user.id, MAX_BLOCKS);
    if (existing.length >= MAX_BLOCKS && !existing.some((u) => u.id === blocked.id)) throw tooManyBlocks();
    await this.ctx.track(this.ctx.store.dms.block(appId, user.id, blocked.id, this.ctx.clock.now()));
    this.told(appId, user, blocked, true);
    return refOf(blocked);
  }

  async unblock(appId: AppId, user: UserRef, target: unknown): Promise<void> {
    const blocked = await this.target(appId, user, target);
    await this.ctx.track(this.ctx.store.dms.unblock(appId, user.id, blocked.id));
    this.told(appId, user, blocked, false);
  }

  async blocks(appId: AppId, user: UserRef): Promise<UserRef[]> {
    return (await this.ctx.store.dms.listBlocked(appId, user.id, MAX_BLOCKS)).map(refOf);
  }

  /** Fills a new session's blocked set from storage (in the background: the session opens at once). */
  attach(session: BlockingSession): void {
    if (session.user.id === 0) return; // an anonymous reader blocks no one
    this.ctx.store.dms.listBlocked(session.appId, session.user.id, MAX_BLOCKS).then(
      (users) => session.blockedSet.loaded(users.map((u) => u.id)),
      (err: unknown) => {
        // The changes heard since it opened stay in force; blocks made before are not applied to this session.
        session.blockedSet.loaded(session.blockedSet.current ?? []);
        this.ctx.logger.warn({ err }, 'reading the blocked users of a session failed');
      },
    );
  }

  private async target(appId: AppId, user: UserRef, target: unknown): Promise<User> {
    const found = await this.catalog.findUser(appId, target);
    if (found.id === user.id) throw blockSelf();
    return found;
  }

  /** Every session of the blocker, on every node, updates its set and tells its client. */
  private told(appId: AppId, user: UserRef, target: User, blocked: boolean): void {
    this.broadcast.userEvent(appId, user.id, { type: 'block_changed', user: refOf(target), blocked });
  }
}
