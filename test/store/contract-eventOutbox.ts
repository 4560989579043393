import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';
import type { EventOutbox, NewDelivery } from '../../src/engine/ports/webhookStore.js';

/**
 * The events that are not message changes, written by the store in the change's own transaction
 * (ports/webhookStore.ts, EventOutbox): reactions, reports and holds, moderation records and new users. Each row
 * is in the outbox as soon as the write returns, made from what the transaction wrote; an outbox that fails takes
 * the change down with it. Run on every store next to storeContract.
 */
export function eventOutboxContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`event outbox contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let alice: User;
    let bob: User;
    let room: Room;
    let hookId: number;
    let messageId: number;
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
        { name: 'r', visibility: 'public', createdBy: null },
        T0,
      );
      const posted = await store.messages.append({
        ...{ appId: app.id, roomId: room.id, kind: 'text', authorId: alice.id, text: 'hi', html: 'hi' },
        ...{ clientMsgId: null, createdAt: T0 },
      });
      messageId = posted.message.id;
      const hook = await store.webhooks.create({
        ...{ appId: app.id, url: 'https://example.com/hook', secret: 'a-secret-of-sixteen' },
        ...{ events: ['*'], enabled: true, now: T0 },
      });
      hookId = hook.id;
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    /** An outbox that records what it was made from, its one event named by `describe`. */
    function outbox<T>(type: string, describe: (row: T) => string): EventOutbox<T> & { seen: T[] } {
      const seen: T[] = [];
      const build = (row: T): NewDelivery[] => {
        seen.push(row);
        const eventId = `${type}:${describe(row)}`;
        const body = JSON.stringify({ id: eventId });
        return [{ appId: app.id, webhookId: hookId, eventId, type, orderKey: 'app', body, createdAt: T0 }];
      };
      return Object.assign(build, { seen });
    }
    const failing = (): never => {
      throw new Error('outbox refused');
    };
    const events = async () =>
      (await store.webhooks.deliveries(app.id, hookId, { limit: 50 })).map((d) => d.eventId).reverse();
    const reaction = { roomId: 0, messageId: 0, userId: 0, emoji: '👍' };
    const key = () => ({ ...reaction, roomId: room.id, messageId, userId: bob.id });
    const react = (out?: EventOutbox<number>) =>
      store.reactions.add({ ...key(), maxEmoji: 20, now: T0 }, out);
    const counts = async () => (await store.reactions.summarize([messageId], null)).get(messageId) ?? [];

    it('[store.events.reaction] add and remove write reaction.changed with the count, only when they change', async () => {
      const added = outbox<number>('reaction.changed', (count) => `+${count}`);
      expect(await react(added)).toEqual({ outcome: 'added', count: 1 });
      expect(await events()).toEqual(['reaction.changed:+1']);
      // Already there, or not there: nothing changed, no event.
      expect((await react(added)).outcome).toBe('present');
      const removed = outbox<number>('reaction.changed', (count) => `-${count}`);
      expect(await store.reactions.remove(key(), removed)).toEqual({ removed: true, count: 0 });
      expect(await store.reactions.remove(key(), removed)).toEqual({ removed: false, count: 0 });
      expect(await events()).toEqual(['reaction.changed:+1', 'reaction.changed:-0']);
      expect([added.seen, removed.seen]).toEqual([[1], [0]]);
    });

    it('[store.events.reaction-tx] an outbox that fails takes the reaction change down with it', async () => {
      await expect(react(failing)).rejects.toThrow();
      expect(await counts()).toEqual([]);
      await react();
      await expect(store.reactions.remove(key(), failing)).rejects.toThrow();
      expect((await counts()).map((c) => c.count)).toEqual([1]);
      expect(await events()).toEqual([]);
    });

    const report = (out?: Parameters<Store['reports']['add']>[1]) =>
      store.reports.add(
        {
          ...{ appId: app.id, roomId: room.id, messageId, reporterId: bob.id, reason: 'spam', text: '' },
          ...{ at: T0, establishedBefore: T0 },
        },
        out,
      );

    it('[store.events.report] a report and a hold write report.created with the queue entry', async () => {
      const made = outbox<{ messageId: number; reporters: number }>(
        'report.created',
        (e) => `${e.reporters}`,
      );
      expect((await report(made)).added).toBe(true);
      expect(await events()).toEqual(['report.created:1']);
      // The same reporter again changes nothing: no event.
      expect((await report(made)).added).toBe(false);
      expect(made.seen.map((e) => e.messageId)).toEqual([messageId]);
      await store.reports.resolve(app.id, messageId, { action: 'dismiss', by: null, at: T0, note: '' });
      const held = outbox<{ messageId: number; status: string }>('report.created', (e) => e.status);
      await store.reports.hold(app.id, room.id, messageId, T0 + 1, held);
      expect(await events()).toEqual(['report.created:1', 'report.created:open']);
      expect(held.seen.map((e) => e.messageId)).toEqual([messageId]);
    });

    it('[store.events.report-tx] an outbox that fails takes the report and the hold down with it', async () => {
      await expect(report(failing)).rejects.toThrow();
      expect(await store.reports.entry(app.id, messageId)).toBeNull();
      expect(await store.reports.reports(messageId, 10)).toEqual([]);
      await expect(store.reports.hold(app.id, room.id, messageId, T0, failing)).rejects.toThrow();
      expect(await store.reports.entry(app.id, messageId)).toBeNull();
      expect(await events()).toEqual([]);
    });

    const record = {
      ...{ kind: 'mute' as const, actorId: null, targetId: 0, roomId: null },
      ...{ detail: { reason: 'loud' }, createdAt: T0 },
    };

    it('[store.events.moderation] a moderation record writes its event with the record and its id', async () => {
      const made = outbox<{ id: number; kind: string }>('moderation.mute', (r) => `${r.kind}`);
      const written = await store.directory.recordModeration(
        { ...record, appId: app.id, targetId: bob.id },
        made,
      );
      expect(await events()).toEqual(['moderation.mute:mute']);
      expect(made.seen).toEqual([written]);
      expect(written.id).toBeGreaterThan(0);
    });

    it('[store.events.moderation-tx] an outbox that fails takes the moderation record down with it', async () => {
      const entry = { ...record, appId: app.id, targetId: bob.id };
      await expect(store.directory.recordModeration(entry, failing)).rejects.toThrow();
      expect(await store.directory.listModeration(app.id, { limit: 10 })).toEqual([]);
      expect(await events()).toEqual([]);
    });

    const carol = {
      username: 'carol',
      role: 'member' as const,
      kind: 'account' as const,
      passwordHash: null,
    };

    it('[store.events.user] creating a user writes user.created with the stored user', async () => {
      const made = outbox<User>('user.created', (u) => u.username);
      const created = await store.directory.createUser(app.id, carol, T0, made);
      expect(await events()).toEqual(['user.created:carol']);
      expect(made.seen).toEqual([created]);
      // A taken name is a conflict, as without an outbox, and writes nothing.
      await expect(store.directory.createUser(app.id, carol, T0, made)).rejects.toMatchObject({
        code: 'conflict',
      });
      expect(await events()).toEqual(['user.created:carol']);
    });

    it('[store.events.user-tx] an outbox that fails takes the new user down with it', async () => {
      await expect(store.directory.createUser(app.id, carol, T0, failing)).rejects.toThrow();
      expect(await store.directory.findUserByName(app.id, 'carol')).toBeNull();
      expect(await events()).toEqual([]);
    });
  });
}
