/**
 * The typed client's plain requests: each sends one operation and unwraps its reply, with no state of the
 * client's own to keep (joins, sends and authentication, which have, are in client.ts). A new operation's method
 * goes here.
 */
import type {
  Ban,
  DmView,
  HistoryPage,
  MessageView,
  Mute,
  NativeOp,
  OpResult,
  RoomView,
  RoomVisibility,
  UserRef,
} from '../protocol/native.js';
import { TypedEmitter } from './emitter.js';
import type { ClientEventMap } from './types.js';

export abstract class ClientRequests extends TypedEmitter<ClientEventMap> {
  /** Sends `op` once the connection is open (within the request timeout) and resolves with its reply's data. */
  protected abstract call(op: NativeOp, data: unknown): Promise<unknown>;

  async listRooms(): Promise<RoomView[]> {
    return ((await this.call('rooms.list', undefined)) as OpResult<'rooms.list'>).rooms;
  }

  async createRoom(
    name: string,
    opts: { visibility?: RoomVisibility; topic?: string } = {},
  ): Promise<RoomView> {
    return ((await this.call('rooms.create', { name, ...opts })) as OpResult<'rooms.create'>).room;
  }

  async edit(room: string, id: number, text: string): Promise<MessageView> {
    return ((await this.call('edit', { room, id, text })) as OpResult<'edit'>).message;
  }

  async delete(room: string, id: number): Promise<MessageView> {
    return ((await this.call('delete', { room, id })) as OpResult<'delete'>).message;
  }

  async history(
    room: string,
    query: { before?: number; after?: number; limit?: number } = {},
  ): Promise<HistoryPage> {
    return (await this.call('history', { room, ...query })) as HistoryPage;
  }

  async typing(room: string, typing = true): Promise<void> {
    await this.call('typing', { room, typing });
  }

  async members(room: string): Promise<UserRef[]> {
    return ((await this.call('members', { room })) as OpResult<'members'>).online;
  }

  async mute(user: string, opts: { room?: string; minutes?: number; reason?: string } = {}): Promise<Mute> {
    return ((await this.call('mute', { user, ...opts })) as OpResult<'mute'>).mute;
  }

  async unmute(user: string, opts: { room?: string } = {}): Promise<void> {
    await this.call('unmute', { user, ...opts });
  }

  async ban(user: string, opts: { minutes?: number; reason?: string } = {}): Promise<Ban> {
    return ((await this.call('ban', { user, ...opts })) as OpResult<'ban'>).ban;
  }

  async unban(user: string): Promise<void> {
    await this.call('unban', { user });
  }

  async kick(user: string, opts: { reason?: string } = {}): Promise<void> {
    await this.call('kick', { user, ...opts });
  }

  /** The server's clock (ms since epoch). */
  async ping(): Promise<number> {
    return ((await this.call('ping', undefined)) as OpResult<'ping'>).time;
  }

  /** The direct-message room with `user` (the same room whichever side opens it); join it by its name. */
  async openDm(user: string): Promise<RoomView> {
    return ((await this.call('dm.open', { user })) as OpResult<'dm.open'>).room;
  }

  async listDms(): Promise<DmView[]> {
    return ((await this.call('dm.list', undefined)) as OpResult<'dm.list'>).dms;
  }

  /** From now on this user's messages are left out for you everywhere, and they cannot DM you. */
  async block(user: string): Promise<UserRef> {
    return ((await this.call('block', { user })) as OpResult<'block'>).user;
  }

  async unblock(user: string): Promise<void> {
    await this.call('unblock', { user });
  }

  async blocks(): Promise<UserRef[]> {
    return ((await this.call('blocks', undefined)) as OpResult<'blocks'>).users;
  }
}
