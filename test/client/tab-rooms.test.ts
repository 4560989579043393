/** The rooms of a shared connection: the union of the tabs' rooms (RoomUnion) and each tab's own (TabRooms). */
import { describe, expect, it } from 'vitest';
import type { JoinResult } from '../../src/client/index.js';
import { RoomUnion, TabRooms } from '../../src/client/tab-rooms.js';

function joined(id: number, name: string): JoinResult {
  return { room: { id, name }, messages: [], lastSeq: 0 } as unknown as JoinResult;
}

describe('RoomUnion', () => {
  it('leaves a room only when the last tab that needs it lets it go', () => {
    const union = new RoomUnion();
    for (const view of ['a', 'b']) {
      union.joinSent('lobby');
      union.joinSettled(view, 'lobby', joined(1, 'lobby'));
    }
    expect(union.holdersOf('lobby').sort()).toEqual(['a', 'b']);
    expect(union.release('a', 'lobby')).toBe('keep');
    expect(union.release('b', 'lobby')).toBe('leave');
    expect(union.rooms).toEqual([]);
    expect(union.release('b', 'never-joined')).toBe('unknown');
  });

  it('keeps a room another tab is joining while the last holder leaves', () => {
    const union = new RoomUnion();
    union.joinSent('lobby');
    union.joinSettled('a', 'lobby', joined(1, 'lobby'));
    union.joinSent('lobby'); // b's join is on its way
    expect(union.release('a', 'lobby')).toBe('keep');
    union.joinSettled('b', 'lobby', joined(1, 'lobby'));
    expect(union.holdersOf('lobby')).toEqual(['b']);
  });

  it("gives back a gone tab's rooms that no one else needs, and follows renames", () => {
    const union = new RoomUnion();
    for (const [view, id, name] of [
      ['a', 1, 'lobby'],
      ['b', 1, 'lobby'],
      ['a', 2, 'side'],
    ] as const) {
      union.joinSent(name);
      union.joinSettled(view, name, joined(id, name));
    }
    union.heard('room_updated', { room: { id: 2, name: 'side-renamed' } });
    expect(union.drop('a')).toEqual(['side-renamed']);
    expect(union.rooms).toEqual(['lobby']);
  });
});

describe('TabRooms', () => {
  it("hears its rooms' events (and those of a join in flight), every tab's user events", () => {
    const rooms = new TabRooms();
    rooms.requested('join', { room: 'lobby' });
    expect(rooms.hears('message', { room: { id: 1, name: 'lobby' } })).toBe(true);
    rooms.answered('join', { room: 'lobby' }, joined(1, 'lobby'));
    expect(rooms.hears('message', { room: { id: 2, name: 'other' } })).toBe(false);
    expect(rooms.hears('mention', { room: { id: 2, name: 'other' } })).toBe(true);
    rooms.hears('room_updated', { room: { id: 1, name: 'hall' } });
    expect(rooms.names).toEqual(['hall']);
    rooms.requested('leave', { room: 'hall' });
    expect(rooms.hears('message', { room: { id: 1, name: 'hall' } })).toBe(false);
  });
});
