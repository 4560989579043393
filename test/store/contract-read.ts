import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { NewMessage, Store } from '../../src/engine/ports/store.js';

/**
 * The read-state contract (mentions stored with their message, read markers, unread counts): every Store
 * implementation runs it, next to storeContract. `open` returns an empty store; `cleanup` closes it.
 */
export function readStateContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`read-state contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let room: Room;
    let ann: User;
    let bob: User;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      store = await open();
      app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      room = await newRoom('lobby');
      ann = await newUser('Ann');
      bob = await newUser('bob');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    function newUser(username: string, inApp: App = app): Promise<User> {
      const user = { username, role: 'member' as const, kind: 'account' as const, passwordHash: null };
      return store.directory.createUser(inApp.id, user, T0);
    }

    function newRoom(roomName: string): Promise<Room> {
      return store.directory.createRoom(
        app.id,
        { name: roomName, visibility: 'public', createdBy: null },
        T0,
      );
    }

    async function post(
      author: User,
      text: string,
      mentions: number[] = [],
      inRoom: Room = room,
      visibility?: 'held' | 'shadow',
    ) {
      const input: NewMessage = {
        appId: app.id,
        roomId: inRoom.id,
        kind: 'text',
        authorId: author.id,
        text,
        html: text,
        clientMsgId: null,
        createdAt: T0,
        mentions,
        ...(visibility ? { visibility } : {}),
      };
      return (await store.messages.append(input)).message;
    }

    function marker(user: User, seq: number, createOnly = false, inRoom: Room = room) {
      return { appId: app.id, userId: user.id, roomId: inRoom.id, seq, createOnly };
    }

    it('[store.mentions.stored] keeps the mentioned users with the message, in order, on every read', async () => {
      const cid = await newUser('cid');
      const message = await post(ann, 'hi @cid @bob', [cid.id, bob.id]);
      const expected = [
        { id: cid.id, username: 'cid', role: 'member' },
        { id: bob.id, username: 'bob', role: 'member' },
      ];
      expect(message.mentions).toEqual(expected);
      expect((await store.messages.get(room.id, message.id))?.mentions).toEqual(expected);
      expect((await store.messages.range(room.id, { limit: 10 }))[0]?.mentions).toEqual(expected);
      const plain = await post(ann, 'no one');
      expect(plain.mentions).toEqual([]);
      // A user that does not exist (removed since it was resolved) is skipped, not an error.
      expect((await post(ann, 'ghost', [999_999, bob.id])).mentions).toEqual([expected[1]]);
      // An edit with mentions replaces them; without, keeps them.
      const edited = await store.messages.edit(room.id, message.id, 'hi @bob', 'hi @bob', T0 + 1, [bob.id]);
      expect(edited.mentions).toEqual([expected[1]]);
      expect((await store.messages.edit(room.id, message.id, 'x', 'x', T0 + 1)).mentions).toEqual([
        expected[1],
      ]);
      // A deleted message mentions nobody any more.
      expect((await store.messages.remove(room.id, message.id, T0 + 1)).mentions).toEqual([]);
    });

    it('[store.mentions.lookup] finds users by name without regard to case, in the app only', async () => {
      const other = await store.directory.createApp('other', DEFAULT_APP_SETTINGS, T0);
      await newUser('dan', other);
      const found = await store.reads.findUsersByNames(app.id, ['ANN', 'Bob', 'dan', 'nobody']);
      expect(found.map((u) => u.username).sort()).toEqual(['Ann', 'bob']);
      expect(await store.reads.findUsersByNames(app.id, [])).toEqual([]);
    });

    it('[store.markers] creates markers, moves them forward only, and skips unknown rooms', async () => {
      expect(await store.reads.getMarker(ann.id, room.id)).toBeNull();
      await store.reads.saveMarkers([marker(ann, 3, true)]);
      expect(await store.reads.getMarker(ann.id, room.id)).toBe(3);
      await store.reads.saveMarkers([marker(ann, 7, true)]);
      expect(await store.reads.getMarker(ann.id, room.id)).toBe(3);
      await store.reads.saveMarkers([marker(ann, 5), marker(bob, 2)]);
      expect(await store.reads.getMarker(ann.id, room.id)).toBe(5);
      await store.reads.saveMarkers([marker(ann, 4)]);
      expect(await store.reads.getMarker(ann.id, room.id)).toBe(5);
      expect(await store.reads.getMarker(bob.id, room.id)).toBe(2);
      await store.reads.saveMarkers([
        { ...marker(ann, 1), roomId: 999_999 },
        { ...marker(ann, 1), userId: 999_999 },
      ]);
      expect(await store.reads.getMarker(ann.id, 999_999)).toBeNull();
      await store.reads.saveMarkers([]);
    });

    it('[store.unread] counts messages after the marker not written by the user, not deleted, visible to all, and mentions', async () => {
      const other = await newRoom('other');
      await store.reads.saveMarkers([marker(bob, 0), marker(bob, 0, false, other)]);
      await post(ann, 'one');
      await post(bob, 'mine');
      const mention = await post(ann, 'hey @bob', [bob.id]);
      const deleted = await post(ann, 'gone @bob', [bob.id]);
      await store.messages.remove(room.id, deleted.id, T0 + 1);
      await post(ann, 'four @bob', [bob.id]);
      await post(ann, 'elsewhere', [], other);
      // Held, shadow and hidden messages are not the reader's to see: they are not unread either.
      await post(ann, 'held @bob', [bob.id], room, 'held');
      await post(ann, 'shadow @bob', [bob.id], room, 'shadow');
      const hidden = await post(ann, 'hidden @bob', [bob.id], other);
      await store.reports.setVisibility(other.id, hidden.id, 'hidden');
      expect(await store.reads.unreadCounts(app.id, bob.id)).toEqual([
        { roomId: room.id, seq: 0, unread: 3, unreadMentions: 2 },
        { roomId: other.id, seq: 0, unread: 1, unreadMentions: 0 },
      ]);
      expect(await store.reads.countAfter(bob.id, room.id, mention.seq)).toEqual({
        unread: 1,
        unreadMentions: 1,
      });
      expect(await store.reads.countAfter(bob.id, room.id, 99)).toEqual({ unread: 0, unreadMentions: 0 });
      expect(await store.reads.unreadCounts(app.id, ann.id)).toEqual([]);
    });

    it("[store.receipts] lists a room's readers, furthest first, up to a limit", async () => {
      const cid = await newUser('cid');
      await store.reads.saveMarkers([marker(ann, 2), marker(bob, 5), marker(cid, 2)]);
      const avatarUrl = 'https://cdn.example.com/bob.png';
      await store.profiles.setProfile(app.id, bob.id, { displayName: 'Bob', avatarUrl });
      const ref = (u: User) => ({ id: u.id, username: u.username, role: 'member' });
      // A reader's profile comes with the receipt, as with every user reference.
      expect(await store.reads.listMarkers(room.id, 10)).toEqual([
        { user: { ...ref(bob), displayName: 'Bob', avatarUrl }, seq: 5 },
        { user: ref(ann), seq: 2 },
        { user: ref(cid), seq: 2 },
      ]);
      expect(await store.reads.listMarkers(room.id, 1)).toEqual([
        { user: { ...ref(bob), displayName: 'Bob', avatarUrl }, seq: 5 },
      ]);
      expect(await store.reads.listMarkers(999_999, 10)).toEqual([]);
    });

    it('[store.markers.cascade] a deleted room takes its markers and mentions with it', async () => {
      const doomed = await newRoom('doomed');
      await post(ann, '@bob', [bob.id], doomed);
      await store.reads.saveMarkers([marker(bob, 0, false, doomed)]);
      await store.directory.deleteRoom(app.id, doomed.id);
      expect(await store.reads.getMarker(bob.id, doomed.id)).toBeNull();
      expect(await store.reads.unreadCounts(app.id, bob.id)).toEqual([]);
    });
  });
}
