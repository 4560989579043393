/**
 * The rooms the client is in, as the application sees them: each message handed out once (live, replayed, or
 * both), gaps reported, events of a room held back while its join reply is awaited (so that the replay comes
 * first), and rooms followed through renames and deletions.
 */
import { NATIVE_EVENTS } from '../protocol/native.js';
import type { JoinResult, NativeEventMap, NativeEventName, OpRequest } from '../protocol/native.js';
import { ParleyClientError, toClientError } from './errors.js';
import { readProp } from './pending.js';
import { ROOM_GONE_ERRORS } from './policy.js';
import { RoomRegistry } from './resume.js';
import type { SeqTracker } from './resume.js';
import type { Transport } from './transport.js';

const KNOWN_EVENTS: ReadonlySet<string> = new Set(NATIVE_EVENTS);

/** Where the book hands out the server events that reach the application. */
export type ServerEventSink = <E extends NativeEventName>(event: E, data: NativeEventMap[E]) => void;

export class RoomBook {
  private readonly registry = new RoomRegistry();
  private readonly roomNames = new Map<number, string>();
  private joinsInFlight = 0;
  /** Events of rooms whose join reply is awaited: handed out after it, so that replayed messages come first. */
  private readonly held = new Map<string, [string, unknown][]>();

  constructor(private readonly deliver: ServerEventSink) {}

  /** Names of the joined rooms, in join order. */
  get joined(): ReadonlySet<string> {
    return this.registry.joined;
  }

  cursor(room: string): number | null {
    return this.registry.cursor(room);
  }

  /** A join request is about to go out: hold the room's events; true when this call holds them. */
  startJoin(room: string): boolean {
    this.joinsInFlight++;
    return this.hold(room);
  }

  endJoin(room: string, holding: boolean): void {
    this.joinsInFlight--;
    if (holding) this.release(room);
  }

  /** Hold the events of `room` until release(); false when they are held already. */
  hold(room: string): boolean {
    if (this.held.has(room)) return false;
    this.held.set(room, []);
    return true;
  }

  release(room: string): void {
    const events = this.held.get(room);
    this.held.delete(room);
    for (const [name, data] of events ?? []) this.receive(name, data);
  }

  /** Drop the held events of `room`: the next re-join replays them from the cursor, which they did not move. */
  discardHeld(room: string): void {
    this.held.delete(room);
  }

  clearHeld(): void {
    this.held.clear();
  }

  left(room: string): void {
    this.registry.forget(room);
    for (const [id, name] of this.roomNames) if (name === room) this.roomNames.delete(id);
  }

  /** A room that could not be re-joined: no longer joined, not resumed. */
  forget(room: string): void {
    this.registry.forget(room);
  }

  /** Record a join reply: mark its messages seen and (for re-joins) deliver the new ones as events. */
  absorbJoin(result: JoinResult, deliver: boolean): JoinResult {
    const ref = { id: result.room.id, name: result.room.name };
    this.roomNames.set(ref.id, ref.name);
    const tracker = this.registry.tracker(ref.name);
    if (deliver && result.gap) {
      this.deliver('gap', { room: ref, afterSeq: result.gap.afterSeq, beforeSeq: result.gap.beforeSeq });
    }
    const fresh = result.messages.filter((message) => tracker.accept(message.seq));
    tracker.advanceTo(result.lastSeq);
    this.registry.markJoined(ref.name);
    if (deliver) for (const message of fresh) this.deliver('message', { room: ref, message });
    return { ...result, messages: fresh };
  }

  /**
   * After a reconnect, re-join every joined room from its cursor: replayed messages become `message` events,
   * gaps `gap` events. Rooms that are gone are forgotten and reported; any other failure fails the re-join.
   */
  async rejoin(
    transport: Transport,
    timeoutMs: number,
    reportGone: (error: ParleyClientError) => void,
  ): Promise<{ rooms: string[]; failedRooms: string[] }> {
    const names = [...this.joined];
    for (const room of names) this.hold(room);
    const rooms: string[] = [];
    const outcomes = await Promise.allSettled(
      names.map(async (room) => {
        const cursor = this.cursor(room);
        const data: OpRequest<'join'> = cursor === null ? { room } : { room, sinceSeq: cursor };
        const result = (await transport.request('join', data, timeoutMs)) as JoinResult;
        // Each room as soon as its reply is in: the gap, the replay, then what came live meanwhile.
        this.absorbJoin(result, true);
        rooms.push(result.room.name);
        this.release(room);
      }),
    );
    const failedRooms: string[] = [];
    let failure: ParleyClientError | null = null;
    outcomes.forEach((outcome, i) => {
      const room = names[i] as string;
      if (outcome.status === 'fulfilled') return;
      // Held events are dropped: the next re-join replays them from the cursor, which they did not move.
      this.discardHeld(room);
      const error = toClientError(outcome.reason);
      if (error.fromServer && ROOM_GONE_ERRORS.has(error.code)) {
        this.forget(room);
        failedRooms.push(room);
        reportGone(
          new ParleyClientError(error.code, `Could not re-join ${room}: ${error.message}`, {
            ...(error.status === undefined ? {} : { status: error.status }),
            details: { room, op: 'join' },
          }),
        );
      } else {
        failure ??= error;
      }
    });
    if (failure) throw failure;
    return { rooms, failedRooms };
  }

  /** A server event: held, dropped as a duplicate, or recorded and handed out. Unknown events are ignored. */
  receive(name: string, data: unknown): void {
    if (!KNOWN_EVENTS.has(name)) return;
    const roomName = readProp(readProp(data, 'room'), 'name');
    const held = typeof roomName === 'string' ? this.held.get(roomName) : undefined;
    if (held) {
      held.push([name, data]);
      return;
    }
    const event = name as NativeEventName;
    switch (event) {
      case 'message': {
        const payload = data as NativeEventMap['message'];
        // A released message (held or hidden until a moderator's dismissal) keeps its older seq: not a repeat.
        const tracker = payload.released === true ? null : this.trackerFor(payload.room.name);
        if (tracker && !tracker.accept(payload.message.seq)) return;
        break;
      }
      case 'gap': {
        const payload = data as NativeEventMap['gap'];
        this.trackerFor(payload.room.name)?.advanceTo(payload.beforeSeq - 1);
        break;
      }
      case 'room_deleted': {
        const payload = data as NativeEventMap['room_deleted'];
        this.registry.forget(payload.room.name);
        this.roomNames.delete(payload.room.id);
        break;
      }
      case 'room_updated': {
        const payload = data as NativeEventMap['room_updated'];
        const previous = this.roomNames.get(payload.room.id);
        if (previous !== undefined && previous !== payload.room.name) {
          this.registry.rename(previous, payload.room.name);
          this.roomNames.set(payload.room.id, payload.room.name);
        }
        break;
      }
      default:
        break;
    }
    this.deliver(event, data as NativeEventMap[NativeEventName]);
  }

  private trackerFor(room: string): SeqTracker | null {
    if (this.registry.joined.has(room) || this.joinsInFlight > 0) return this.registry.tracker(room);
    return null;
  }
}
