import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, Message, Room, User, UserKind } from '../../src/core/types.js';
import type { NewReaction } from '../../src/engine/ports/reactionStore.js';
import type { Store } from '../../src/engine/ports/store.js';

/**
 * The reactions' part of the storage contract, run for every store: idempotent adds and removes, the bound on
 * distinct emoji (held under concurrent adds), deleted messages refused, a page's counts in one call (most
 * used first, then first use, `me` only for a reader), and rows gone with their room or their user.
 */
export function reactionStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`store contract: ${name}: reactions`, () => {
    let store: Store;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    async function setup(users: string[], kind: UserKind = 'account') {
      const app: App = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      const room: Room = await store.directory.createRoom(
        app.id,
        { name: 'lobby', visibility: 'public', createdBy: null },
        T0,
      );
      const people: User[] = [];
      for (const username of users) {
        const role = kind === 'guest' ? 'guest' : 'member';
        people.push(
          await store.directory.createUser(app.id, { username, role, kind, passwordHash: null }, T0),
        );
      }
      const post = async (text: string): Promise<Message> => {
        const input = {
          appId: app.id,
          roomId: room.id,
          kind: 'text' as const,
          authorId: people[0]?.id ?? null,
          text,
          html: text,
          clientMsgId: null,
          createdAt: T0,
        };
        return (await store.messages.append(input)).message;
      };
      return { app, room, people, post };
    }

    function reaction(room: Room, message: Message, user: User, emoji: string, maxEmoji = 20): NewReaction {
      return { roomId: room.id, messageId: message.id, userId: user.id, emoji, maxEmoji, now: T0 };
    }

    function user(people: User[], i: number): User {
      const found = people[i];
      if (!found) throw new Error(`no user ${i}`);
      return found;
    }

    it('[store.reactions.idempotent] adding twice counts once; removing what is not there changes nothing', async () => {
      const { room, people, post } = await setup(['ann', 'bob']);
      const m = await post('hello');
      const [ann, bob] = [user(people, 0), user(people, 1)];
      expect(await store.reactions.add(reaction(room, m, ann, '👍'))).toEqual({ outcome: 'added', count: 1 });
      expect(await store.reactions.add(reaction(room, m, ann, '👍'))).toEqual({
        outcome: 'present',
        count: 1,
      });
      expect(await store.reactions.add(reaction(room, m, bob, '👍'))).toEqual({ outcome: 'added', count: 2 });
      const key = { roomId: room.id, messageId: m.id, userId: ann.id, emoji: '👍' };
      expect(await store.reactions.remove(key)).toEqual({ removed: true, count: 1 });
      expect(await store.reactions.remove(key)).toEqual({ removed: false, count: 1 });
      expect(await store.reactions.remove({ ...key, emoji: '🎉' })).toEqual({ removed: false, count: 0 });
      const summary = await store.reactions.summarize([m.id], ann.id);
      expect(summary.get(m.id)).toEqual([{ emoji: '👍', count: 1, me: false }]);
    });

    it('[store.reactions.bound] a new emoji past maxEmoji is refused; more users on an existing one are not', async () => {
      const { room, people, post } = await setup(['ann', 'bob']);
      const m = await post('hello');
      const [ann, bob] = [user(people, 0), user(people, 1)];
      for (const emoji of ['👍', '🎉', '❤️']) {
        expect((await store.reactions.add(reaction(room, m, ann, emoji, 3))).outcome).toBe('added');
      }
      expect(await store.reactions.add(reaction(room, m, bob, '🙂', 3))).toEqual({
        outcome: 'full',
        count: 0,
      });
      expect(await store.reactions.add(reaction(room, m, bob, '🎉', 3))).toEqual({
        outcome: 'added',
        count: 2,
      });
      // Once an emoji is taken back by everyone, its slot is free again.
      await store.reactions.remove({ roomId: room.id, messageId: m.id, userId: ann.id, emoji: '👍' });
      expect((await store.reactions.add(reaction(room, m, bob, '🙂', 3))).outcome).toBe('added');
      expect((await store.reactions.summarize([m.id], null)).get(m.id)?.length).toBe(3);
    });

    it('[store.reactions.bound-concurrent] concurrent adds of new emoji never pass the bound', async () => {
      const names = Array.from({ length: 8 }, (_, i) => `u${i}`);
      const { room, people, post } = await setup(names);
      const m = await post('race');
      const emoji = ['👍', '🎉', '❤️', '🙂', '🚀', '👀', '🔥', '😂'];
      const outcomes = await Promise.all(
        people.map((p, i) => store.reactions.add(reaction(room, m, p, emoji[i] ?? '👍', 3))),
      );
      expect(outcomes.filter((o) => o.outcome === 'added')).toHaveLength(3);
      expect(outcomes.filter((o) => o.outcome === 'full')).toHaveLength(5);
      expect((await store.reactions.summarize([m.id], null)).get(m.id)).toHaveLength(3);
    });

    it('[store.reactions.gone] a deleted message, or one of another room, takes no reaction', async () => {
      const { app, room, people, post } = await setup(['ann']);
      const ann = user(people, 0);
      const m = await post('soon gone');
      await store.messages.remove(room.id, m.id, T0 + 1);
      expect(await store.reactions.add(reaction(room, m, ann, '👍'))).toEqual({ outcome: 'gone', count: 0 });
      const other = await store.directory.createRoom(
        app.id,
        { name: 'other', visibility: 'public', createdBy: null },
        T0,
      );
      const live = await post('here');
      expect((await store.reactions.add(reaction(other, live, ann, '👍'))).outcome).toBe('gone');
      expect(await store.reactions.summarize([m.id, live.id], ann.id)).toEqual(new Map());
    });

    it('[store.reactions.summary] a page in one call: most used first, then first use; me only for a reader', async () => {
      const { room, people, post } = await setup(['ann', 'bob', 'cid']);
      const [ann, bob, cid] = [user(people, 0), user(people, 1), user(people, 2)];
      const m1 = await post('one');
      const m2 = await post('two');
      const m3 = await post('three, no reactions');
      // m1: 🎉 first (1 user), then 👍 (2 users), then 🚀 (1 user): 👍, 🎉, 🚀.
      await store.reactions.add(reaction(room, m1, ann, '🎉'));
      await store.reactions.add(reaction(room, m1, bob, '👍'));
      await store.reactions.add(reaction(room, m1, cid, '👍'));
      await store.reactions.add(reaction(room, m1, cid, '🚀'));
      await store.reactions.add(reaction(room, m2, bob, '👨‍👩‍👧‍👦'));
      const forAnn = await store.reactions.summarize([m1.id, m2.id, m3.id], ann.id);
      expect(forAnn.get(m1.id)).toEqual([
        { emoji: '👍', count: 2, me: false },
        { emoji: '🎉', count: 1, me: true },
        { emoji: '🚀', count: 1, me: false },
      ]);
      expect(forAnn.get(m2.id)).toEqual([{ emoji: '👨‍👩‍👧‍👦', count: 1, me: false }]);
      expect(forAnn.has(m3.id)).toBe(false);
      const forAll = await store.reactions.summarize([m1.id], null);
      expect(forAll.get(m1.id)).toEqual([
        { emoji: '👍', count: 2 },
        { emoji: '🎉', count: 1 },
        { emoji: '🚀', count: 1 },
      ]);
      expect(forAll.get(m1.id)?.[0]).not.toHaveProperty('me');
      expect(await store.reactions.summarize([], ann.id)).toEqual(new Map());
    });

    it('[store.reactions.cascade] reactions go with their room, and with a removed guest', async () => {
      const { app, room, people, post } = await setup(['g1', 'g2'], 'guest');
      const [g1, g2] = [user(people, 0), user(people, 1)];
      const m = await post('hi');
      await store.reactions.add(reaction(room, m, g1, '👍'));
      await store.reactions.add(reaction(room, m, g2, '👍'));
      const rule = { seenBefore: T0 + 1, now: T0 + 2 };
      expect(await store.guests.remove(app.id, [g1.id], rule)).toBe(1);
      expect((await store.reactions.summarize([m.id], null)).get(m.id)).toEqual([{ emoji: '👍', count: 1 }]);
      await store.directory.deleteRoom(app.id, room.id);
      expect(await store.reactions.summarize([m.id], null)).toEqual(new Map());
    });
  });
}
