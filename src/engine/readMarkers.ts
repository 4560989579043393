import type { AppId, RoomId, UserId } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { MarkerWrite } from './ports/readStore.js';

function keyOf(appId: AppId, userId: UserId, roomId: RoomId): string {
  return `${appId}:${userId}:${roomId}`;
}

/** Two writes of one marker as one: the newer seq, and only-create only when both were. */
function merge(a: MarkerWrite, b: MarkerWrite): MarkerWrite {
  return { ...a, seq: Math.max(a.seq, b.seq), createOnly: a.createOnly && b.createOnly };
}

/**
 * Read markers on their way to storage, coalesced: the newest seq of each (user, room) is kept here and written
 * with the others in one store call per flush; flushes run `intervalMs` apart at the least (a timer, unref'd,
 * started by the first marker after the last flush), so that each marker is written at most once per interval.
 * Until its write has committed a marker is answered from here (`seqOf`), so that counts on this node are exact
 * at once. A failed flush is logged and its markers kept for the next one; `stop` flushes what is left.
 */
export class MarkerWriter {
  private pending = new Map<string, MarkerWrite>();
  private flushing = new Map<string, MarkerWrite>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly intervalMs: number,
  ) {}

  put(write: MarkerWrite): void {
    const key = keyOf(write.appId, write.userId, write.roomId);
    const prev = this.pending.get(key);
    this.pending.set(key, prev ? merge(prev, write) : write);
    this.schedule();
  }

  /** The newest marker not yet committed for the user and room; undefined when there is none. */
  seqOf(appId: AppId, userId: UserId, roomId: RoomId): number | undefined {
    const key = keyOf(appId, userId, roomId);
    const pending = this.pending.get(key)?.seq;
    const flushing = this.flushing.get(key)?.seq;
    if (pending === undefined) return flushing;
    return flushing === undefined ? pending : Math.max(pending, flushing);
  }

  /** The user's markers not yet committed, by room. */
  pendingOf(appId: AppId, userId: UserId): Map<RoomId, number> {
    const rooms = new Map<RoomId, number>();
    for (const list of [this.flushing, this.pending]) {
      for (const w of list.values()) {
        if (w.appId !== appId || w.userId !== userId) continue;
        rooms.set(w.roomId, Math.max(rooms.get(w.roomId) ?? 0, w.seq));
      }
    }
    return rooms;
  }

  /** The markers of the room not yet committed, by user. */
  pendingInRoom(appId: AppId, roomId: RoomId): Map<UserId, number> {
    const users = new Map<UserId, number>();
    for (const list of [this.flushing, this.pending]) {
      for (const w of list.values()) {
        if (w.appId !== appId || w.roomId !== roomId) continue;
        users.set(w.userId, Math.max(users.get(w.userId) ?? 0, w.seq));
      }
    }
    return users;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null || this.running !== null || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.intervalMs);
    this.timer.unref();
  }

  private flush(): Promise<void> {
    if (this.running) return this.running;
    if (this.pending.size === 0) return Promise.resolve();
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = batch;
    this.running = this.write(batch).finally(() => {
      this.flushing = new Map();
      this.running = null;
      this.schedule();
    });
    return this.running;
  }

  private async write(batch: Map<string, MarkerWrite>): Promise<void> {
    try {
      await this.ctx.track(this.ctx.store.reads.saveMarkers([...batch.values()]));
    } catch (err) {
      this.ctx.logger.warn(
        { err, markers: batch.size },
        'saving read markers failed; kept for the next flush',
      );
      for (const [key, write] of batch) {
        const newer = this.pending.get(key);
        this.pending.set(key, newer ? merge(write, newer) : write);
      }
    }
  }

  /** Shutdown: no more timers; what is pending is written now (once). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
    await this.flush();
  }
}
