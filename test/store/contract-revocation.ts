import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, User } from '../../src/core/types.js';
import type { AccessTokenRecord, Store } from '../../src/engine/ports/store.js';

/**
 * The token store's contract (ports/tokenStore.ts) and the audit store's (ports/auditStore.ts), run on every
 * store next to storeContract. `peer` opens a second store on the same data (another node, or the same one after
 * a restart): what was revoked stays revoked there.
 */
export function revocationContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
  peer?: (s: Store) => Promise<Store>,
): void {
  const T0 = 1_700_000_000_000;
  let store: Store;
  let app: App;
  let other: App;
  let alice: User;
  let bob: User;

  const user = (appId: number, username: string) =>
    store.directory.createUser(appId, { username, role: 'member', kind: 'account', passwordHash: null }, T0);
  const token = (id: string, owner: User, patch: Partial<AccessTokenRecord> = {}): AccessTokenRecord => ({
    hash: id.padEnd(64, '0'),
    id,
    appId: owner.appId,
    userId: owner.id,
    expiresAt: null,
    createdAt: T0,
    ...patch,
  });

  beforeEach(async () => {
    store = await open();
    app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
    other = await store.directory.createApp('other', DEFAULT_APP_SETTINGS, T0);
    alice = await user(app.id, 'alice');
    bob = await user(app.id, 'bob');
  });
  afterEach(async () => {
    if (cleanup) await cleanup(store);
    else await store.close();
  });

  describe(`token store contract: ${name}`, () => {
    it('[store.tokens.id] a token is read back with its id; listed per user, newest first, unexpired only', async () => {
      await store.directory.putAccessToken(token('a1', alice, { createdAt: T0 }));
      await store.directory.putAccessToken(token('a2', alice, { createdAt: T0 + 5, expiresAt: T0 + 100 }));
      await store.directory.putAccessToken(token('a3', alice, { createdAt: T0 + 9, expiresAt: T0 + 10 }));
      await store.directory.putAccessToken(token('b1', bob));
      expect(await store.directory.getAccessToken(token('a1', alice).hash)).toEqual(token('a1', alice));
      const listed = await store.tokens.listForUser(app.id, alice.id, { now: T0 + 50, limit: 10 });
      expect(listed.map((t) => t.id)).toEqual(['a2', 'a1']);
      expect(await store.tokens.listForUser(app.id, alice.id, { now: T0, limit: 1 })).toHaveLength(1);
    });

    it('[store.tokens.revoke] revoking deletes the token of that app only, and answers it', async () => {
      await store.directory.putAccessToken(token('a1', alice));
      await store.directory.putAccessToken(token('a2', alice));
      expect(await store.tokens.revoke(other.id, 'a1')).toBeNull();
      expect(await store.tokens.revoke(app.id, 'a1')).toEqual(token('a1', alice));
      expect(await store.tokens.revoke(app.id, 'a1')).toBeNull();
      expect(await store.directory.getAccessToken(token('a1', alice).hash)).toBeNull();
      expect(await store.directory.getAccessToken(token('a2', alice).hash)).not.toBeNull();
      const again = peer ? await peer(store) : store;
      expect(await again.directory.getAccessToken(token('a1', alice).hash)).toBeNull();
    });

    it('[store.tokens.revoke-user] every token of the user goes, and the latest "not before" is kept', async () => {
      await store.directory.putAccessToken(token('a1', alice));
      await store.directory.putAccessToken(token('a2', alice));
      await store.directory.putAccessToken(token('b1', bob));
      expect(await store.tokens.notBefore(app.id, alice.id)).toBeNull();
      expect(await store.tokens.revokeUser(app.id, alice.id, T0 + 100)).toBe(2);
      expect(await store.tokens.notBefore(app.id, alice.id)).toBe(T0 + 100);
      expect(await store.tokens.revokeUser(app.id, alice.id, T0 + 50)).toBe(0);
      expect(await store.tokens.notBefore(app.id, alice.id)).toBe(T0 + 100);
      expect(await store.tokens.revokeUser(app.id, alice.id, T0 + 200)).toBe(0);
      expect(await store.tokens.notBefore(app.id, alice.id)).toBe(T0 + 200);
      expect(await store.tokens.notBefore(app.id, bob.id)).toBeNull();
      expect(await store.directory.getAccessToken(token('b1', bob).hash)).not.toBeNull();
      expect(await store.tokens.listForUser(app.id, alice.id, { now: T0, limit: 10 })).toEqual([]);
      const again = peer ? await peer(store) : store;
      expect(await again.tokens.notBefore(app.id, alice.id)).toBe(T0 + 200);
      expect(await again.directory.getAccessToken(token('a2', alice).hash)).toBeNull();
    });
  });

  describe(`audit store contract: ${name}`, () => {
    const entry = (appId: number | null, action: string, at: number) => ({
      appId,
      action,
      at,
      actor: 'operator',
      address: '203.0.113.7',
      changes: { name: action, nested: { list: [1, 'two', null] } },
    });

    it('[store.audit.record] an entry is read back as written, with an id', async () => {
      const written = await store.audit.record(entry(app.id, 'room.create', T0));
      expect(written).toEqual({ id: expect.any(Number), ...entry(app.id, 'room.create', T0) });
      const server = await store.audit.record({ ...entry(null, 'app.create', T0 + 1), address: null });
      expect(server.appId).toBeNull();
      expect(server.address).toBeNull();
      expect(server.id).toBeGreaterThan(written.id);
    });

    it('[store.audit.list] lists newest first by app (or all), paged by id', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.audit.record(entry(app.id, `a.${i}`, T0 + i))).id);
      await store.audit.record(entry(other.id, 'o.0', T0));
      await store.audit.record(entry(null, 's.0', T0));
      const page = await store.audit.list({ appId: app.id, limit: 2 });
      expect(page.map((e) => e.action)).toEqual(['a.4', 'a.3']);
      const next = await store.audit.list({ appId: app.id, limit: 10, beforeId: page[1]?.id ?? 0 });
      expect(next.map((e) => e.action)).toEqual(['a.2', 'a.1', 'a.0']);
      const all = await store.audit.list({ appId: null, limit: 10 });
      expect(all.map((e) => e.action)).toEqual(['s.0', 'o.0', 'a.4', 'a.3', 'a.2', 'a.1', 'a.0']);
      expect(await store.audit.list({ appId: other.id, limit: 10 })).toHaveLength(1);
      const again = peer ? await peer(store) : store;
      expect(await again.audit.list({ appId: app.id, limit: 1 })).toEqual([page[0]]);
    });
  });
}
