import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { Role } from '../../src/core/roles.js';
import { TOMBSTONE_AUTHOR_ID, type App, type User, type UserKind } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';

/**
 * The guest roster's part of the storage contract (see contract.ts, which runs it for every store): guests
 * counted per app, marked seen, listed and removed by the reaping rule, and a removed guest's messages kept
 * with a tombstone author.
 */
export function guestRosterContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`store contract: ${name}: guests`, () => {
    let store: Store;
    const T0 = 1_700_000_000_000;
    const HOUR = 3_600_000;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    const newApp = (label = 'app') => store.directory.createApp(label, DEFAULT_APP_SETTINGS, T0);

    function newUser(app: App, username: string, kind: UserKind = 'guest', role?: Role, at = T0) {
      const userRole = role ?? (kind === 'guest' ? 'guest' : 'member');
      return store.directory.createUser(app.id, { username, role: userRole, kind, passwordHash: null }, at);
    }

    /** The rule as of T0 + 10 h: guests not seen for an hour. */
    const rule = { seenBefore: T0 + 9 * HOUR, now: T0 + 10 * HOUR };
    const ids = (users: User[]) => users.map((u) => u.id);

    it('[store.guests.count] counts the guests of one app, no other users and no other app', async () => {
      const app = await newApp();
      const other = await newApp('other');
      await newUser(app, 'g1');
      await newUser(app, 'g2');
      await newUser(app, 'acct', 'account');
      await newUser(other, 'g1');
      expect(await store.guests.count(app.id)).toBe(2);
      expect(await store.guests.count(other.id)).toBe(1);
    });

    it('[store.guests.removable] lists plain unused guests, least recently seen first', async () => {
      const app = await newApp();
      const older = await newUser(app, 'older', 'guest', 'guest', T0 - HOUR);
      const plain = await newUser(app, 'plain');
      const seenLately = await newUser(app, 'lately');
      await store.guests.markSeen(app.id, [seenLately.id], T0 + 9.5 * HOUR);
      await newUser(app, 'account', 'account');
      await newUser(app, 'raised', 'guest', 'mod');
      const banned = await newUser(app, 'banned');
      const banGone = await newUser(app, 'ban-gone');
      const muted = await newUser(app, 'muted');
      const ban = { appId: app.id, reason: '', by: null, createdAt: T0 };
      await store.directory.putBan({ ...ban, userId: banned.id, expiresAt: null });
      await store.directory.putBan({ ...ban, userId: banGone.id, expiresAt: T0 + HOUR });
      await store.directory.putMute({ ...ban, userId: muted.id, roomId: null, expiresAt: T0 + 11 * HOUR });
      const listed = await store.guests.listRemovable(app.id, { ...rule, limit: 10 });
      expect(listed).toEqual(ids([older, plain, banGone]));
      expect(await store.guests.listRemovable(app.id, { ...rule, limit: 2 })).toEqual(ids([older, plain]));
      const other = await newApp('other');
      expect(await store.guests.listRemovable(other.id, { ...rule, limit: 10 })).toEqual([]);
    });

    it('[store.guests.mark-seen] marking seen keeps a guest and answers how many guests exist', async () => {
      const app = await newApp();
      const guest = await newUser(app, 'g');
      const account = await newUser(app, 'acct', 'account');
      expect(await store.guests.markSeen(app.id, [guest.id, account.id, 999_999], T0 + 9.5 * HOUR)).toBe(1);
      expect(await store.guests.listRemovable(app.id, { ...rule, limit: 10 })).toEqual([]);
      expect(await store.guests.markSeen(app.id, [], T0)).toBe(0);
    });

    it('[store.guests.remove] removes guests with their tokens and memberships; messages keep a tombstone author', async () => {
      const app = await newApp();
      const guest = await newUser(app, 'Wanderer');
      const stays = await newUser(app, 'stays');
      const room = await store.directory.createRoom(
        app.id,
        { name: 'r', visibility: 'private', createdBy: null },
        T0,
      );
      await store.directory.addRoomMember(room.id, guest.id);
      const token = {
        hash: 'c'.repeat(64),
        id: 'tok-c',
        appId: app.id,
        userId: guest.id,
        expiresAt: null,
        createdAt: T0,
      };
      await store.directory.putAccessToken(token);
      const base = { appId: app.id, roomId: room.id, html: '', clientMsgId: null, createdAt: T0 };
      await store.messages.append({ ...base, kind: 'text', authorId: guest.id, text: 'hello' });
      await store.messages.append({
        ...base,
        kind: 'me',
        authorId: guest.id,
        text: 'waves',
        clientMsgId: 'k',
      });
      await store.messages.append({ ...base, kind: 'system', authorId: null, text: 'notice' });
      await store.messages.append({ ...base, kind: 'text', authorId: stays.id, text: 'hi' });
      // `stays` was seen since it was listed: the rule is checked again when removing.
      await store.guests.markSeen(app.id, [stays.id], T0 + 9.5 * HOUR);
      expect(await store.guests.remove(app.id, [guest.id, stays.id], rule)).toBe(1);
      expect(await store.directory.getUser(app.id, guest.id)).toBeNull();
      expect(await store.directory.getAccessToken(token.hash)).toBeNull();
      expect(await store.directory.isRoomMember(room.id, guest.id)).toBe(false);
      expect(await store.guests.count(app.id)).toBe(1);
      const messages = await store.messages.range(room.id, { afterSeq: 0, limit: 10 });
      const tombstone = { id: TOMBSTONE_AUTHOR_ID, username: 'Wanderer', role: 'guest' };
      expect(messages.map((m) => [m.text, m.author])).toEqual([
        ['hello', tombstone],
        ['waves', tombstone],
        ['notice', null],
        ['hi', { id: stays.id, username: 'stays', role: 'guest' }],
      ]);
      // A name taken again by a new guest does not become the removed guest's.
      const again = await newUser(app, 'wanderer');
      expect(again.id).not.toBe(guest.id);
      expect((await store.messages.range(room.id, { afterSeq: 0, limit: 1 }))[0]?.author).toEqual(tombstone);
    });

    it('[store.guests.remove.held] a banned or muted guest and one of another app are not removed', async () => {
      const app = await newApp();
      const other = await newApp('other');
      const banned = await newUser(app, 'banned');
      const muted = await newUser(app, 'muted');
      const foreign = await newUser(other, 'foreign');
      const entry = { appId: app.id, reason: '', by: null, createdAt: T0, expiresAt: null };
      await store.directory.putBan({ ...entry, userId: banned.id });
      await store.directory.putMute({ ...entry, userId: muted.id, roomId: null });
      expect(await store.guests.remove(app.id, [banned.id, muted.id, foreign.id], rule)).toBe(0);
      expect(await store.guests.remove(app.id, [], rule)).toBe(0);
      expect(await store.guests.count(app.id)).toBe(2);
      expect(await store.guests.count(other.id)).toBe(1);
    });
  });
}

/**
 * Rows as a store at migration 1 held them (no author_name, no last_seen_at): app 1, the guest `Old` (user 1)
 * and its message in room 1. `table` qualifies a table name (a PostgreSQL schema).
 */
export function version1Rows(table: (name: string) => string = (name) => name): string {
  return `
    INSERT INTO ${table('apps')} (name, settings, created_at) VALUES ('a', '{}', 1);
    INSERT INTO ${table('users')} (app_id, username, username_key, role, kind, created_at)
      VALUES (1, 'Old', 'old', 'guest', 'guest', 1);
    INSERT INTO ${table('rooms')} (app_id, name, name_key, visibility, created_at, last_seq)
      VALUES (1, 'r', 'r', 'public', 1, 1);
    INSERT INTO ${table('messages')} (app_id, room_id, seq, kind, author_id, text, html, created_at)
      VALUES (1, 1, 1, 'text', 1, 'before migration 2', '', 1);`;
}

/** On a store migrated past the rows of version1Rows: the old message keeps its author once the guest goes. */
export async function expectVersion1GuestTombstoned(store: Store): Promise<void> {
  // Settings stored before the guest settings existed read as their defaults.
  expect((await store.directory.getApp(1))?.settings).toEqual({ ...DEFAULT_APP_SETTINGS });
  expect(await store.guests.remove(1, [1], { seenBefore: 2, now: 2 })).toBe(1);
  const [message] = await store.messages.range(1, { afterSeq: 0, limit: 1 });
  expect(message?.author).toEqual({ id: TOMBSTONE_AUTHOR_ID, username: 'Old', role: 'guest' });
}
