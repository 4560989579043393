import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { dmPair, dmRoomName } from '../../src/core/dms.js';
import type { App, User } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';

/**
 * The DM store's contract (ports/dmStore.ts), run on every store next to storeContract. `peer`, when given,
 * opens a second store on the same data (another node), for openers racing across nodes.
 */
export function dmStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
  peer?: (s: Store) => Promise<Store>,
): void {
  describe(`dm store contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let alice: User;
    let bob: User;
    let carol: User;
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
      carol = await user('carol');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    it('[store.dms.pair] opening a pair makes one private room of the two, the same whichever side opens it', async () => {
      const first = await store.dms.openPair(app.id, dmPair(bob.id, alice.id), T0);
      expect(first.created).toBe(true);
      expect(first.room.name).toBe(dmRoomName(dmPair(alice.id, bob.id)));
      expect(first.room.visibility).toBe('private');
      expect((await store.directory.listRoomMembers(first.room.id)).sort()).toEqual(
        [alice.id, bob.id].sort(),
      );
      const again = await store.dms.openPair(app.id, dmPair(alice.id, bob.id), T0 + 1);
      expect(again).toEqual({ room: first.room, created: false });
      const other = await store.dms.openPair(app.id, dmPair(alice.id, carol.id), T0);
      expect(other.room.id).not.toBe(first.room.id);
    });

    it('[store.dms.race] openers racing on one store (and on another node) get one room', async () => {
      const second = peer ? await peer(store) : store;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? store : second).dms.openPair(app.id, dmPair(alice.id, bob.id), T0),
        ),
      );
      expect(new Set(results.map((r) => r.room.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const rooms = (await store.directory.listRooms(app.id)).filter((r) => r.name.startsWith('dm:'));
      expect(rooms).toHaveLength(1);
    });

    it('[store.dms.list] a user lists their DMs with the other member and the last seq, newest first', async () => {
      const ab = await store.dms.openPair(app.id, dmPair(alice.id, bob.id), T0);
      const ac = await store.dms.openPair(app.id, dmPair(alice.id, carol.id), T0);
      await store.messages.append({
        appId: app.id,
        roomId: ab.room.id,
        kind: 'text',
        authorId: bob.id,
        text: 'hi',
        html: 'hi',
        clientMsgId: null,
        createdAt: T0,
      });
      const list = await store.dms.listPairs(app.id, alice.id, 10);
      expect(list.map((d) => [d.room.id, d.peer.username, d.lastSeq])).toEqual([
        [ac.room.id, 'carol', 0],
        [ab.room.id, 'bob', 1],
      ]);
      expect((await store.dms.listPairs(app.id, bob.id, 10)).map((d) => d.peer.id)).toEqual([alice.id]);
      expect(await store.dms.listPairs(app.id, alice.id, 1)).toHaveLength(1);
      // A deleted DM room takes its pair with it; opening again makes a new one.
      await store.directory.deleteRoom(app.id, ab.room.id);
      expect((await store.dms.listPairs(app.id, bob.id, 10)).length).toBe(0);
      expect((await store.dms.openPair(app.id, dmPair(alice.id, bob.id), T0)).created).toBe(true);
    });

    it('[store.dms.blocks] blocks are per (app, blocker, blocked), idempotent, listed in order', async () => {
      expect(await store.dms.block(app.id, alice.id, bob.id, T0)).toBe(true);
      expect(await store.dms.block(app.id, alice.id, bob.id, T0 + 5)).toBe(false);
      expect(await store.dms.block(app.id, alice.id, carol.id, T0 + 1)).toBe(true);
      expect(await store.dms.isBlocked(app.id, alice.id, bob.id)).toBe(true);
      expect(await store.dms.isBlocked(app.id, bob.id, alice.id)).toBe(false);
      expect((await store.dms.listBlocked(app.id, alice.id, 10)).map((u) => u.username)).toEqual([
        'bob',
        'carol',
      ]);
      expect(await store.dms.listBlocked(app.id, bob.id, 10)).toEqual([]);
      expect(await store.dms.unblock(app.id, alice.id, bob.id)).toBe(true);
      expect(await store.dms.unblock(app.id, alice.id, bob.id)).toBe(false);
      expect(await store.dms.isBlocked(app.id, alice.id, bob.id)).toBe(false);
      expect((await store.dms.listBlocked(app.id, alice.id, 10)).map((u) => u.username)).toEqual(['carol']);
    });
  });
}
