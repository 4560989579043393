import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ERASED_AUTHOR_NAME } from '../../src/core/dataProtection.js';
import type { App, Message, Room, User } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';

/** The data protection store (ports/dataProtectionStore.ts), run on every store next to storeContract. */
export function dataProtectionContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`data protection contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let alice: User;
    let bob: User;
    let room: Room;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      store = await open();
      app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      const user = (username: string) =>
        store.directory.createUser(
          app.id,
          { username, role: 'member', kind: 'account', passwordHash: null },
          T0,
        );
      alice = await user('alice');
      bob = await user('bob');
      room = await store.directory.createRoom(
        app.id,
        { name: 'general', visibility: 'public', createdBy: null },
        T0,
      );
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    async function post(author: User, text: string, at = T0, replyTo?: number): Promise<Message> {
      const { message } = await store.messages.append({
        appId: app.id,
        roomId: room.id,
        kind: 'text',
        authorId: author.id,
        text,
        html: text,
        clientMsgId: `${author.id}-${text}`,
        createdAt: at,
        ...(replyTo === undefined ? {} : { replyTo }),
      });
      return message;
    }

    it('[store.dp.export] pages the messages and sections of one user only, in cursor order', async () => {
      const mine = [await post(alice, 'a1'), await post(alice, 'a2'), await post(alice, 'a3')];
      const theirs = await post(bob, 'b1');
      await store.reactions.add({
        roomId: room.id,
        messageId: theirs.id,
        userId: alice.id,
        emoji: '👍',
        maxEmoji: 20,
        now: T0,
      });
      await store.directory.putMute({
        appId: app.id,
        userId: alice.id,
        roomId: null,
        expiresAt: null,
        reason: 'app',
        by: null,
        createdAt: T0,
      });
      await store.directory.putMute({
        appId: app.id,
        userId: alice.id,
        roomId: room.id,
        expiresAt: null,
        reason: 'room',
        by: null,
        createdAt: T0,
      });
      await store.directory.recordModeration({
        appId: app.id,
        kind: 'mute',
        actorId: bob.id,
        targetId: alice.id,
        roomId: null,
        detail: { minutes: 5 },
        createdAt: T0,
      });

      await store.reports.add({
        appId: app.id,
        roomId: room.id,
        messageId: theirs.id,
        reporterId: alice.id,
        reason: 'spam',
        text: 'ads',
        at: T0,
        establishedBefore: T0,
      });
      await store.reads.saveMarkers([
        { appId: app.id, userId: alice.id, roomId: room.id, seq: 2, createOnly: false },
      ]);
      const dp = store.dataProtection;
      const reports = await dp.section(app.id, alice.id, 'reports', { after: 0, limit: 5 });
      expect(reports.map((r) => r.row)).toEqual([
        expect.objectContaining({ messageId: theirs.id, reason: 'spam', text: 'ads' }),
      ]);
      const markers = await dp.section(app.id, alice.id, 'readMarkers', { after: 0, limit: 5 });
      expect(markers.map((r) => r.row)).toEqual([{ roomId: room.id, room: 'general', seq: 2 }]);
      const first = await dp.messagesBy(app.id, alice.id, { afterId: 0, limit: 2 });
      expect(first.map((m) => m.text)).toEqual(['a1', 'a2']);
      const rest = await dp.messagesBy(app.id, alice.id, { afterId: first[1]?.id ?? 0, limit: 2 });
      expect(rest.map((m) => m.id)).toEqual([mine[2]?.id]);
      expect(await dp.section(app.id, alice.id, 'reactions', { after: 0, limit: 10 })).toEqual([
        expect.objectContaining({ row: expect.objectContaining({ messageId: theirs.id, emoji: '👍' }) }),
      ]);
      const mutes = await dp.section(app.id, alice.id, 'mutes', { after: 0, limit: 1 });
      expect(mutes.map((r) => r.row.reason)).toEqual(['app']);
      const next = await dp.section(app.id, alice.id, 'mutes', { after: mutes[0]?.cursor ?? 0, limit: 5 });
      expect(next.map((r) => r.row.reason)).toEqual(['room']);
      const records = await dp.section(app.id, alice.id, 'moderation', { after: 0, limit: 5 });
      expect(records.map((r) => r.row)).toEqual([
        expect.objectContaining({ kind: 'mute', detail: { minutes: 5 } }),
      ]);
      expect(await dp.section(app.id, bob.id, 'mutes', { after: 0, limit: 5 })).toEqual([]);
    });

    it('[store.dp.erase] delete and anonymise in bounded batches; the user row goes with its records', async () => {
      const parent = await post(alice, 'parent');
      const reply = await post(bob, 'reply', T0, parent.id);
      await post(alice, 'second');
      await store.reactions.add({
        roomId: room.id,
        messageId: parent.id,
        userId: bob.id,
        emoji: '👍',
        maxEmoji: 20,
        now: T0,
      });
      const dp = store.dataProtection;
      const batch = await dp.eraseMessages(app.id, alice.id, 'delete', { now: T0 + 1, limit: 1 });
      expect(batch).toEqual([{ roomId: room.id, id: parent.id }]);
      const gone = await store.messages.get(room.id, parent.id);
      expect(gone).toMatchObject({
        text: '',
        deletedAt: T0 + 1,
        author: { id: 0, username: ERASED_AUTHOR_NAME },
      });
      expect(await store.messages.get(room.id, reply.id)).toMatchObject({
        text: 'reply',
        replyTo: { excerpt: '' },
      });
      const left = await dp.eraseMessages(app.id, alice.id, 'anonymise', { now: T0 + 2, limit: 5 });
      expect(left).toHaveLength(1);
      const kept = await store.messages.get(room.id, left[0]?.id ?? 0);
      expect(kept).toMatchObject({
        text: 'second',
        deletedAt: null,
        author: { username: ERASED_AUTHOR_NAME },
      });
      expect(await dp.eraseMessages(app.id, alice.id, 'delete', { now: T0, limit: 5 })).toEqual([]);

      const counts = await dp.removeUser(app.id, alice.id);
      expect(counts).toMatchObject({ tokens: 0, reactions: 0 });
      expect(await store.directory.getUser(app.id, alice.id)).toBeNull();
      expect(await dp.removeUser(app.id, alice.id)).toBeNull();
      // The name is free again.
      await store.directory.createUser(
        app.id,
        { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
        T0,
      );
    });

    it('[store.dp.erasures] records are kept and listed newest first, paged', async () => {
      const dp = store.dataProtection;
      const entry = {
        appId: app.id,
        at: T0,
        actor: 'operator',
        userId: 7,
        usernameHash: 'ab',
        messages: 'delete' as const,
      };
      const one = await dp.recordErasure({ ...entry, counts: { messages: 3 } });
      const two = await dp.recordErasure({ ...entry, userId: 8, counts: { messages: 0 } });
      expect(one).toMatchObject({ ...entry, counts: { messages: 3 } });
      expect((await dp.listErasures(app.id, { limit: 10 })).map((e) => e.id)).toEqual([two.id, one.id]);
      expect((await dp.listErasures(app.id, { limit: 10, beforeId: two.id })).map((e) => e.id)).toEqual([
        one.id,
      ]);
    });

    it('[store.dp.purge] removes only older messages, oldest first, at most `limit`; room retention stored', async () => {
      const old = [
        await post(alice, 'o1', T0),
        await post(alice, 'o2', T0 + 1),
        await post(bob, 'o3', T0 + 2),
      ];
      const reply = await post(bob, 'young reply', T0 + 10_000, old[0]?.id);
      await store.reactions.add({
        roomId: room.id,
        messageId: old[0]?.id ?? 0,
        userId: bob.id,
        emoji: '👍',
        maxEmoji: 20,
        now: T0,
      });
      await store.pins.pin({ roomId: room.id, messageId: old[0]?.id ?? 0, by: null, at: T0, max: 50 });
      const dp = store.dataProtection;
      expect(await dp.purgeRoom(room.id, T0 + 5_000, 2)).toEqual([old[0]?.id, old[1]?.id]);
      expect(await dp.purgeRoom(room.id, T0 + 5_000, 2)).toEqual([old[2]?.id]);
      expect(await dp.purgeRoom(room.id, T0 + 5_000, 2)).toEqual([]);
      const history = await store.messages.range(room.id, { limit: 10 });
      expect(history.map((m) => m.text)).toEqual(['young reply']);
      expect(history[0]).toMatchObject({ id: reply.id, replyTo: { excerpt: '' } });
      expect(await store.pins.list(room.id)).toEqual([]);
      expect(await store.messages.lastSeq(room.id)).toBe(4);

      await dp.setRoomRetention(app.id, room.id, 30);
      expect((await store.directory.getRoom(app.id, room.id))?.retentionDays).toBe(30);
      await dp.setRoomRetention(app.id, room.id, null);
      expect((await store.directory.getRoom(app.id, room.id))?.retentionDays).toBeNull();
      await dp.setRoomRetention(app.id, room.id, undefined);
      expect((await store.directory.getRoom(app.id, room.id))?.retentionDays).toBeUndefined();
    });

    it('[store.dp.lease] one holder at a time until it expires; the holder renews', async () => {
      const dp = store.dataProtection;
      expect(await dp.takeLease('job', 'a', T0, 100)).toBe(true);
      expect(await dp.takeLease('job', 'b', T0 + 50, 100)).toBe(false);
      expect(await dp.takeLease('job', 'a', T0 + 60, 100)).toBe(true);
      expect(await dp.takeLease('job', 'b', T0 + 150, 100)).toBe(false);
      expect(await dp.takeLease('job', 'b', T0 + 160, 100)).toBe(true);
      expect(await dp.takeLease('other', 'a', T0, 100)).toBe(true);
    });
  });
}
