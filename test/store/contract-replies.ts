import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError, type ErrorCode } from '../../src/core/errors.js';
import { REPLY_EXCERPT_MAX } from '../../src/core/replies.js';
import type { App, Message, Room, User } from '../../src/core/types.js';
import type { NewMessage, Store } from '../../src/engine/ports/store.js';

/**
 * The storage contract of replies and pins, run on every Store implementation beside storeContract. Test names
 * carry rule ids in brackets (`[store.reply.quote]`).
 */
export function repliesContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`store contract, replies and pins: ${name}`, () => {
    let store: Store;
    let app: App;
    let room: Room;
    let alice: User;
    let bob: User;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      store = await open();
      app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      alice = await store.directory.createUser(
        app.id,
        { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
        T0,
      );
      bob = await store.directory.createUser(
        app.id,
        { username: 'bob', role: 'mod', kind: 'account', passwordHash: null },
        T0,
      );
      room = await newRoom('general');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    async function newRoom(roomName: string): Promise<Room> {
      return store.directory.createRoom(
        app.id,
        { name: roomName, visibility: 'public', createdBy: null },
        T0,
      );
    }

    async function post(
      author: User,
      text: string,
      opts: { replyTo?: number; clientMsgId?: string; in?: Room } = {},
    ): Promise<Message> {
      const target = opts.in ?? room;
      const input: NewMessage = {
        appId: app.id,
        roomId: target.id,
        kind: 'text',
        authorId: author.id,
        text,
        html: `<p>${text}</p>`,
        clientMsgId: opts.clientMsgId ?? null,
        createdAt: T0 + 1,
        replyTo: opts.replyTo ?? null,
      };
      return (await store.messages.append(input)).message;
    }

    async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<ParleyError> {
      const error = await promise.then(
        () => null,
        (err: unknown) => err,
      );
      expect(error, `expected a ${code} error`).toBeInstanceOf(ParleyError);
      expect((error as ParleyError).code).toBe(code);
      return error as ParleyError;
    }

    const ref = (user: User) => ({ id: user.id, username: user.username, role: user.role });

    describe('replies', () => {
      it('[store.reply.quote] a reply keeps the parent id, its author and its first 200 characters', async () => {
        // Code points, not UTF-16 units: 150 two-unit emoji then plain text.
        const text = `${'😀'.repeat(150)}${'x'.repeat(100)}`;
        const parent = await post(alice, text);
        expect(parent.replyTo).toBeNull();
        expect(parent.replyCount).toBe(0);
        const reply = await post(bob, 'an answer', { replyTo: parent.id });
        const excerpt = [...text].slice(0, REPLY_EXCERPT_MAX).join('');
        expect(reply.replyTo).toEqual({ id: parent.id, author: ref(alice), excerpt, deleted: false });
        expect((await store.messages.get(room.id, parent.id))?.replyCount).toBe(1);
        // Every read shows the same quote.
        expect((await store.messages.get(room.id, reply.id))?.replyTo).toEqual(reply.replyTo);
        const [, read] = await store.messages.range(room.id, { limit: 10 });
        expect(read?.replyTo).toEqual(reply.replyTo);
        // A short parent is quoted whole; an edit of the parent leaves the quote as it was written.
        const short = await post(alice, 'short');
        const second = await post(bob, 'again', { replyTo: short.id });
        expect(second.replyTo?.excerpt).toBe('short');
        await store.messages.edit(room.id, short.id, 'changed', '<p>changed</p>', T0 + 5);
        expect((await store.messages.get(room.id, second.id))?.replyTo?.excerpt).toBe('short');
      });

      it('[store.reply.parent] a parent of another room, unknown or deleted is refused and takes no seq', async () => {
        const elsewhere = await newRoom('elsewhere');
        const foreign = await post(alice, 'over there', { in: elsewhere });
        const gone = await post(alice, 'soon gone');
        await store.messages.remove(room.id, gone.id, T0 + 2);
        const before = await store.messages.lastSeq(room.id);
        for (const parentId of [foreign.id, gone.id, foreign.id + 1000]) {
          const error = await failure(post(bob, 'reply', { replyTo: parentId }), 'not_found');
          expect(error.details).toEqual({ field: 'replyTo' });
        }
        expect(await store.messages.lastSeq(room.id)).toBe(before);
        expect((await store.messages.get(elsewhere.id, foreign.id))?.replyCount).toBe(0);
      });

      it('[store.reply.count] replyCount is exact: concurrent replies all count, a duplicate does not', async () => {
        const parent = await post(alice, 'parent');
        await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            post(bob, `r${i}`, { replyTo: parent.id, clientMsgId: `c${i}` }),
          ),
        );
        await post(bob, 'r0', { replyTo: parent.id, clientMsgId: 'c0' }); // a retry: the original comes back
        expect((await store.messages.get(room.id, parent.id))?.replyCount).toBe(8);
      });

      it('[store.reply.deleted] once the parent is deleted its replies say so and quote nothing', async () => {
        const parent = await post(alice, 'secret words');
        const reply = await post(bob, 'answer', { replyTo: parent.id });
        await store.messages.remove(room.id, parent.id, T0 + 3);
        const read = await store.messages.get(room.id, reply.id);
        expect(read?.replyTo).toEqual({ id: parent.id, author: ref(alice), excerpt: '', deleted: true });
        const page = await store.replies.range(room.id, parent.id, { limit: 10 });
        expect(page.map((m) => m.replyTo?.deleted)).toEqual([true]);
      });

      it('[store.reply.thread] the thread pages by seq as history does, replies only', async () => {
        const parent = await post(alice, 'parent');
        const other = await post(alice, 'other');
        const replies: Message[] = [];
        for (let i = 0; i < 5; i++) {
          replies.push(await post(bob, `r${i}`, { replyTo: parent.id }));
          await post(alice, `noise ${i}`, { replyTo: other.id });
        }
        const seqs = (list: Message[]) => list.map((m) => m.seq);
        const all = await store.replies.range(room.id, parent.id, { limit: 50 });
        expect(seqs(all)).toEqual(seqs(replies));
        const newest = await store.replies.range(room.id, parent.id, { limit: 2 });
        expect(seqs(newest)).toEqual(seqs(replies.slice(3)));
        const older = await store.replies.range(room.id, parent.id, {
          beforeSeq: newest[0]?.seq ?? 0,
          limit: 2,
        });
        expect(seqs(older)).toEqual(seqs(replies.slice(1, 3)));
        const after = await store.replies.range(room.id, parent.id, {
          afterSeq: replies[1]?.seq ?? 0,
          limit: 2,
        });
        expect(seqs(after)).toEqual(seqs(replies.slice(2, 4)));
        // The thread is the room's: the same id asked in another room has no replies.
        const elsewhere = await newRoom('elsewhere');
        expect(await store.replies.range(elsewhere.id, parent.id, { limit: 10 })).toEqual([]);
      });
    });

    describe('pins', () => {
      it('[store.pin.basic] pin, pin again (no change), list newest first, unpin', async () => {
        const first = await post(alice, 'first');
        const second = await post(alice, 'second');
        const pinned = await store.pins.pin({
          roomId: room.id,
          messageId: first.id,
          by: bob.id,
          at: T0 + 10,
          max: 50,
        });
        expect(pinned.added).toBe(true);
        expect(pinned.pin).toMatchObject({ pinnedBy: ref(bob), pinnedAt: T0 + 10 });
        expect(pinned.pin.message).toEqual(await store.messages.get(room.id, first.id));
        const again = await store.pins.pin({
          roomId: room.id,
          messageId: first.id,
          by: null,
          at: T0 + 20,
          max: 50,
        });
        expect(again).toEqual({ pin: pinned.pin, added: false });
        const byOperator = await store.pins.pin({
          roomId: room.id,
          messageId: second.id,
          by: null,
          at: T0 + 30,
          max: 50,
        });
        expect(byOperator.pin.pinnedBy).toBeNull();
        const list = await store.pins.list(room.id);
        expect(list.map((p) => p.message.id)).toEqual([second.id, first.id]);
        expect(await store.pins.unpin(room.id, first.id)).toBe(true);
        expect(await store.pins.unpin(room.id, first.id)).toBe(false);
        expect((await store.pins.list(room.id)).map((p) => p.message.id)).toEqual([second.id]);
      });

      it('[store.pin.refused] a message of another room, unknown or deleted cannot be pinned', async () => {
        const elsewhere = await newRoom('elsewhere');
        const foreign = await post(alice, 'over there', { in: elsewhere });
        const gone = await post(alice, 'gone');
        await store.messages.remove(room.id, gone.id, T0 + 2);
        for (const id of [foreign.id, gone.id, foreign.id + 1000]) {
          await failure(
            store.pins.pin({ roomId: room.id, messageId: id, by: bob.id, at: T0, max: 50 }),
            'not_found',
          );
        }
        expect(await store.pins.list(room.id)).toEqual([]);
      });

      it('[store.pin.bound] a room holds at most max pins, also when pins race; deleted ones do not count', async () => {
        const messages: Message[] = [];
        for (let i = 0; i < 6; i++) messages.push(await post(alice, `m${i}`));
        const ids = messages.map((m) => m.id);
        const outcomes = await Promise.allSettled(
          ids
            .slice(0, 5)
            .map((id, i) =>
              store.pins.pin({ roomId: room.id, messageId: id, by: bob.id, at: T0 + i, max: 3 }),
            ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
        const refused = outcomes.find((o) => o.status === 'rejected');
        expect(refused?.status === 'rejected' ? refused.reason : null).toMatchObject({
          code: 'conflict',
          details: { max: 3 },
        });
        const pinned = (await store.pins.list(room.id)).map((p) => p.message.id);
        expect(pinned).toHaveLength(3);
        // A deleted pinned message leaves the list and frees its place, even before it is unpinned.
        await store.messages.remove(room.id, pinned[0] ?? 0, T0 + 9);
        expect(await store.pins.list(room.id)).toHaveLength(2);
        const spare = ids.find((id) => !pinned.includes(id)) ?? 0;
        expect(
          (await store.pins.pin({ roomId: room.id, messageId: spare, by: bob.id, at: T0 + 10, max: 3 }))
            .added,
        ).toBe(true);
      });

      it('[store.pin.room] deleting the room removes its pins', async () => {
        const message = await post(alice, 'pinned');
        await store.pins.pin({ roomId: room.id, messageId: message.id, by: bob.id, at: T0, max: 50 });
        await store.directory.deleteRoom(app.id, room.id);
        expect(await store.pins.list(room.id)).toEqual([]);
        await failure(
          store.pins.pin({ roomId: room.id, messageId: message.id, by: bob.id, at: T0, max: 50 }),
          'not_found',
        );
      });
    });
  });
}
