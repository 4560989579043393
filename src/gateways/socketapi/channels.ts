/**
 * What one connection knows of its workspace's channels: the ids (and current names) of those its user may
 * see, seeded from the engine's visible-room listing at auth and kept up to date from the channel events it
 * was sent. Clients address channels by id; the engine addresses rooms by name.
 */
import type { RoomView } from '../../engine/events.js';

export class ChannelDirectory {
  private readonly names = new Map<number, string>();

  /** Add (or rename) every room of a visible-room listing. */
  merge(rooms: readonly RoomView[]): void {
    for (const room of rooms) this.names.set(room.id, room.name);
  }

  remember(id: number, name: string): void {
    this.names.set(id, name);
  }

  forget(id: number): void {
    this.names.delete(id);
  }

  knows(id: number): boolean {
    return this.names.has(id);
  }

  nameOf(id: number): string | undefined {
    return this.names.get(id);
  }
}
