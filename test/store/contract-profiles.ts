import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError } from '../../src/core/errors.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';

/**
 * The profile store's contract (ports/profileStore.ts), run on every store next to storeContract: the profile
 * is written, cleared, and read back with the user and with every message author and quoted author.
 */
export function profileStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`profile store contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let alice: User;
    let bob: User;
    let room: Room;
    const T0 = 1_700_000_000_000;
    const AVATAR = 'https://cdn.example.com/a.png';

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

    const post = async (author: User, text: string, replyTo: number | null = null) =>
      (
        await store.messages.append({
          appId: app.id,
          roomId: room.id,
          kind: 'text',
          authorId: author.id,
          text,
          html: text,
          clientMsgId: null,
          createdAt: T0 + 1,
          replyTo,
        })
      ).message;

    it('[store.profiles.none] a user without a profile reads without the fields', async () => {
      const read = await store.directory.getUser(app.id, alice.id);
      expect(read).toEqual(alice);
      expect(read).not.toHaveProperty('displayName');
      expect(read).not.toHaveProperty('avatarUrl');
    });

    it('[store.profiles.set] sets, keeps absent fields, clears with null, and is read back everywhere', async () => {
      const set = await store.profiles.setProfile(app.id, alice.id, {
        displayName: 'Alice A.',
        avatarUrl: AVATAR,
      });
      expect(set).toMatchObject({ id: alice.id, displayName: 'Alice A.', avatarUrl: AVATAR });
      expect(await store.directory.getUser(app.id, alice.id)).toEqual(set);
      expect(await store.directory.findUserByName(app.id, 'alice')).toEqual(set);

      const renamed = await store.profiles.setProfile(app.id, alice.id, { displayName: 'Al' });
      expect(renamed).toMatchObject({ displayName: 'Al', avatarUrl: AVATAR });
      const cleared = await store.profiles.setProfile(app.id, alice.id, { avatarUrl: null });
      expect(cleared.displayName).toBe('Al');
      expect(cleared).not.toHaveProperty('avatarUrl');
      expect(await store.directory.getUser(app.id, bob.id)).toEqual(bob);
    });

    it('[store.profiles.authors] message authors and quoted authors carry the profile as it is now', async () => {
      const parent = await post(alice, 'hello');
      expect(parent.author).toEqual({ id: alice.id, username: 'alice', role: 'member' });
      await store.profiles.setProfile(app.id, alice.id, { displayName: 'Alice', avatarUrl: AVATAR });
      const reply = await post(bob, 'hi', parent.id);
      expect(reply.replyTo?.author).toEqual({
        id: alice.id,
        username: 'alice',
        role: 'member',
        displayName: 'Alice',
        avatarUrl: AVATAR,
      });
      expect(reply.author).toEqual({ id: bob.id, username: 'bob', role: 'member' });
      const history = await store.messages.range(room.id, { limit: 10 });
      expect(history.map((m) => m.author?.displayName)).toEqual(['Alice', undefined]);
      expect(history[0]?.author?.avatarUrl).toBe(AVATAR);
    });

    it('[store.profiles.missing] an unknown user, or one of another app, is not_found', async () => {
      const other = await store.directory.createApp('other', DEFAULT_APP_SETTINGS, T0);
      for (const [appId, userId] of [
        [app.id, 999_999],
        [other.id, alice.id],
      ] as const) {
        const error = await store.profiles
          .setProfile(appId, userId, { displayName: 'x' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ParleyError);
        expect((error as ParleyError).code).toBe('not_found');
      }
    });
  });
}
