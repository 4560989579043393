/**
 * Rooms when tabs share one connection: the connection is in the union of what the tabs need (RoomUnion, kept
 * by the leader: a room is left only when no tab needs it), and each tab hears the events of its own rooms only
 * (TabRooms, kept by each tab's transport), as if it had its own connection.
 */
import type { JoinResult } from '../protocol/native.js';
import { readProp } from './pending.js';

/** Events of one room's channel: a tab that did not join the room would not have heard them on its own. */
const ROOM_CHANNEL_EVENTS: ReadonlySet<string> = new Set([
  'message',
  'message_edited',
  'message_deleted',
  'presence_join',
  'presence_leave',
  'typing',
  'message_pinned',
  'message_unpinned',
  'reaction_changed',
  'read_receipt',
  'user_renamed',
  'message_hidden',
  'slow_mode_changed',
  'gap',
]);

function roomName(data: unknown): string | null {
  const name = readProp(data, 'room');
  return typeof name === 'string' ? name : null;
}

function roomRef(data: unknown): { id: number; name: string } | null {
  const room = readProp(data, 'room');
  const id = readProp(room, 'id');
  const name = readProp(room, 'name');
  return typeof id === 'number' && typeof name === 'string' ? { id, name } : null;
}

/** One tab's rooms, as its requests and their answers tell them: which room events it hears. */
export class TabRooms {
  private readonly rooms = new Map<number, string>();
  /** Rooms whose join is in flight, by name: their events are heard already (the client holds them). */
  private readonly joining = new Map<string, number>();

  /** Names of the rooms this tab joined. */
  get names(): string[] {
    return [...this.rooms.values()];
  }

  requested(op: string, data: unknown): void {
    const name = roomName(data);
    if (name === null) return;
    if (op === 'join') this.joining.set(name, (this.joining.get(name) ?? 0) + 1);
    if (op === 'leave') for (const [id, known] of this.rooms) if (known === name) this.rooms.delete(id);
  }

  answered(op: string, data: unknown, result: unknown): void {
    if (op !== 'join') return;
    const name = roomName(data);
    if (name !== null) {
      const left = (this.joining.get(name) ?? 1) - 1;
      if (left > 0) this.joining.set(name, left);
      else this.joining.delete(name);
    }
    const joined = result === undefined ? null : roomRef(result);
    if (joined) this.rooms.set(joined.id, joined.name);
  }

  /** Whether this tab hears event `name`: a room channel's event only for its rooms; renames are followed. */
  hears(name: string, data: unknown): boolean {
    const room = roomRef(data);
    if (name === 'room_updated' && room && this.rooms.has(room.id)) this.rooms.set(room.id, room.name);
    if (name === 'room_deleted' && room) this.rooms.delete(room.id);
    if (!ROOM_CHANNEL_EVENTS.has(name)) return true;
    if (!room) return false;
    return this.rooms.has(room.id) || this.joining.has(room.name);
  }
}

/** What a tab's `leave` comes to on the shared connection. */
export type LeaveDecision = 'leave' | 'keep' | 'unknown';

/** The leader's record of which tab (by its view id) needs which room of the shared connection. */
export class RoomUnion {
  private readonly holders = new Map<number, Set<string>>();
  private readonly names = new Map<number, string>();
  private readonly joining = new Map<string, number>();

  /** Names of the rooms the connection is in for some tab. */
  get rooms(): string[] {
    return [...this.names.values()];
  }

  /** Who holds a room, by room name (for tests and diagnostics). */
  holdersOf(name: string): string[] {
    const id = this.idOf(name);
    return id === undefined ? [] : [...(this.holders.get(id) ?? [])];
  }

  idOf(name: string): number | undefined {
    for (const [id, known] of this.names) if (known === name) return id;
    return undefined;
  }

  joinSent(name: string): void {
    this.joining.set(name, (this.joining.get(name) ?? 0) + 1);
  }

  joinSettled(view: string, name: string, result: JoinResult | null): void {
    const left = (this.joining.get(name) ?? 1) - 1;
    if (left > 0) this.joining.set(name, left);
    else this.joining.delete(name);
    if (!result) return;
    const { id } = result.room;
    this.names.set(id, result.room.name);
    let set = this.holders.get(id);
    if (!set) this.holders.set(id, (set = new Set()));
    set.add(view);
  }

  /** `view` leaves `name`: the connection leaves it only when no other tab holds it nor is joining it. */
  release(view: string, name: string): LeaveDecision {
    const id = this.idOf(name);
    if (id === undefined) return 'unknown';
    const set = this.holders.get(id);
    set?.delete(view);
    if ((set && set.size > 0) || this.joining.has(name)) return 'keep';
    this.holders.delete(id);
    this.names.delete(id);
    return 'leave';
  }

  /** `view` is gone: the names of the rooms no other tab needs (the connection leaves them). */
  drop(view: string): string[] {
    const orphans: string[] = [];
    for (const [id, set] of this.holders) {
      if (!set.delete(view) || set.size > 0) continue;
      const name = this.names.get(id);
      if (name !== undefined && this.joining.has(name)) continue;
      this.holders.delete(id);
      this.names.delete(id);
      if (name !== undefined) orphans.push(name);
    }
    return orphans;
  }

  /** A room event the connection heard: follow renames and deletions. */
  heard(event: string, data: unknown): void {
    const room = roomRef(data);
    if (!room || !this.names.has(room.id)) return;
    if (event === 'room_updated') this.names.set(room.id, room.name);
    if (event === 'room_deleted') {
      this.names.delete(room.id);
      this.holders.delete(room.id);
    }
  }

  /** The connection closed: it is in no room now (each tab re-joins its own on the next one). */
  clear(): void {
    this.holders.clear();
    this.names.clear();
    this.joining.clear();
  }
}
