import { ParleyError } from '../core/errors.js';
import { mayNotCreateRooms, staffOnly } from '../core/failures.js';
import { checkRoomName } from '../core/names.js';
import { isStaff, seesEveryRoom } from '../core/roles.js';
import { mayCreateRoom, type RoomCreation } from '../core/roomPolicy.js';
import { checkTopic, checkVisibility } from '../core/rooms.js';
import { checkSlowModeSeconds } from '../core/slowMode.js';
import type { AppId, Room, RoomVisibility, UserRef } from '../core/types.js';
import type { Broadcast } from './broadcast.js';
import type { Catalog } from './catalog.js';
import type { Channels } from './channels.js';
import type { EngineContext } from './context.js';
import type { EngineEvent, RoomView } from './events.js';
import { toRoomRef, toRoomView } from './views.js';

export interface RoomInput {
  name: string;
  visibility?: RoomVisibility;
  topic?: string;
}

export type RoomPatch = Partial<RoomInput> & { slowModeSeconds?: number };

/**
 * Rooms coming into being, changing and going away, for sessions and for the operator: the policy on who may
 * create, who hears of each change (a private room is news to its members only), and what a change means to
 * those already inside.
 */
export class Rooms {
  constructor(
    private readonly ctx: EngineContext,
    private readonly catalog: Catalog,
    private readonly channels: Channels,
    private readonly broadcast: Broadcast,
    /** Told once a room is deleted (its files go: attachments.ts). */
    private readonly roomDeleted: (room: Room) => Promise<void> = () => Promise.resolve(),
  ) {}

  /** `creator` null: the operator (or a reader joining the lobby), whom the policy does not limit. */
  async create(
    appId: AppId,
    input: RoomInput,
    creator: UserRef | null,
    how: RoomCreation = 'explicit',
  ): Promise<RoomView> {
    const name = checkRoomName(input.name);
    const visibility = checkVisibility(input.visibility ?? 'public');
    const topic = checkTopic(input.topic);
    if (creator && !mayCreateRoom(creator.role, how, name, (await this.catalog.getApp(appId)).settings)) {
      throw mayNotCreateRooms();
    }
    const directory = this.ctx.store.directory;
    const room = await this.ctx.track(
      directory.createRoom(
        appId,
        { name, visibility, topic, createdBy: creator?.id ?? null },
        this.ctx.clock.now(),
      ),
    );
    if (creator && visibility === 'private') await directory.addRoomMember(room.id, creator.id);
    const view = toRoomView(room, 0, 0);
    this.broadcast.appEvent(
      appId,
      { type: 'room_created', room: view },
      await this.catalog.roomAudience(room),
    );
    return view;
  }

  /**
   * `by`: who changed it (null: the operator); a mod changes only the slow mode (session.ts), and a change of
   * the slow mode is told to the room (`slow_mode_changed`) beside the app's `room_updated`.
   */
  async update(appId: AppId, name: string, patch: RoomPatch, by: UserRef | null = null): Promise<RoomView> {
    const room = await this.catalog.findRoom(appId, name);
    const clean: RoomPatch = {};
    if (patch.name !== undefined) clean.name = checkRoomName(patch.name);
    if (patch.visibility !== undefined) clean.visibility = checkVisibility(patch.visibility);
    if (patch.topic !== undefined) clean.topic = checkTopic(patch.topic);
    if (patch.slowModeSeconds !== undefined)
      clean.slowModeSeconds = checkSlowModeSeconds(patch.slowModeSeconds);
    const updated = await this.ctx.track(this.ctx.store.directory.updateRoom(appId, room.id, clean));
    const view = await this.catalog.roomView(updated);
    this.channels.renamed(view);
    // Everyone who could see the room before or can see it after hears of the change: a room that was and
    // stays private is news to its members only.
    const audience = room.visibility === 'private' ? await this.catalog.roomAudience(updated) : undefined;
    this.broadcast.appEvent(appId, { type: 'room_updated', room: view }, audience);
    if (clean.slowModeSeconds !== undefined) {
      const seconds = clean.slowModeSeconds;
      this.broadcast.roomEvent(updated, { type: 'slow_mode_changed', room: toRoomRef(updated), seconds, by });
    }
    if (updated.visibility === 'private') await this.keepOutNonMembers(updated.id);
    return view;
  }

  /** A session's change of the slow mode: mods and up only. */
  setSlowMode(room: Room, seconds: unknown, by: UserRef): Promise<RoomView> {
    if (!isStaff(by.role)) throw staffOnly();
    return this.update(room.appId, room.name, { slowModeSeconds: seconds as number }, by);
  }

  /**
   * The room is private (now, or it was made so on another node): joined non-members stop receiving at once.
   * Other nodes do the same for their sessions when the `room_updated` reaches them.
   */
  async keepOutNonMembers(roomId: number): Promise<void> {
    if (!this.channels.get(roomId)) return;
    const members = new Set(await this.ctx.store.directory.listRoomMembers(roomId));
    this.channels.restrict(roomId, (user) => members.has(user.id) || seesEveryRoom(user.role));
  }

  async delete(appId: AppId, name: string): Promise<void> {
    const room = await this.catalog.findRoom(appId, name);
    const audience = await this.catalog.roomAudience(room);
    await this.ctx.track(this.ctx.store.directory.deleteRoom(appId, room.id));
    this.channels.drop(room.id);
    this.broadcast.appEvent(appId, { type: 'room_deleted', room: toRoomRef(room) }, audience);
    await this.roomDeleted(room);
  }

  async addMember(appId: AppId, roomName: string, username: string): Promise<void> {
    const room = await this.catalog.findRoom(appId, roomName);
    const user = await this.catalog.findUser(appId, username);
    await this.ctx.track(this.ctx.store.directory.addRoomMember(room.id, user.id));
    if (room.visibility !== 'private') return;
    // A private room comes into view for its new member.
    const event: EngineEvent = { type: 'room_created', room: await this.catalog.roomView(room) };
    this.broadcast.userEvent(appId, user.id, event);
  }

  /** A join with `create`: the room, public, when there is none of that name yet. */
  async createMissing(appId: AppId, name: string, creator: UserRef | null): Promise<void> {
    try {
      await this.catalog.findRoom(appId, name);
      return;
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === 'not_found')) throw err;
    }
    try {
      const app = await this.catalog.getApp(appId);
      if (!mayCreateRoom(creator?.role ?? null, 'on_join', name.trim(), app.settings))
        throw mayNotCreateRooms();
      await this.create(appId, { name, visibility: 'public' }, creator, 'on_join');
    } catch (err) {
      // Another connection created it at the same moment: join theirs.
      if (!(err instanceof ParleyError && err.code === 'conflict')) throw err;
    }
  }
}
