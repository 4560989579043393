import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, Room, User, UserKind } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';

/**
 * A guest's messages linked to the user the guest became (GuestRoster.linkMessages, the native `upgrade`),
 * run on every store next to storeContract.
 */
export function upgradeContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`upgrade store contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let room: Room;
    let guest: User;
    let alice: User;
    let bob: User;
    const T0 = 1_700_000_000_000;

    const post = (author: User, text: string, clientMsgId: string | null = null, inRoom = room) =>
      store.messages.append({
        appId: app.id,
        roomId: inRoom.id,
        kind: 'text',
        authorId: author.id,
        text,
        html: text,
        clientMsgId,
        createdAt: T0,
      });
    const authors = async (inRoom = room) =>
      (await store.messages.range(inRoom.id, { limit: 50 })).map((m) => [m.text, m.author?.username]);

    beforeEach(async () => {
      store = await open();
      app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      room = await store.directory.createRoom(
        app.id,
        { name: 'lobby', visibility: 'public', topic: '', createdBy: null },
        T0,
      );
      const user = (username: string, kind: UserKind) =>
        store.directory.createUser(
          app.id,
          { username, role: kind === 'guest' ? 'guest' : 'member', kind, passwordHash: null },
          T0,
        );
      guest = await user('visitor', 'guest');
      alice = await user('alice', 'account');
      bob = await user('bob', 'account');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    it('[store.upgrade.link] the guest’s messages become the user’s, and no one else’s move', async () => {
      await post(guest, 'g1', 'c1');
      await post(bob, 'b1');
      await post(guest, 'g2');
      const other = await store.directory.createRoom(
        app.id,
        { name: 'other', visibility: 'public', topic: '', createdBy: null },
        T0,
      );
      await post(guest, 'g3', null, other);

      expect(await store.guests.linkMessages(app.id, guest.id, alice.id)).toBe(3);
      expect(await authors()).toEqual([
        ['g1', 'alice'],
        ['b1', 'bob'],
        ['g2', 'alice'],
      ]);
      expect(await authors(other)).toEqual([['g3', 'alice']]);
      // The retry key moved with it: a resend by the user finds the original.
      const again = await post(alice, 'g1', 'c1');
      expect(again.duplicate).toBe(true);
      expect(await store.guests.linkMessages(app.id, guest.id, alice.id)).toBe(0);
    });

    it('[store.upgrade.clientid] a client message id the user already used stays the user’s', async () => {
      const own = await post(alice, 'mine', 'same');
      await post(guest, 'theirs', 'same');
      expect(await store.guests.linkMessages(app.id, guest.id, alice.id)).toBe(1);
      expect(await authors()).toEqual([
        ['mine', 'alice'],
        ['theirs', 'alice'],
      ]);
      const retry = await post(alice, 'mine', 'same');
      expect(retry).toMatchObject({ duplicate: true, message: { id: own.message.id } });
    });

    it('[store.upgrade.apps] only the app’s messages move', async () => {
      const otherApp = await store.directory.createApp('other', DEFAULT_APP_SETTINGS, T0);
      expect(await store.guests.linkMessages(otherApp.id, guest.id, alice.id)).toBe(0);
      await post(guest, 'g1');
      expect(await store.guests.linkMessages(otherApp.id, guest.id, alice.id)).toBe(0);
      expect(await authors()).toEqual([['g1', 'visitor']]);
    });
  });
}
