import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError, type ErrorCode } from '../../src/core/errors.js';
import { ROLES } from '../../src/core/roles.js';
import type { App, AppSettings, Message, Room, User } from '../../src/core/types.js';
import type { NewMessage, Store } from '../../src/engine/ports/store.js';
import { guestRosterContract } from './guestContract.js';

/**
 * The storage contract: every Store implementation runs this suite. Test names carry rule ids in brackets
 * (`[store.seq.gapless]`) so that docs can point at the test that holds a rule.
 *
 * `open` must return an empty store for each test. `cleanup` receives the store after each test and is then
 * responsible for closing it (the default just closes it).
 */
export function storeContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
      const outcome = await promise.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      expect(outcome.ok, `expected a ${code} error`).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error).toBeInstanceOf(ParleyError);
      expect((outcome.error as ParleyError).code).toBe(code);
    }

    async function newApp(label = 'app'): Promise<App> {
      return store.directory.createApp(label, DEFAULT_APP_SETTINGS, T0);
    }

    async function newUser(app: App, username: string, role: User['role'] = 'member'): Promise<User> {
      return store.directory.createUser(app.id, { username, role, kind: 'account', passwordHash: null }, T0);
    }

    async function newRoom(app: App, roomName: string): Promise<Room> {
      return store.directory.createRoom(
        app.id,
        { name: roomName, visibility: 'public', createdBy: null },
        T0,
      );
    }

    function msg(
      room: Room,
      author: User | null,
      text: string,
      clientMsgId: string | null = null,
    ): NewMessage {
      return {
        appId: room.appId,
        roomId: room.id,
        kind: author ? 'text' : 'system',
        authorId: author ? author.id : null,
        text,
        html: `<p>${text}</p>`,
        clientMsgId,
        createdAt: T0 + 1,
      };
    }

    /** A room with messages m1..mn from one author. */
    async function filledRoom(n: number): Promise<{ app: App; room: Room; user: User }> {
      const app = await newApp();
      const user = await newUser(app, 'alice');
      const room = await newRoom(app, 'general');
      for (let i = 1; i <= n; i++) await store.messages.append(msg(room, user, `m${i}`));
      return { app, room, user };
    }

    const seqs = (messages: Message[]) => messages.map((m) => m.seq);

    describe('store basics', () => {
      it('[store.ping] ping resolves on an open store', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('[store.close] after close, calls fail with unavailable and closing again is harmless', async () => {
        await store.close();
        await expectCode(store.ping(), 'unavailable');
        await expectCode(store.directory.listApps(), 'unavailable');
        await store.close();
      });
    });

    describe('apps', () => {
      it('[store.app.create] createApp returns the stored app and getApp reads it back', async () => {
        const app = await store.directory.createApp('shop', DEFAULT_APP_SETTINGS, T0);
        expect(app).toEqual({ id: app.id, name: 'shop', settings: DEFAULT_APP_SETTINGS, createdAt: T0 });
        expect(Number.isInteger(app.id)).toBe(true);
        expect(await store.directory.getApp(app.id)).toEqual(app);
        expect(await store.directory.getApp(app.id + 1000)).toBeNull();
      });

      it('[store.app.settings] settings round-trip exactly, nested values included', async () => {
        const settings: AppSettings = {
          ...DEFAULT_APP_SETTINGS,
          flood: { burst: 3, perSecond: 0.5 },
          allowedOrigins: ['https://a.example', 'https://b.example'],
          jwt: { alg: 'RS256', publicKey: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----' },
        };
        const app = await store.directory.createApp('x', settings, T0);
        const read = await store.directory.getApp(app.id);
        expect(read?.settings).toEqual(settings);
        // What comes back is a copy: changing it does not change the store.
        if (read) read.settings.maxMessageLength = 1;
        expect((await store.directory.getApp(app.id))?.settings.maxMessageLength).toBe(
          settings.maxMessageLength,
        );
      });

      it('[store.app.list] listApps returns every app in creation order', async () => {
        const a = await newApp('a');
        const b = await newApp('b');
        const c = await newApp('c');
        const ids = (await store.directory.listApps()).map((app) => app.id);
        expect(ids.filter((id) => [a.id, b.id, c.id].includes(id))).toEqual([a.id, b.id, c.id]);
      });

      it('[store.app.update] updateApp changes only the fields given', async () => {
        const app = await newApp('before');
        const renamed = await store.directory.updateApp(app.id, { name: 'after' });
        expect(renamed).toEqual({ ...app, name: 'after' });
        const settings = { ...DEFAULT_APP_SETTINGS, allowGuests: false };
        const updated = await store.directory.updateApp(app.id, { settings });
        expect(updated).toEqual({ ...app, name: 'after', settings });
        expect(await store.directory.getApp(app.id)).toEqual(updated);
        await expectCode(store.directory.updateApp(app.id + 1000, { name: 'x' }), 'not_found');
      });
    });

    describe('users', () => {
      it('[store.user.create] createUser returns the stored user and getUser reads it back', async () => {
        const app = await newApp();
        const user = await store.directory.createUser(
          app.id,
          { username: 'Alice', role: 'mod', kind: 'external', passwordHash: null },
          T0,
        );
        expect(user).toEqual({
          id: user.id,
          appId: app.id,
          username: 'Alice',
          role: 'mod',
          kind: 'external',
          createdAt: T0,
        });
        expect(await store.directory.getUser(app.id, user.id)).toEqual(user);
      });

      it('[store.user.scoped] a user is found only in its own app', async () => {
        const app = await newApp('one');
        const other = await newApp('two');
        const user = await newUser(app, 'alice');
        expect(await store.directory.getUser(other.id, user.id)).toBeNull();
        expect(await store.directory.findUserByName(other.id, 'alice')).toBeNull();
      });

      it('[store.user.name-ci] findUserByName ignores case and keeps the name as written', async () => {
        const app = await newApp();
        const user = await newUser(app, 'MixedCase');
        expect(await store.directory.findUserByName(app.id, 'mixedcase')).toEqual(user);
        expect(await store.directory.findUserByName(app.id, 'MIXEDCASE')).toEqual(user);
        expect((await store.directory.findUserByName(app.id, 'mixedcase'))?.username).toBe('MixedCase');
        expect(await store.directory.findUserByName(app.id, 'nobody')).toBeNull();
      });

      it('[store.user.conflict] a username taken in any case is a conflict; other apps are separate', async () => {
        const app = await newApp('one');
        const other = await newApp('two');
        await newUser(app, 'alice');
        await expectCode(newUser(app, 'ALICE'), 'conflict');
        await expectCode(newUser(app, 'alice'), 'conflict');
        const elsewhere = await newUser(other, 'Alice');
        expect(elsewhere.appId).toBe(other.id);
        expect(await store.directory.listUsers(app.id, { limit: 10 })).toHaveLength(1);
      });

      it('[store.user.password] password hashes are stored, replaced and absent for users without one', async () => {
        const app = await newApp();
        const withHash = await store.directory.createUser(
          app.id,
          { username: 'alice', role: 'member', kind: 'account', passwordHash: 'scrypt$1' },
          T0,
        );
        const guest = await store.directory.createUser(
          app.id,
          { username: 'guest-1', role: 'guest', kind: 'guest', passwordHash: null },
          T0,
        );
        expect(await store.directory.getPasswordHash(app.id, withHash.id)).toBe('scrypt$1');
        expect(await store.directory.getPasswordHash(app.id, guest.id)).toBeNull();
        await store.directory.setPasswordHash(app.id, withHash.id, 'scrypt$2');
        expect(await store.directory.getPasswordHash(app.id, withHash.id)).toBe('scrypt$2');
        expect(await store.directory.getPasswordHash(app.id, withHash.id + 1000)).toBeNull();
        await expectCode(store.directory.setPasswordHash(app.id, withHash.id + 1000, 'x'), 'not_found');
      });

      it('[store.user.role] every role round-trips through setUserRole', async () => {
        const app = await newApp();
        const user = await newUser(app, 'alice', 'guest');
        for (const role of ROLES) {
          const updated = await store.directory.setUserRole(app.id, user.id, role);
          expect(updated).toEqual({ ...user, role });
          expect((await store.directory.getUser(app.id, user.id))?.role).toBe(role);
        }
        await expectCode(store.directory.setUserRole(app.id, user.id + 1000, 'mod'), 'not_found');
        const other = await newApp('other');
        await expectCode(store.directory.setUserRole(other.id, user.id, 'mod'), 'not_found');
      });

      it('[store.user.list] listUsers pages by id within the app', async () => {
        const app = await newApp('one');
        const other = await newApp('two');
        const users: User[] = [];
        for (const n of ['u1', 'u2', 'u3', 'u4', 'u5']) {
          users.push(await newUser(app, n));
          await newUser(other, n);
        }
        const ids = users.map((u) => u.id);
        expect((await store.directory.listUsers(app.id, { limit: 100 })).map((u) => u.id)).toEqual(ids);
        const first = await store.directory.listUsers(app.id, { limit: 2 });
        expect(first).toEqual(users.slice(0, 2));
        const second = await store.directory.listUsers(app.id, { limit: 2, afterId: first[1]?.id ?? -1 });
        expect(second.map((u) => u.id)).toEqual(ids.slice(2, 4));
        const last = await store.directory.listUsers(app.id, { limit: 2, afterId: ids[3] ?? -1 });
        expect(last.map((u) => u.id)).toEqual(ids.slice(4));
        expect(await store.directory.listUsers(app.id, { limit: 0 })).toEqual([]);
      });
    });

    describe('rooms', () => {
      it('[store.room.create] createRoom stores every field; topic defaults to empty', async () => {
        const app = await newApp();
        const owner = await newUser(app, 'owner', 'owner');
        const room = await store.directory.createRoom(
          app.id,
          { name: 'Staff', visibility: 'private', topic: 'only staff', createdBy: owner.id },
          T0,
        );
        expect(room).toEqual({
          id: room.id,
          appId: app.id,
          name: 'Staff',
          visibility: 'private',
          topic: 'only staff',
          createdBy: owner.id,
          createdAt: T0,
        });
        expect(await store.directory.getRoom(app.id, room.id)).toEqual(room);
        const plain = await newRoom(app, 'plain');
        expect(plain.topic).toBe('');
        expect(plain.createdBy).toBeNull();
      });

      it('[store.room.name-ci] room names are found and unique without regard to case, per app', async () => {
        const app = await newApp('one');
        const other = await newApp('two');
        const room = await newRoom(app, 'General Chat');
        expect(await store.directory.findRoomByName(app.id, 'general chat')).toEqual(room);
        expect(await store.directory.findRoomByName(app.id, 'nope')).toBeNull();
        await expectCode(newRoom(app, 'GENERAL CHAT'), 'conflict');
        expect((await newRoom(other, 'general chat')).appId).toBe(other.id);
        expect(await store.directory.findRoomByName(other.id, 'General Chat')).not.toEqual(room);
        expect(await store.directory.getRoom(other.id, room.id)).toBeNull();
      });

      it('[store.room.list] listRooms returns the app’s rooms in creation order', async () => {
        const app = await newApp('one');
        const other = await newApp('two');
        const a = await newRoom(app, 'b-room');
        await newRoom(other, 'x');
        const b = await newRoom(app, 'a-room');
        expect(await store.directory.listRooms(app.id)).toEqual([a, b]);
      });

      it('[store.room.update] updateRoom renames, changes visibility and topic, and frees the old name', async () => {
        const app = await newApp();
        const room = await newRoom(app, 'old');
        const renamed = await store.directory.updateRoom(app.id, room.id, { name: 'New' });
        expect(renamed).toEqual({ ...room, name: 'New' });
        expect(await store.directory.findRoomByName(app.id, 'old')).toBeNull();
        expect(await store.directory.findRoomByName(app.id, 'new')).toEqual(renamed);
        const changed = await store.directory.updateRoom(app.id, room.id, {
          visibility: 'private',
          topic: 't',
        });
        expect(changed).toEqual({ ...renamed, visibility: 'private', topic: 't' });
        expect(await store.directory.getRoom(app.id, room.id)).toEqual(changed);
        // Changing only the case of a room's own name is not a conflict with itself.
        expect((await store.directory.updateRoom(app.id, room.id, { name: 'NEW' })).name).toBe('NEW');
        expect((await newRoom(app, 'old')).name).toBe('old');
      });

      it('[store.room.conflict] renaming onto another room’s name is a conflict and changes nothing', async () => {
        const app = await newApp();
        const a = await newRoom(app, 'alpha');
        await newRoom(app, 'beta');
        await expectCode(store.directory.updateRoom(app.id, a.id, { name: 'BETA', topic: 'x' }), 'conflict');
        expect(await store.directory.getRoom(app.id, a.id)).toEqual(a);
      });

      it('[store.room.not-found] updating or deleting an unknown room, or one of another app, is not_found', async () => {
        const app = await newApp('one');
        const other = await newApp('two');
        const room = await newRoom(app, 'r');
        await expectCode(store.directory.updateRoom(app.id, room.id + 1000, { topic: 'x' }), 'not_found');
        await expectCode(store.directory.updateRoom(other.id, room.id, { topic: 'x' }), 'not_found');
        await expectCode(store.directory.deleteRoom(other.id, room.id), 'not_found');
        expect(await store.directory.getRoom(app.id, room.id)).toEqual(room);
      });

      it('[store.room.delete] deleteRoom removes the room, its members, mutes and messages only', async () => {
        const { app, room, user } = await filledRoom(3);
        const keep = await newRoom(app, 'keep');
        const kept = await store.messages.append(msg(keep, user, 'stays'));
        await store.directory.addRoomMember(room.id, user.id);
        const mute = { appId: app.id, userId: user.id, expiresAt: null, reason: '', by: null, createdAt: T0 };
        await store.directory.putMute({ ...mute, roomId: room.id });
        await store.directory.putMute({ ...mute, roomId: null });
        const first = (await store.messages.range(room.id, { limit: 1, afterSeq: 0 }))[0];

        await store.directory.deleteRoom(app.id, room.id);

        expect(await store.directory.getRoom(app.id, room.id)).toBeNull();
        expect(await store.directory.findRoomByName(app.id, 'general')).toBeNull();
        expect(await store.directory.listRooms(app.id)).toEqual([keep]);
        expect(await store.messages.range(room.id, { limit: 10 })).toEqual([]);
        expect(await store.messages.get(room.id, first?.id ?? -1)).toBeNull();
        expect(await store.messages.lastSeq(room.id)).toBe(0);
        expect(await store.directory.listRoomMembers(room.id)).toEqual([]);
        expect((await store.directory.listMutes(app.id, T0)).map((m) => m.roomId)).toEqual([null]);
        expect(await store.messages.get(keep.id, kept.message.id)).toEqual(kept.message);
        await expectCode(store.directory.deleteRoom(app.id, room.id), 'not_found');
        // The name is free again and the new room counts from 1.
        const again = await newRoom(app, 'general');
        expect(again.id).not.toBe(room.id);
        expect((await store.messages.append(msg(again, user, 'fresh'))).message.seq).toBe(1);
      });
    });

    describe('private room membership', () => {
      it('[store.member.idempotent] adding and removing members is idempotent', async () => {
        const app = await newApp();
        const room = await newRoom(app, 'private');
        const other = await newRoom(app, 'other');
        const alice = await newUser(app, 'alice');
        const bob = await newUser(app, 'bob');
        expect(await store.directory.isRoomMember(room.id, alice.id)).toBe(false);
        await store.directory.addRoomMember(room.id, bob.id);
        await store.directory.addRoomMember(room.id, alice.id);
        await store.directory.addRoomMember(room.id, alice.id);
        expect(await store.directory.isRoomMember(room.id, alice.id)).toBe(true);
        expect(await store.directory.isRoomMember(other.id, alice.id)).toBe(false);
        expect([...(await store.directory.listRoomMembers(room.id))].sort((a, b) => a - b)).toEqual(
          [alice.id, bob.id].sort((a, b) => a - b),
        );
        await store.directory.removeRoomMember(room.id, alice.id);
        await store.directory.removeRoomMember(room.id, alice.id);
        expect(await store.directory.isRoomMember(room.id, alice.id)).toBe(false);
        expect(await store.directory.listRoomMembers(room.id)).toEqual([bob.id]);
      });
    });

    describe('room summaries', () => {
      it('[store.room.summaries] listRoomSummaries gives every room with its last seq and membership in one read', async () => {
        const app = await newApp();
        const otherApp = await newApp('other');
        const alice = await newUser(app, 'alice');
        const bob = await newUser(app, 'bob');
        const open = await newRoom(app, 'open');
        const secret = await store.directory.createRoom(
          app.id,
          { name: 'secret', visibility: 'private', createdBy: alice.id },
          T0,
        );
        const empty = await newRoom(app, 'empty');
        await newRoom(otherApp, 'elsewhere');
        await store.directory.addRoomMember(secret.id, alice.id);
        for (const text of ['a', 'b', 'c']) await store.messages.append(msg(open, alice, text));
        await store.messages.append(msg(secret, alice, 'hush'));

        const forAlice = await store.directory.listRoomSummaries(app.id, alice.id);
        expect(forAlice).toEqual([
          { room: open, lastSeq: 3, member: false },
          { room: secret, lastSeq: 1, member: true },
          { room: empty, lastSeq: 0, member: false },
        ]);
        const forBob = await store.directory.listRoomSummaries(app.id, bob.id);
        expect(forBob.map((s) => s.member)).toEqual([false, false, false]);
        const forNobody = await store.directory.listRoomSummaries(app.id, null);
        expect(forNobody.map((s) => [s.room.name, s.lastSeq, s.member])).toEqual([
          ['open', 3, false],
          ['secret', 1, false],
          ['empty', 0, false],
        ]);
        for (const summary of forAlice) {
          expect(summary.lastSeq).toBe(await store.messages.lastSeq(summary.room.id));
        }
      });
    });

    describe('first app', () => {
      it('[store.apps.first] ensureFirstApp creates one app however many callers race, then returns it', async () => {
        const results = await Promise.all(
          Array.from({ length: 8 }, () =>
            store.directory.ensureFirstApp('default', DEFAULT_APP_SETTINGS, T0),
          ),
        );
        expect(new Set(results.map((a) => a.id)).size).toBe(1);
        expect(await store.directory.listApps()).toHaveLength(1);
        await store.directory.createApp('second', DEFAULT_APP_SETTINGS, T0);
        expect((await store.directory.ensureFirstApp('other', DEFAULT_APP_SETTINGS, T0)).id).toBe(
          results[0]?.id,
        );
      });
    });

    describe('access tokens', () => {
      it('[store.token.roundtrip] put, get and delete by hash', async () => {
        const app = await newApp();
        const user = await newUser(app, 'alice');
        const record = {
          hash: 'a'.repeat(64),
          id: 'tok-a',
          appId: app.id,
          userId: user.id,
          expiresAt: T0 + 5000,
          createdAt: T0,
        };
        const forever = { ...record, hash: 'b'.repeat(64), id: 'tok-b', expiresAt: null };
        await store.directory.putAccessToken(record);
        await store.directory.putAccessToken(forever);
        expect(await store.directory.getAccessToken(record.hash)).toEqual(record);
        expect(await store.directory.getAccessToken(forever.hash)).toEqual(forever);
        expect(await store.directory.getAccessToken('c'.repeat(64))).toBeNull();
        await store.directory.deleteAccessToken(record.hash);
        expect(await store.directory.getAccessToken(record.hash)).toBeNull();
        expect(await store.directory.getAccessToken(forever.hash)).toEqual(forever);
        await store.directory.deleteAccessToken(record.hash);
      });

      it('[store.tokens.purge] deleteExpiredAccessTokens removes only tokens expired at now', async () => {
        const app = await newApp();
        const user = await newUser(app, 'alice');
        const base = { appId: app.id, userId: user.id, createdAt: T0 };
        await store.directory.putAccessToken({
          ...base,
          hash: 'd'.repeat(64),
          id: 'tok-d',
          expiresAt: T0 + 1000,
        });
        await store.directory.putAccessToken({
          ...base,
          hash: 'e'.repeat(64),
          id: 'tok-e',
          expiresAt: T0 + 9000,
        });
        await store.directory.putAccessToken({ ...base, hash: 'f'.repeat(64), id: 'tok-f', expiresAt: null });
        expect(await store.directory.deleteExpiredAccessTokens(T0 + 1000)).toBe(1);
        expect(await store.directory.getAccessToken('d'.repeat(64))).toBeNull();
        expect(await store.directory.getAccessToken('e'.repeat(64))).not.toBeNull();
        expect(await store.directory.getAccessToken('f'.repeat(64))).not.toBeNull();
        expect(await store.directory.deleteExpiredAccessTokens(T0 + 1000)).toBe(0);
      });
    });

    describe('mutes', () => {
      async function setup() {
        const app = await newApp();
        const alice = await newUser(app, 'alice');
        const mod = await newUser(app, 'mod', 'mod');
        const roomA = await newRoom(app, 'a');
        const roomB = await newRoom(app, 'b');
        const base = {
          appId: app.id,
          userId: alice.id,
          expiresAt: null,
          reason: 'spam',
          by: mod.id,
          createdAt: T0,
        };
        return { app, alice, mod, roomA, roomB, base };
      }

      it('[store.mute.replace] putting a mute of the same scope again replaces it', async () => {
        const { app, roomA, base } = await setup();
        await store.directory.putMute({ ...base, roomId: roomA.id });
        const replaced = {
          ...base,
          roomId: roomA.id,
          reason: 'again',
          expiresAt: T0 + 100,
          createdAt: T0 + 1,
        };
        await store.directory.putMute(replaced);
        expect(await store.directory.listMutes(app.id, T0)).toEqual([replaced]);
        const appWide = { ...base, roomId: null };
        await store.directory.putMute(appWide);
        await store.directory.putMute({ ...appWide, reason: 'app again' });
        const all = await store.directory.listMutes(app.id, T0);
        expect(all).toHaveLength(2);
        expect(all).toContainEqual(replaced);
        expect(all).toContainEqual({ ...appWide, reason: 'app again' });
      });

      it('[store.mute.delete] deleteMute removes one scope and says whether there was one', async () => {
        const { app, alice, roomA, base } = await setup();
        await store.directory.putMute({ ...base, roomId: roomA.id });
        await store.directory.putMute({ ...base, roomId: null });
        expect(await store.directory.deleteMute(app.id, alice.id, null)).toBe(true);
        expect(await store.directory.deleteMute(app.id, alice.id, null)).toBe(false);
        expect(await store.directory.listMutes(app.id, T0)).toEqual([{ ...base, roomId: roomA.id }]);
        expect(await store.directory.deleteMute(app.id, alice.id, roomA.id)).toBe(true);
        expect(await store.directory.deleteMute(app.id, alice.id, roomA.id)).toBe(false);
        expect(await store.directory.listMutes(app.id, T0)).toEqual([]);
      });

      it('[store.mute.expiry] listMutes leaves out mutes expired at `now` (expiresAt <= now)', async () => {
        const { app, roomA, roomB, mod, base } = await setup();
        const bob = await newUser(app, 'bob');
        const open = { ...base, roomId: null };
        const later = { ...base, roomId: roomA.id, expiresAt: T0 + 10 };
        const atNow = { ...base, roomId: roomB.id, expiresAt: T0 + 5 };
        const past = { ...base, userId: bob.id, roomId: null, expiresAt: T0 - 1, by: mod.id };
        for (const m of [open, later, atNow, past]) await store.directory.putMute(m);
        const active = await store.directory.listMutes(app.id, T0 + 5);
        expect(active).toHaveLength(2);
        expect(active).toContainEqual(open);
        expect(active).toContainEqual(later);
        expect(await store.directory.listMutes(app.id, T0 + 4)).toHaveLength(3);
      });

      it('[store.mute.scope] listMutes for a room gives that room’s mutes and the app-wide ones', async () => {
        const { app, roomA, roomB, base } = await setup();
        const bob = await newUser(app, 'bob');
        const otherApp = await newApp('other');
        const carol = await newUser(otherApp, 'carol');
        const inA = { ...base, roomId: roomA.id };
        const inB = { ...base, roomId: roomB.id };
        const appWide = { ...base, userId: bob.id, roomId: null };
        const elsewhere = { ...base, appId: otherApp.id, userId: carol.id, roomId: null, by: null };
        for (const m of [inA, inB, appWide, elsewhere]) await store.directory.putMute(m);
        const forA = await store.directory.listMutes(app.id, T0, roomA.id);
        expect(forA).toHaveLength(2);
        expect(forA).toContainEqual(inA);
        expect(forA).toContainEqual(appWide);
        const all = await store.directory.listMutes(app.id, T0);
        expect(all).toHaveLength(3);
        expect(all).not.toContainEqual(elsewhere);
        expect(await store.directory.listMutes(otherApp.id, T0)).toEqual([elsewhere]);
      });
    });

    describe('bans', () => {
      it('[store.ban.roundtrip] putBan stores and replaces; deleteBan says whether there was one', async () => {
        const app = await newApp();
        const alice = await newUser(app, 'alice');
        const ban = {
          appId: app.id,
          userId: alice.id,
          expiresAt: null,
          reason: 'r',
          by: null,
          createdAt: T0,
        };
        await store.directory.putBan(ban);
        expect(await store.directory.getBan(app.id, alice.id, T0)).toEqual(ban);
        const replaced = { ...ban, reason: 'r2', expiresAt: T0 + 60_000 };
        await store.directory.putBan(replaced);
        expect(await store.directory.listBans(app.id, T0)).toEqual([replaced]);
        expect(await store.directory.deleteBan(app.id, alice.id)).toBe(true);
        expect(await store.directory.deleteBan(app.id, alice.id)).toBe(false);
        expect(await store.directory.getBan(app.id, alice.id, T0)).toBeNull();
      });

      it('[store.ban.expiry] expired bans are not returned (expiresAt <= now)', async () => {
        const app = await newApp();
        const other = await newApp('other');
        const alice = await newUser(app, 'alice');
        const bob = await newUser(app, 'bob');
        const carol = await newUser(other, 'carol');
        const base = { appId: app.id, reason: '', by: null, createdAt: T0 };
        const expiring = { ...base, userId: alice.id, expiresAt: T0 + 10 };
        const forever = { ...base, userId: bob.id, expiresAt: null };
        await store.directory.putBan(expiring);
        await store.directory.putBan(forever);
        await store.directory.putBan({ ...base, appId: other.id, userId: carol.id, expiresAt: null });
        expect(await store.directory.getBan(app.id, alice.id, T0 + 9)).toEqual(expiring);
        expect(await store.directory.getBan(app.id, alice.id, T0 + 10)).toBeNull();
        expect(await store.directory.listBans(app.id, T0 + 9)).toHaveLength(2);
        expect(await store.directory.listBans(app.id, T0 + 10)).toEqual([forever]);
        expect(await store.directory.getBan(other.id, alice.id, T0)).toBeNull();
      });
    });

    describe('moderation records', () => {
      it('[store.moderation.order] records come newest first and page with beforeId', async () => {
        const app = await newApp();
        const other = await newApp('other');
        const mod = await newUser(app, 'mod', 'mod');
        const target = await newUser(app, 'target');
        const room = await newRoom(app, 'r');
        const written = [];
        for (let i = 0; i < 5; i++) {
          written.push(
            await store.directory.recordModeration({
              appId: app.id,
              kind: i % 2 === 0 ? 'mute' : 'kick',
              actorId: mod.id,
              targetId: target.id,
              roomId: i === 0 ? null : room.id,
              detail: { n: i, nested: { reason: 'spam', list: [1, 2] } },
              createdAt: T0 + i,
            }),
          );
          await store.directory.recordModeration({
            appId: other.id,
            kind: 'ban',
            actorId: null,
            targetId: null,
            roomId: null,
            detail: {},
            createdAt: T0,
          });
        }
        expect(written[2]).toEqual({
          id: written[2]?.id,
          appId: app.id,
          kind: 'mute',
          actorId: mod.id,
          targetId: target.id,
          roomId: room.id,
          detail: { n: 2, nested: { reason: 'spam', list: [1, 2] } },
          createdAt: T0 + 2,
        });
        const newestFirst = [...written].reverse();
        expect(await store.directory.listModeration(app.id, { limit: 100 })).toEqual(newestFirst);
        const page1 = await store.directory.listModeration(app.id, { limit: 2 });
        expect(page1).toEqual(newestFirst.slice(0, 2));
        const page2 = await store.directory.listModeration(app.id, { limit: 2, beforeId: page1[1]?.id ?? 0 });
        expect(page2).toEqual(newestFirst.slice(2, 4));
        const page3 = await store.directory.listModeration(app.id, { limit: 2, beforeId: page2[1]?.id ?? 0 });
        expect(page3).toEqual(newestFirst.slice(4));
        expect(await store.directory.listModeration(other.id, { limit: 100 })).toHaveLength(5);
      });
    });

    describe('messages', () => {
      it('[store.seq.per-room] append assigns 1, 2, 3 in each room independently', async () => {
        const app = await newApp();
        const alice = await newUser(app, 'alice');
        const a = await newRoom(app, 'a');
        const b = await newRoom(app, 'b');
        const order = [a, a, b, a, b, b, b];
        const got = [];
        for (const room of order) got.push((await store.messages.append(msg(room, alice, 'x'))).message.seq);
        expect(got).toEqual([1, 2, 1, 3, 2, 3, 4]);
        expect(await store.messages.lastSeq(a.id)).toBe(3);
        expect(await store.messages.lastSeq(b.id)).toBe(4);
      });

      it('[store.msg.fields] append returns the stored message with its author as a UserRef', async () => {
        const app = await newApp();
        const alice = await newUser(app, 'Alice', 'mod');
        const room = await newRoom(app, 'r');
        const input: NewMessage = { ...msg(room, alice, 'hello', 'c-1'), kind: 'me' };
        const { message, duplicate } = await store.messages.append(input);
        expect(duplicate).toBe(false);
        expect(message).toEqual({
          id: message.id,
          appId: app.id,
          roomId: room.id,
          seq: 1,
          kind: 'me',
          author: { id: alice.id, username: 'Alice', role: 'mod' },
          text: 'hello',
          html: '<p>hello</p>',
          clientMsgId: 'c-1',
          createdAt: T0 + 1,
          editedAt: null,
          deletedAt: null,
          replyTo: null,
          replyCount: 0,
          mentions: [],
        });
        expect(await store.messages.get(room.id, message.id)).toEqual(message);
        const system = await store.messages.append(msg(room, null, 'topic changed'));
        expect(system.message.author).toBeNull();
        expect(system.message.kind).toBe('system');
        expect(system.message.seq).toBe(2);
      });

      it('[store.msg.author-live] the author is read from the user, so a role change shows on old messages', async () => {
        const app = await newApp();
        const alice = await newUser(app, 'alice', 'member');
        const room = await newRoom(app, 'r');
        const { message } = await store.messages.append(msg(room, alice, 'x'));
        await store.directory.setUserRole(app.id, alice.id, 'admin');
        expect((await store.messages.get(room.id, message.id))?.author).toEqual({
          id: alice.id,
          username: 'alice',
          role: 'admin',
        });
      });

      it('[store.msg.get] get finds a message only in its own room', async () => {
        const app = await newApp();
        const alice = await newUser(app, 'alice');
        const a = await newRoom(app, 'a');
        const b = await newRoom(app, 'b');
        const { message } = await store.messages.append(msg(a, alice, 'x'));
        expect(await store.messages.get(b.id, message.id)).toBeNull();
        expect(await store.messages.get(a.id, message.id + 1000)).toBeNull();
      });

      it('[store.msg.unknown-room] append to an unknown room, or a room of another app, is not_found', async () => {
        const app = await newApp();
        const other = await newApp('other');
        const alice = await newUser(app, 'alice');
        const room = await newRoom(app, 'r');
        await expectCode(
          store.messages.append({ ...msg(room, alice, 'x'), roomId: room.id + 1000 }),
          'not_found',
        );
        await expectCode(store.messages.append({ ...msg(room, alice, 'x'), appId: other.id }), 'not_found');
        expect(await store.messages.lastSeq(room.id)).toBe(0);
        expect((await store.messages.append(msg(room, alice, 'x'))).message.seq).toBe(1);
      });

      it('[store.dedup.client-msg-id] a repeated clientMsgId returns the original and uses no seq', async () => {
        const app = await newApp();
        const alice = await newUser(app, 'alice');
        const room = await newRoom(app, 'r');
        const first = await store.messages.append(msg(room, alice, 'original', 'cid-1'));
        const again = await store.messages.append({
          ...msg(room, alice, 'retry text', 'cid-1'),
          createdAt: T0 + 99,
        });
        expect(again).toEqual({ message: first.message, duplicate: true });
        expect(await store.messages.lastSeq(room.id)).toBe(1);
        const next = await store.messages.append(msg(room, alice, 'next', 'cid-2'));
        expect(next.message.seq).toBe(2);
        expect(next.duplicate).toBe(false);
        expect(seqs(await store.messages.range(room.id, { limit: 10 }))).toEqual([1, 2]);
      });

      it('[store.dedup.scope] dedup is per (room, author); null clientMsgIds never dedup', async () => {
        const app = await newApp();
        const alice = await newUser(app, 'alice');
        const bob = await newUser(app, 'bob');
        const a = await newRoom(app, 'a');
        const b = await newRoom(app, 'b');
        const fromAlice = await store.messages.append(msg(a, alice, 'x', 'same'));
        const fromBob = await store.messages.append(msg(a, bob, 'x', 'same'));
        expect(fromBob.duplicate).toBe(false);
        expect(fromBob.message.seq).toBe(2);
        const otherRoom = await store.messages.append(msg(b, alice, 'x', 'same'));
        expect(otherRoom.duplicate).toBe(false);
        expect(otherRoom.message.seq).toBe(1);
        const n1 = await store.messages.append(msg(a, alice, 'x'));
        const n2 = await store.messages.append(msg(a, alice, 'x'));
        expect([n1.duplicate, n2.duplicate]).toEqual([false, false]);
        expect([n1.message.seq, n2.message.seq]).toEqual([3, 4]);
        expect((await store.messages.append(msg(a, alice, 'y', 'same'))).message).toEqual(fromAlice.message);
      });

      it('[store.dedup.after-delete] a retry after the original was deleted still finds the original', async () => {
        const app = await newApp();
        const alice = await newUser(app, 'alice');
        const room = await newRoom(app, 'r');
        const first = await store.messages.append(msg(room, alice, 'x', 'cid'));
        const removed = await store.messages.remove(room.id, first.message.id, T0 + 5);
        expect(await store.messages.append(msg(room, alice, 'x', 'cid'))).toEqual({
          message: removed,
          duplicate: true,
        });
        expect(await store.messages.lastSeq(room.id)).toBe(1);
      });

      it('[store.msg.edit] edit replaces text and html, sets editedAt and keeps the seq', async () => {
        const { room } = await filledRoom(2);
        const [m1, m2] = await store.messages.range(room.id, { limit: 10 });
        if (!m1 || !m2) throw new Error('setup');
        const edited = await store.messages.edit(room.id, m1.id, 'new', '<p>new</p>', T0 + 50);
        expect(edited).toEqual({ ...m1, text: 'new', html: '<p>new</p>', editedAt: T0 + 50 });
        expect(await store.messages.get(room.id, m1.id)).toEqual(edited);
        expect(await store.messages.get(room.id, m2.id)).toEqual(m2);
        await expectCode(store.messages.edit(room.id, m2.id + 1000, 'x', 'x', T0), 'not_found');
        await expectCode(store.messages.edit(room.id + 1000, m1.id, 'x', 'x', T0), 'not_found');
      });

      it('[store.msg.remove] remove clears text and html, sets deletedAt, and the seq stays in range()', async () => {
        const { room } = await filledRoom(3);
        const [, m2] = await store.messages.range(room.id, { limit: 10 });
        if (!m2) throw new Error('setup');
        const removed = await store.messages.remove(room.id, m2.id, T0 + 60);
        expect(removed).toEqual({ ...m2, text: '', html: '', deletedAt: T0 + 60 });
        const all = await store.messages.range(room.id, { limit: 10 });
        expect(seqs(all)).toEqual([1, 2, 3]);
        expect(all[1]).toEqual(removed);
        // Removing again keeps the first deletion time; editing a removed message is not possible.
        expect((await store.messages.remove(room.id, m2.id, T0 + 70)).deletedAt).toBe(T0 + 60);
        await expectCode(store.messages.edit(room.id, m2.id, 'back', 'back', T0 + 80), 'not_found');
        expect((await store.messages.get(room.id, m2.id))?.text).toBe('');
        await expectCode(store.messages.remove(room.id, m2.id + 1000, T0), 'not_found');
        expect(await store.messages.lastSeq(room.id)).toBe(3);
      });

      it('[store.range.after] afterSeq gives the oldest `limit` after it, ascending', async () => {
        const { room } = await filledRoom(10);
        expect(seqs(await store.messages.range(room.id, { afterSeq: 0, limit: 3 }))).toEqual([1, 2, 3]);
        expect(seqs(await store.messages.range(room.id, { afterSeq: 3, limit: 4 }))).toEqual([4, 5, 6, 7]);
        expect(seqs(await store.messages.range(room.id, { afterSeq: 8, limit: 5 }))).toEqual([9, 10]);
        expect(await store.messages.range(room.id, { afterSeq: 10, limit: 5 })).toEqual([]);
        const texts = (await store.messages.range(room.id, { afterSeq: 0, limit: 2 })).map((m) => m.text);
        expect(texts).toEqual(['m1', 'm2']);
      });

      it('[store.range.before] beforeSeq gives the newest `limit` below it, ascending', async () => {
        const { room } = await filledRoom(10);
        expect(seqs(await store.messages.range(room.id, { beforeSeq: 5, limit: 2 }))).toEqual([3, 4]);
        expect(seqs(await store.messages.range(room.id, { beforeSeq: 3, limit: 10 }))).toEqual([1, 2]);
        expect(seqs(await store.messages.range(room.id, { beforeSeq: 11, limit: 3 }))).toEqual([8, 9, 10]);
        expect(await store.messages.range(room.id, { beforeSeq: 1, limit: 3 })).toEqual([]);
      });

      it('[store.range.newest] with neither bound, the newest `limit`, ascending', async () => {
        const { app, room } = await filledRoom(10);
        expect(seqs(await store.messages.range(room.id, { limit: 3 }))).toEqual([8, 9, 10]);
        expect(seqs(await store.messages.range(room.id, { limit: 50 }))).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ]);
        expect(await store.messages.range(room.id, { limit: 0 })).toEqual([]);
        const empty = await newRoom(app, 'empty');
        expect(await store.messages.range(empty.id, { limit: 10 })).toEqual([]);
        expect(await store.messages.range(empty.id + 1000, { limit: 10 })).toEqual([]);
      });

      it('[store.range.window] afterSeq and beforeSeq together bound both ends, oldest first', async () => {
        const { room } = await filledRoom(10);
        expect(seqs(await store.messages.range(room.id, { afterSeq: 2, beforeSeq: 6, limit: 10 }))).toEqual([
          3, 4, 5,
        ]);
        expect(seqs(await store.messages.range(room.id, { afterSeq: 2, beforeSeq: 9, limit: 2 }))).toEqual([
          3, 4,
        ]);
      });

      it('[store.seq.last] lastSeq is 0 for an empty or unknown room and the newest seq otherwise', async () => {
        const { room, user } = await filledRoom(0);
        expect(await store.messages.lastSeq(room.id)).toBe(0);
        expect(await store.messages.lastSeq(room.id + 1000)).toBe(0);
        for (let i = 0; i < 4; i++) await store.messages.append(msg(room, user, 'x'));
        expect(await store.messages.lastSeq(room.id)).toBe(4);
      });

      it('[store.seq.gapless] 200 concurrent appends across 3 rooms give each room 1..n with no gaps', async () => {
        const app = await newApp();
        const users = [await newUser(app, 'u1'), await newUser(app, 'u2')];
        const rooms = [await newRoom(app, 'r1'), await newRoom(app, 'r2'), await newRoom(app, 'r3')];
        const jobs = Array.from({ length: 200 }, (_, i) => {
          const room = rooms[(i * 7) % 3] as Room;
          const user = users[i % 2] as User;
          return store.messages.append(msg(room, user, `m${i}`, `cid-${i}`));
        });
        const results = await Promise.all(jobs);
        expect(results.every((r) => !r.duplicate)).toBe(true);
        expect(new Set(results.map((r) => r.message.id)).size).toBe(200);
        for (const room of rooms) {
          const mine = results.filter((r) => r.message.roomId === room.id).map((r) => r.message.seq);
          const n = mine.length;
          expect(n).toBeGreaterThan(0);
          expect([...mine].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect(seqs(await store.messages.range(room.id, { afterSeq: 0, limit: 1000 }))).toEqual(
            Array.from({ length: n }, (_, i) => i + 1),
          );
          expect(await store.messages.lastSeq(room.id)).toBe(n);
        }
      });

      it('[store.seq.property] any interleaving of appends and retries yields per-room seqs exactly 1..n', async () => {
        const op = fc.record({
          room: fc.integer({ min: 0, max: 2 }),
          author: fc.integer({ min: 0, max: 1 }),
          cid: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: null }),
        });
        // Batches run one after another; the appends inside a batch are all in flight at once.
        const batches = fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { maxLength: 8 });
        let run = 0;
        await fc.assert(
          fc.asyncProperty(batches, async (plan) => {
            const app = await newApp(`prop-${run++}`);
            const users = [await newUser(app, 'u0'), await newUser(app, 'u1')];
            const rooms = [await newRoom(app, 'r0'), await newRoom(app, 'r1'), await newRoom(app, 'r2')];
            const done: { key: string | null; room: Room; message: Message; duplicate: boolean }[] = [];
            for (const batch of plan) {
              const results = await Promise.all(
                batch.map((o) => {
                  const room = rooms[o.room] as Room;
                  return store.messages.append(msg(room, users[o.author] as User, 'x', o.cid));
                }),
              );
              results.forEach((r, i) => {
                const o = batch[i];
                if (!o) return;
                const key = o.cid === null ? null : `${o.room}/${o.author}/${o.cid}`;
                done.push({ key, room: rooms[o.room] as Room, message: r.message, duplicate: r.duplicate });
              });
            }
            // Every key has exactly one original, and each retry returned that original.
            const originals = new Map<string, Message>();
            for (const d of done) {
              if (d.key === null || d.duplicate) continue;
              expect(originals.has(d.key)).toBe(false);
              originals.set(d.key, d.message);
            }
            for (const d of done) {
              if (d.key === null) expect(d.duplicate).toBe(false);
              else expect(d.message).toEqual(originals.get(d.key));
            }
            for (const room of rooms) {
              const fresh = done.filter((d) => d.room.id === room.id && !d.duplicate).map((d) => d.message);
              const expected = Array.from({ length: fresh.length }, (_, i) => i + 1);
              expect(fresh.map((m) => m.seq).sort((x, y) => x - y)).toEqual(expected);
              const stored = await store.messages.range(room.id, { afterSeq: 0, limit: 1000 });
              expect(seqs(stored)).toEqual(expected);
              expect(new Set(stored.map((m) => m.id))).toEqual(new Set(fresh.map((m) => m.id)));
              expect(await store.messages.lastSeq(room.id)).toBe(fresh.length);
            }
          }),
          { numRuns: 60 },
        );
      });
    });
  });
  guestRosterContract(name, open, cleanup);
}
