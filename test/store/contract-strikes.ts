import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError } from '../../src/core/errors.js';
import type { Strike } from '../../src/core/escalation.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';
import { STRIKE_HISTORY_MS } from '../../src/engine/ports/strikeStore.js';

/**
 * The strike store (ports/strikeStore.ts) and slow mode as the message log holds to it (ports/store.ts
 * NewMessage.slowMode), run on every store next to storeContract.
 */
export function strikeStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`strikes and slow mode contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let alice: User;
    let bob: User;
    let room: Room;
    const T0 = 1_700_000_000_000;
    const HOUR = 3_600_000;

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

    const strike = (user: User, at: number, ttl = HOUR, source: Strike['source'] = 'filter'): Strike => ({
      appId: app.id,
      userId: user.id,
      source,
      reason: `at ${at}`,
      at,
      expiresAt: at + ttl,
    });

    it('counts the unexpired strikes of the user, this one included', async () => {
      expect(await store.strikes.add(strike(alice, T0))).toBe(1);
      expect(await store.strikes.add(strike(alice, T0 + 1000, HOUR, 'flood'))).toBe(2);
      expect(await store.strikes.add(strike(bob, T0 + 2000))).toBe(1);
      // An hour later the first two have expired.
      expect(await store.strikes.add(strike(alice, T0 + HOUR + 5000, HOUR, 'report'))).toBe(1);
      const listed = await store.strikes.list(app.id, alice.id, 10);
      expect(listed.map((s) => s.source)).toEqual(['report', 'flood', 'filter']);
      expect(listed[0]).toEqual(strike(alice, T0 + HOUR + 5000, HOUR, 'report'));
      expect(await store.strikes.list(app.id, alice.id, 1)).toHaveLength(1);
    });

    it('forgets strikes that expired more than the history ago', async () => {
      await store.strikes.add(strike(alice, T0));
      await store.strikes.add(strike(alice, T0 + HOUR + STRIKE_HISTORY_MS + 1));
      expect(await store.strikes.list(app.id, alice.id, 10)).toHaveLength(1);
    });

    const post = (author: User, at: number, clientMsgId: string | null = null, slowMode = true) =>
      store.messages.append({
        appId: app.id,
        roomId: room.id,
        kind: 'text',
        authorId: author.id,
        text: `at ${at}`,
        html: `<p>at ${at}</p>`,
        clientMsgId,
        createdAt: at,
        slowMode,
      });

    it('slow mode: the room carries its interval and the append refuses a send too soon', async () => {
      const updated = await store.directory.updateRoom(app.id, room.id, { slowModeSeconds: 30 });
      expect(updated.slowModeSeconds).toBe(30);
      expect((await store.directory.getRoom(app.id, room.id))?.slowModeSeconds).toBe(30);
      await post(alice, T0, 'a1');
      const refused = await post(alice, T0 + 10_000).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ParleyError);
      expect((refused as ParleyError).code).toBe('slow_mode');
      expect((refused as ParleyError).details).toEqual({ retryAfterMs: 20_000, slowModeSeconds: 30 });
      // A retry of the first send answers the original; another user and an exempt send pass.
      expect((await post(alice, T0 + 10_000, 'a1')).duplicate).toBe(true);
      await post(bob, T0 + 10_000);
      await post(alice, T0 + 10_000, null, false);
      // The refused send took no seq: seqs stay gapless.
      expect(await store.messages.lastSeq(room.id)).toBe(3);
      await post(alice, T0 + 40_000);
      // Off again: no wait.
      await store.directory.updateRoom(app.id, room.id, { slowModeSeconds: 0 });
      expect((await store.directory.getRoom(app.id, room.id))?.slowModeSeconds).toBeUndefined();
      await post(alice, T0 + 40_001);
    });
  });
}
