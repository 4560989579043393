import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';
import type { MessageOutbox, NewDelivery } from '../../src/engine/ports/webhookStore.js';

/**
 * Outgoing webhooks in the store (ports/webhookStore.ts): the outbox written in the message log's own
 * transactions, the claim (head of each endpoint's queue, leases), outcomes, the log and redelivery. Run on
 * every store next to storeContract.
 */
export function webhookStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`webhook store contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let alice: User;
    let room: Room;
    let other: Room;
    let hookId: number;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      store = await open();
      app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      alice = await store.directory.createUser(
        app.id,
        { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
        T0,
      );
      const makeRoom = (roomName: string) =>
        store.directory.createRoom(app.id, { name: roomName, visibility: 'public', createdBy: null }, T0);
      room = await makeRoom('general');
      other = await makeRoom('other');
      const hook = await store.webhooks.create({
        appId: app.id,
        url: 'https://example.com/hook',
        secret: 'a-secret-of-sixteen',
        events: ['*'],
        enabled: true,
        now: T0,
      });
      hookId = hook.id;
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    const delivery = (key: string, eventId: string, type = 'test.event'): NewDelivery => ({
      appId: app.id,
      webhookId: hookId,
      eventId,
      type,
      orderKey: key,
      body: JSON.stringify({ id: eventId }),
      createdAt: T0,
    });
    const outbox = (type: MessageOutbox['type'], webhookIds = [hookId]): MessageOutbox => ({
      appId: app.id,
      type,
      orderKey: `room:${room.id}`,
      webhookIds,
      eventId: type,
      createdAt: T0,
      room: { id: room.id, name: room.name },
    });
    const post = (text: string, extra: { outbox?: MessageOutbox; clientMsgId?: string } = {}) =>
      store.messages.append({
        appId: app.id,
        roomId: room.id,
        kind: 'text',
        authorId: alice.id,
        text,
        html: text,
        clientMsgId: extra.clientMsgId ?? null,
        createdAt: T0,
        ...(extra.outbox ? { outbox: extra.outbox } : {}),
      });
    const claim = (node: string, now = T0, limit = 10) =>
      store.webhooks.claim({ node, now, leaseMs: 1000, limit });
    const log = async () => store.webhooks.deliveries(app.id, hookId, { limit: 50 });

    it('[store.webhooks.outbox] message writes put their events in the outbox, with the committed seq', async () => {
      const first = await post('one', { outbox: outbox('message.created'), clientMsgId: 'c1' });
      // A duplicate (same clientMsgId) is no new message: no new event.
      await post('one', { outbox: outbox('message.created'), clientMsgId: 'c1' });
      await store.messages.edit(
        room.id,
        first.message.id,
        'two',
        'two',
        T0 + 1,
        undefined,
        outbox('message.edited'),
      );
      await store.messages.remove(room.id, first.message.id, T0 + 2, outbox('message.deleted'));
      const rows = (await log()).reverse();
      expect(rows.map((d) => d.eventId)).toEqual(['message.created', 'message.edited', 'message.deleted']);
      expect(rows.every((d) => d.status === 'pending' && d.orderKey === `room:${room.id}`)).toBe(true);
      const [created] = await claim('n1');
      expect(JSON.parse(created?.body ?? '{}')).toMatchObject({
        id: 'message.created',
        type: 'message.created',
        data: { room: { id: room.id }, message: { id: first.message.id, seq: 1, text: 'one' } },
      });
    });

    it('[store.webhooks.same-transaction] an outbox that fails takes the message down with it', async () => {
      // An endpoint that does not exist: the outbox row breaks its foreign key.
      const failing = outbox('message.created', [hookId + 1000]);
      await expect(post('lost', { outbox: failing })).rejects.toThrow();
      expect(await store.messages.lastSeq(room.id)).toBe(0);
      const kept = await post('kept');
      await expect(
        store.messages.edit(room.id, kept.message.id, 'changed', 'changed', T0, undefined, failing),
      ).rejects.toThrow();
      await expect(store.messages.remove(room.id, kept.message.id, T0, failing)).rejects.toThrow();
      expect(await store.messages.get(room.id, kept.message.id)).toMatchObject({
        text: 'kept',
        deletedAt: null,
      });
      expect(await log()).toEqual([]);
    });

    it('[store.webhooks.claim-order] only the head of each room queue is claimed, in order', async () => {
      const key = `room:${room.id}`;
      await store.webhooks.enqueue([
        delivery(key, 'a1'),
        delivery(key, 'a2'),
        delivery(`room:${other.id}`, 'b1'),
      ]);
      const firstClaim = await claim('n1');
      expect(firstClaim.map((d) => d.eventId)).toEqual(['a1', 'b1']);
      expect(firstClaim[0]).toMatchObject({
        attempts: 1,
        url: 'https://example.com/hook',
        secret: 'a-secret-of-sixteen',
      });
      expect(await claim('n2')).toEqual([]);
      const a1 = firstClaim[0]!;
      // A retry that is not yet due still holds its room's queue.
      expect(
        await store.webhooks.finish('n1', [
          {
            id: a1.id,
            outcome: {
              status: 'failed-retrying',
              httpStatus: 500,
              failure: 'status',
              nextAttemptAt: T0 + 500,
            },
          },
        ]),
      ).toEqual([a1.id]);
      expect(await claim('n2', T0 + 10)).toEqual([]);
      const retried = await claim('n2', T0 + 600);
      expect(retried.map((d) => [d.eventId, d.attempts])).toEqual([['a1', 2]]);
      await store.webhooks.finish('n2', [
        { id: retried[0]!.id, outcome: { status: 'delivered', httpStatus: 200, at: T0 + 601 } },
      ]);
      expect((await claim('n1', T0 + 602)).map((d) => d.eventId)).toEqual(['a2']);
    });

    it('[store.webhooks.lease] a claim runs out and is retaken; the old holder can no longer finish it', async () => {
      await store.webhooks.enqueue([delivery(`room:${room.id}`, 'e1')]);
      const [held] = await claim('dead-node');
      expect(await claim('n2', T0 + 999)).toEqual([]);
      const [retaken] = await claim('n2', T0 + 1001);
      expect(retaken).toMatchObject({ eventId: 'e1', attempts: 2 });
      expect(
        await store.webhooks.finish('dead-node', [
          { id: held!.id, outcome: { status: 'delivered', httpStatus: 200, at: T0 } },
        ]),
      ).toEqual([]);
      expect(
        await store.webhooks.finish('n2', [
          { id: held!.id, outcome: { status: 'delivered', httpStatus: 200, at: T0 } },
        ]),
      ).toEqual([held!.id]);
      expect(await store.webhooks.backlog()).toBe(0);
    });

    it('[store.webhooks.heads] every queue of every endpoint has its head claimed at once, oldest first', async () => {
      const second = await store.webhooks.create({
        appId: app.id,
        url: 'https://example.com/second',
        secret: 'another-secret-of-16',
        events: ['*'],
        enabled: true,
        now: T0,
      });
      const rows: NewDelivery[] = [];
      for (let i = 0; i < 3; i++) {
        for (const key of ['room:1', 'room:2', 'app']) {
          rows.push(delivery(key, `a-${key}-${i}`), {
            ...delivery(key, `b-${key}-${i}`),
            webhookId: second.id,
          });
        }
      }
      await store.webhooks.enqueue(rows);
      const heads = await claim('n1', T0, 100);
      expect(heads.map((d) => d.eventId)).toEqual(rows.slice(0, 6).map((d) => d.eventId));
      expect(heads.find((d) => d.webhookId === second.id)?.url).toBe('https://example.com/second');
      // The limit takes the oldest heads; the rest wait for the next claim.
      const done = heads.slice(0, 4).map((d) => ({
        id: d.id,
        outcome: { status: 'delivered' as const, httpStatus: 200, at: T0 },
      }));
      // Outcomes are recorded together; one whose claim this node does not hold is left alone.
      expect(
        await store.webhooks.finish('n1', [...done, { id: 999_999, outcome: done[0]!.outcome }]),
      ).toEqual(done.map((d) => d.id));
      const next = await claim('n1', T0, 3);
      expect(next.map((d) => d.eventId)).toEqual(rows.slice(6, 9).map((d) => d.eventId));
    });

    it('[store.webhooks.prune] delivered rows older than the bound go, a bounded batch at a time; others stay', async () => {
      await store.webhooks.enqueue(['p1', 'p2', 'p3', 'p4'].map((id) => delivery(`room:${room.id}`, id)));
      await store.webhooks.enqueue([delivery('app', 'dead')]);
      const outcome = (at: number) => ({ status: 'delivered' as const, httpStatus: 200, at });
      for (const at of [T0, T0 + 1, T0 + 50]) {
        const [head, dead] = await claim('n1', T0, 2);
        const finished = [{ id: head!.id, outcome: outcome(at) }];
        if (dead?.eventId === 'dead') {
          finished.push({
            id: dead.id,
            outcome: { status: 'dead', httpStatus: 500, failure: 'status', nextAttemptAt: null } as never,
          });
        }
        await store.webhooks.finish('n1', finished);
      }
      expect(await store.webhooks.pruneDelivered(T0 + 10, 1)).toBe(1);
      expect(await store.webhooks.pruneDelivered(T0 + 10, 10)).toBe(1);
      expect(await store.webhooks.pruneDelivered(T0 + 10, 10)).toBe(0);
      const left = (await log()).map((d) => [d.eventId, d.status]);
      expect(left).toEqual([
        ['dead', 'dead'],
        ['p4', 'pending'],
        ['p3', 'delivered'],
      ]);
    });

    it('[store.webhooks.log] the log pages newest first; a redelivery is a new row with the same event id', async () => {
      await store.webhooks.enqueue(['x1', 'x2', 'x3'].map((id) => delivery('app', id)));
      const [newest, middle] = await store.webhooks.deliveries(app.id, hookId, { limit: 2 });
      expect([newest?.eventId, middle?.eventId]).toEqual(['x3', 'x2']);
      const rest = await store.webhooks.deliveries(app.id, hookId, { limit: 2, beforeId: middle!.id });
      expect(rest.map((d) => d.eventId)).toEqual(['x1']);
      const again = await store.webhooks.redeliver(app.id, hookId, rest[0]!.id, T0 + 5);
      expect(again).toMatchObject({ eventId: 'x1', status: 'pending', attempts: 0 });
      expect(again.id).toBeGreaterThan(newest!.id);
      await expect(store.webhooks.redeliver(app.id, hookId, 999_999, T0)).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('[store.webhooks.endpoints] endpoints are updated in part and removed with their deliveries', async () => {
      const updated = await store.webhooks.update(
        app.id,
        hookId,
        { events: ['message.created'], enabled: false },
        T0 + 1,
      );
      expect(updated).toMatchObject({
        url: 'https://example.com/hook',
        events: ['message.created'],
        enabled: false,
      });
      expect(updated.secret).toBe('a-secret-of-sixteen');
      await store.webhooks.enqueue([delivery('app', 'gone')]);
      expect(await store.webhooks.remove(app.id, hookId)).toBe(true);
      expect(await store.webhooks.remove(app.id, hookId)).toBe(false);
      expect(await store.webhooks.list(app.id)).toEqual([]);
      expect(await store.webhooks.backlog()).toBe(0);
      await expect(store.webhooks.update(app.id, hookId, { enabled: true }, T0)).rejects.toMatchObject({
        code: 'not_found',
      });
    });
  });
}
