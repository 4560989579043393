import { isPageRoomName } from '../core/pageRooms.js';
import { noSuchApp, roomNotFound, userNotFound } from '../core/failures.js';
import { checkRoomNameLookup, checkUsernameLookup } from '../core/names.js';
import { seesEveryRoom } from '../core/roles.js';
import type { App, AppId, Room, User, UserId, UserRef } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { RoomView } from './events.js';
import { toRoomView } from './views.js';

/** What the catalog reads from live state: the seq a room's channel has handed out, who is in the room. */
export interface LiveRoomState {
  deliveredSeq(roomId: number): number | null | undefined;
  onlineCount(appId: AppId, roomId: number): number;
}

/**
 * Apps, users and rooms as the engine looks them up: the app cache, name look-ups held to the core rules,
 * who may see which room, and room views (single and whole lists, the lists in one read).
 */
export class Catalog {
  private readonly apps = new Map<AppId, Promise<App>>();
  /** The last version of each app read or written here, for the checks that cannot wait (rate limits). */
  private readonly loaded = new Map<AppId, App>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly live: LiveRoomState,
  ) {}

  async getApp(appId: AppId): Promise<App> {
    if (!Number.isInteger(appId) || appId < 1) throw noSuchApp();
    let entry = this.apps.get(appId);
    if (!entry) {
      entry = this.ctx.store.directory.getApp(appId).then((app) => {
        if (!app) throw noSuchApp();
        this.loaded.set(appId, app);
        return app;
      });
      entry.catch(() => this.apps.delete(appId));
      this.apps.set(appId, entry);
    }
    return entry;
  }

  /** The app as just written here. */
  rememberApp(app: App): void {
    this.apps.set(app.id, Promise.resolve(app));
    this.loaded.set(app.id, app);
  }

  /** The app as last read here, without waiting; a change on another node shows once it is read again. */
  knownApp(appId: AppId): App | undefined {
    return this.loaded.get(appId);
  }

  /** Changed on another node: read it again, now, so that the checks that cannot wait see the change. */
  forgetApp(appId: AppId): void {
    this.apps.delete(appId);
    if (this.loaded.has(appId)) this.getApp(appId).catch(() => this.loaded.delete(appId));
  }

  getUser(appId: AppId, userId: UserId): Promise<User | null> {
    return this.ctx.store.directory.getUser(appId, userId);
  }

  async findUser(appId: AppId, username: unknown): Promise<User> {
    const name = checkUsernameLookup(username);
    const user = await this.ctx.store.directory.findUserByName(appId, name);
    if (!user) throw userNotFound(name);
    return user;
  }

  async findRoom(appId: AppId, name: unknown): Promise<Room> {
    const room = await this.ctx.store.directory.findRoomByName(appId, checkRoomNameLookup(name));
    if (!room) throw roomNotFound(String(name));
    return room;
  }

  /** Public rooms are open to all; private ones to their members and to admins and owners. */
  async canSee(room: Room, user: UserRef): Promise<boolean> {
    if (room.visibility === 'public' || seesEveryRoom(user.role)) return true;
    return this.ctx.store.directory.isRoomMember(room.id, user.id);
  }

  async roomView(room: Room): Promise<RoomView> {
    const lastSeq = this.live.deliveredSeq(room.id) ?? (await this.ctx.store.messages.lastSeq(room.id));
    return toRoomView(room, lastSeq, this.live.onlineCount(room.appId, room.id));
  }

  /** The rooms the user may see, in one read however many rooms the app has. */
  async visibleRooms(appId: AppId, user: UserRef): Promise<RoomView[]> {
    const summaries = await this.ctx.store.directory.listRoomSummaries(appId, user.id);
    const everyRoom = seesEveryRoom(user.role);
    // A page's room is reached through its page (pageRooms.ts), not from the list.
    return summaries
      .filter(
        ({ room, member }) =>
          (room.visibility === 'public' || everyRoom || member) && !isPageRoomName(room.name),
      )
      .map(({ room, lastSeq }) => this.summaryView(room, lastSeq));
  }

  /** Every room of the app (the operator's list), in one read. */
  async allRooms(appId: AppId): Promise<RoomView[]> {
    const summaries = await this.ctx.store.directory.listRoomSummaries(appId, null);
    return summaries.map(({ room, lastSeq }) => this.summaryView(room, lastSeq));
  }

  /** A live channel knows the seq it handed out, which may be newer than the read. */
  private summaryView(room: Room, storedSeq: number): RoomView {
    const lastSeq = this.live.deliveredSeq(room.id) ?? storedSeq;
    return toRoomView(room, lastSeq, this.live.onlineCount(room.appId, room.id));
  }

  /** Who hears of a room's creation, change or removal: everyone for a public room, members for a private one. */
  async roomAudience(room: Room): Promise<readonly number[] | undefined> {
    return room.visibility === 'private' ? this.ctx.store.directory.listRoomMembers(room.id) : undefined;
  }
}
