import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { parseSearchQuery } from '../../src/core/search.js';
import type { App, Room, RoomVisibility, User } from '../../src/core/types.js';
import type { SearchRequest, SearchViewer } from '../../src/engine/ports/searchStore.js';
import type { Store } from '../../src/engine/ports/store.js';

/**
 * The search contract (src/engine/ports/searchStore.ts): every store runs it, so that a word found on SQLite
 * (FTS5) is found on PostgreSQL (tsvector + GIN) and the other way round. `open` returns an empty store;
 * `cleanup` closes it (default: close).
 */
export function searchContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`search contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let alice: User;
    let bob: User;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      store = await open();
      app = await store.directory.createApp('searching', DEFAULT_APP_SETTINGS, T0);
      alice = await user(app, 'alice');
      bob = await user(app, 'bob');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    function user(of: App, username: string): Promise<User> {
      return store.directory.createUser(
        of.id,
        { username, role: 'member', kind: 'account', passwordHash: null },
        T0,
      );
    }

    function room(roomName: string, visibility: RoomVisibility = 'public', of: App = app): Promise<Room> {
      return store.directory.createRoom(of.id, { name: roomName, visibility, createdBy: null }, T0);
    }

    async function post(where: Room, text: string, author: User = alice): Promise<number> {
      const { message } = await store.messages.append({
        appId: where.appId,
        roomId: where.id,
        kind: 'text',
        authorId: author.id,
        text,
        html: `<p>${text}</p>`,
        clientMsgId: null,
        createdAt: T0,
      });
      return message.id;
    }

    /** The ids found for `q` (parsed as the engine parses it), as `viewer` (default: everything, the operator). */
    async function find(
      q: string,
      opts: Partial<Omit<SearchRequest, 'words' | 'prefix'>> = {},
    ): Promise<number[]> {
      const terms = parseSearchQuery(q);
      const rows = await store.search.search({
        appId: app.id,
        words: terms.words,
        prefix: terms.prefix,
        viewer: null,
        limit: 50,
        ...opts,
      });
      return rows.map((row) => row.message.id);
    }

    it('[store.search.word] finds the messages holding a word, whole words only, every word required', async () => {
      const general = await room('general');
      const hit = await post(general, 'The quick brown fox');
      const other = await post(general, 'A lazy dog sleeps');
      const both = await post(general, 'quick dog');
      expect(await find('fox')).toEqual([hit]);
      expect(await find('dog')).toEqual([both, other]);
      expect(await find('quick dog')).toEqual([both]);
      expect(await find('cat')).toEqual([]);
      // Whole words: "row" is not found inside "brown" (only the last word is a prefix, and only at its start).
      expect(await find('row')).toEqual([]);
      const rows = await store.search.search({
        appId: app.id,
        words: ['fox'],
        prefix: false,
        viewer: null,
        limit: 10,
      });
      expect(rows).toHaveLength(1);
      expect(rows[0]?.roomName).toBe('general');
      expect(rows[0]?.message).toEqual(await store.messages.get(general.id, hit));
    });

    it('[store.search.case] matching is case-insensitive both ways', async () => {
      const general = await room('general');
      const upper = await post(general, 'HELLO World');
      const lower = await post(general, 'hello world');
      expect(await find('hello')).toEqual([lower, upper]);
      expect(await find('WORLD')).toEqual([lower, upper]);
      expect(await find('hElLo wOrLd')).toEqual([lower, upper]);
    });

    it('[store.search.prefix] the last word matches as a prefix, the others whole', async () => {
      const general = await room('general');
      const hello = await post(general, 'hello there');
      await post(general, 'help wanted');
      expect(await find('hell')).toEqual([hello]);
      expect(await find('hel')).toHaveLength(2);
      expect(await find('the hello')).toEqual([]);
      expect(await find('hello the')).toEqual([hello]);
      const exact = await store.search.search({
        appId: app.id,
        words: ['hell'],
        prefix: false,
        viewer: null,
        limit: 10,
      });
      expect(exact).toEqual([]);
    });

    it('[store.search.order] newest first, paged by id: a page never moves when newer messages arrive', async () => {
      const general = await room('general');
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await post(general, `ping number ${i}`));
        await post(general, `noise ${i}`);
      }
      const newestFirst = [...ids].reverse();
      const first = await find('ping', { limit: 2 });
      expect(first).toEqual(newestFirst.slice(0, 2));
      // A new match arrives between pages: the next page (below the cursor) is unchanged.
      const late = await post(general, 'ping late');
      const second = await find('ping', { limit: 2, beforeId: first[1] as number });
      expect(second).toEqual(newestFirst.slice(2, 4));
      const third = await find('ping', { limit: 2, beforeId: second[1] as number });
      expect(third).toEqual(newestFirst.slice(4));
      expect(await find('ping', { limit: 1 })).toEqual([late]);
    });

    it('[store.search.room] a room filter keeps only that room; other apps are never searched', async () => {
      const general = await room('general');
      const random = await room('random');
      const inGeneral = await post(general, 'shared word');
      const inRandom = await post(random, 'shared word');
      const otherApp = await store.directory.createApp('other', DEFAULT_APP_SETTINGS, T0);
      const stranger = await user(otherApp, 'stranger');
      await post(await room('general', 'public', otherApp), 'shared word', stranger);
      expect(await find('shared', { roomId: general.id })).toEqual([inGeneral]);
      expect(await find('shared', { roomId: random.id })).toEqual([inRandom]);
      expect(await find('shared')).toEqual([inRandom, inGeneral]);
    });

    it('[store.search.visibility] private rooms only for members, staff that sees every room and the operator', async () => {
      const lobby = await room('lobby');
      const secret = await room('secret', 'private');
      await store.directory.addRoomMember(secret.id, alice.id);
      const open = await post(lobby, 'launch plans');
      const hidden = await post(secret, 'launch plans', alice);
      const asViewer = (viewer: SearchViewer) => find('launch', { viewer });
      expect(await asViewer({ userId: bob.id, everyRoom: false })).toEqual([open]);
      expect(await asViewer({ userId: alice.id, everyRoom: false })).toEqual([hidden, open]);
      expect(await asViewer({ userId: bob.id, everyRoom: true })).toEqual([hidden, open]);
      expect(await find('launch')).toEqual([hidden, open]);
      // A room filter does not widen what the viewer sees.
      expect(
        await find('launch', { viewer: { userId: bob.id, everyRoom: false }, roomId: secret.id }),
      ).toEqual([]);
      await store.directory.removeRoomMember(secret.id, alice.id);
      expect(await asViewer({ userId: alice.id, everyRoom: false })).toEqual([open]);
    });

    it('[store.search.deleted] a deleted message is never found, nor the messages of a removed room', async () => {
      const general = await room('general');
      const gone = await room('gone');
      const kept = await post(general, 'secret recipe');
      const deleted = await post(general, 'secret sauce');
      const inGone = await post(gone, 'secret room');
      await store.messages.remove(general.id, deleted, T0 + 5);
      expect(await find('secret')).toEqual([inGone, kept]);
      expect(await find('sauce')).toEqual([]);
      await store.directory.deleteRoom(app.id, gone.id);
      expect(await find('secret')).toEqual([kept]);
      // Deleting again (idempotent) and new messages keep the index consistent.
      await store.messages.remove(general.id, deleted, T0 + 6);
      const later = await post(general, 'secret again');
      expect(await find('secret')).toEqual([later, kept]);
    });

    it('[store.search.edit] an edit is re-indexed: the old words are gone, the new ones found', async () => {
      const general = await room('general');
      const id = await post(general, 'meeting on monday');
      await store.messages.edit(general.id, id, 'meeting on tuesday', '<p>meeting on tuesday</p>', T0 + 1);
      expect(await find('monday')).toEqual([]);
      expect(await find('tuesday')).toEqual([id]);
      expect(await find('meeting')).toEqual([id]);
      await store.messages.edit(general.id, id, 'cancelled', '<p>cancelled</p>', T0 + 2);
      expect(await find('meeting')).toEqual([]);
      expect(await find('cancelled')).toEqual([id]);
    });

    it('[store.search.unicode] words of any script, digits and accents are matched as typed', async () => {
      const general = await room('general');
      const cafe = await post(general, 'Un café à Zürich, 2024!');
      const kyiv = await post(general, 'Привіт з Києва');
      expect(await find('café')).toEqual([cafe]);
      expect(await find('zürich 2024')).toEqual([cafe]);
      expect(await find('привіт')).toEqual([kyiv]);
      expect(await find('Києва')).toEqual([kyiv]);
      // Accents are kept on both stores: "cafe" is another word.
      expect(await find('cafe')).toEqual([]);
    });

    it('[store.search.hostile] operators, quotes and SQL in a query are plain text: results or none, never an error', async () => {
      const general = await room('general');
      const target = await post(general, 'near and or not drop table users');
      const hostile = [
        '"',
        "'",
        '""',
        "''",
        '\\',
        '\\"',
        "\\'",
        'NEAR(',
        'NEAR(a b, 2)',
        '*',
        'a*',
        '^near',
        'text:near',
        'text : drop',
        'AND OR NOT',
        'near AND drop',
        'NOT near',
        '& | ! ( )',
        'near & !drop | (users)',
        "near:* & drop:A <-> users'",
        "'; DROP TABLE messages; --",
        '" OR 1=1 --',
        '%_%',
        'users) OR (1',
        '{text}: near',
        '- + @ ~ < >',
        '\u0000 near',
        '🙂 ✓ ∑',
        'İstanbul ǅ ß ﬁ',
        'near\nand\tor',
      ];
      for (const q of hostile) {
        const found = await find(q);
        expect(Array.isArray(found), q).toBe(true);
        expect(
          found.every((id) => id === target),
          q,
        ).toBe(true);
      }
      expect(await find('NEAR(drop')).toEqual([target]);
      expect(await find("'; DROP TABLE users; --")).toEqual([target]);
      expect(await find('near AND or NOT')).toEqual([target]);
      // The stores quote what they are given, even words the engine never hands them.
      for (const word of ['"', "'", '\\', 'a"b', "a'b", 'near(', '*', ':*', '&', '!']) {
        const rows = await store.search.search({
          appId: app.id,
          words: [word, 'near'],
          prefix: true,
          viewer: null,
          limit: 5,
        });
        expect(Array.isArray(rows), word).toBe(true);
      }
      // The table is still there.
      expect(await find('drop')).toEqual([target]);
    });
  });
}
