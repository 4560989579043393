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
  PinView,
  ProfileRequest,
  QueueEntry,
  QueuePage,
  QueueRequest,
  ReactionResult,
  ReportReason,
  ReportResult,
  ResolveRequest,
  RoomView,
  RoomVisibility,
  SearchPage,
  ShadowMute,
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

  /** The replies to message `id` of the room, paged by seq as history is. */
  async replies(
    room: string,
    id: number,
    query: { before?: number; after?: number; limit?: number } = {},
  ): Promise<HistoryPage> {
    return (await this.call('replies', { room, id, ...query })) as HistoryPage;
  }

  /** Pin a message (mods and above). Pinning a pinned message answers the pin as it is. */
  async pin(room: string, id: number): Promise<PinView> {
    return ((await this.call('pin', { room, id })) as OpResult<'pin'>).pin;
  }

  async unpin(room: string, id: number): Promise<void> {
    await this.call('unpin', { room, id });
  }

  /** The room's pinned messages, newest pin first. */
  async pins(room: string): Promise<PinView[]> {
    return ((await this.call('pins', { room })) as OpResult<'pins'>).pins;
  }

  /** Reacts to message `id` of a joined room with one emoji; reacting twice counts once (`changed: false`). */
  async react(room: string, id: number, emoji: string): Promise<ReactionResult> {
    return (await this.call('react', { room, id, emoji })) as OpResult<'react'>;
  }

  /** Takes a reaction back; one that is not there is a success with `changed: false`. */
  async unreact(room: string, id: number, emoji: string): Promise<ReactionResult> {
    return (await this.call('unreact', { room, id, emoji })) as OpResult<'unreact'>;
  }

  /**
   * Marks `room` read up to `seq` (clamped to the room's last seq; a marker never moves back). Every connection
   * of yours hears `read` when the marker moved; the answer has the marker and what is still unread.
   */
  async read(room: string, seq: number): Promise<OpResult<'read'>> {
    return (await this.call('read', { room, seq })) as OpResult<'read'>;
  }

  /** Who has read `room` up to which seq; null where the app has no read receipts or the room is too big. */
  async receipts(room: string): Promise<OpResult<'receipts'>['receipts']> {
    return ((await this.call('receipts', { room })) as OpResult<'receipts'>).receipts;
  }

  /**
   * Messages matching every word of `q` (the last also as a prefix), newest first, in the rooms this user may
   * see; each hit's `highlight` is its text, HTML-escaped, with the matches in `<mark>`. Page with `before`.
   */
  async search(
    q: string,
    opts: { room?: string; before?: number; limit?: number } = {},
  ): Promise<SearchPage> {
    return (await this.call('search', { q, ...opts })) as OpResult<'search'>;
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

  /** Your display name and avatar (https) URL: null clears one, an absent field stays; answers you as now. */
  /** Mods and up: the room's slow mode in seconds (0: off). Answers the room as now. */
  /** The room of a page of the site, by its URL (created on first use where the app allows): then `join` it. */
  async pageRoom(url: string): Promise<OpResult<'rooms.page'>> {
    return (await this.call('rooms.page', { url })) as OpResult<'rooms.page'>;
  }

  async setSlowMode(room: string, seconds: number): Promise<RoomView> {
    return ((await this.call('rooms.slow_mode', { room, seconds })) as OpResult<'rooms.slow_mode'>).room;
  }

  async setProfile(profile: ProfileRequest): Promise<UserRef> {
    return ((await this.call('profile.set', profile)) as OpResult<'profile.set'>).user;
  }

  /** Reports message `id` of `room`; reporting it again answers your first report (`duplicate: true`). */
  async report(room: string, id: number, reason: ReportReason, text?: string): Promise<ReportResult> {
    return (await this.call('report', {
      room,
      id,
      reason,
      ...(text === undefined ? {} : { text }),
    })) as ReportResult;
  }

  /** Staff: the moderation queue, newest message first; page with `before: nextCursor`. */
  async reportQueue(query: QueueRequest = {}): Promise<QueuePage> {
    return (await this.call('reports.list', query)) as QueuePage;
  }

  /** Staff: resolves the open queue entry of message `id` (dismiss, delete, mute or ban its author). */
  async resolveReport(
    id: number,
    action: ResolveRequest['action'],
    opts: { minutes?: number; reason?: string } = {},
  ): Promise<QueueEntry> {
    return ((await this.call('report.resolve', { id, action, ...opts })) as OpResult<'report.resolve'>).entry;
  }

  /** Staff: `user`'s new messages are seen only by them and staff until lifted (they are not told). */
  async shadowMute(user: string, opts: { minutes?: number; reason?: string } = {}): Promise<ShadowMute> {
    return ((await this.call('shadow_mute', { user, ...opts })) as OpResult<'shadow_mute'>).shadowMute;
  }

  async unshadowMute(user: string): Promise<void> {
    await this.call('unshadow_mute', { user });
  }
}
