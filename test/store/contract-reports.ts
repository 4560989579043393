import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { NewReport, QueueFilter } from '../../src/engine/ports/reportStore.js';
import type { Store } from '../../src/engine/ports/store.js';

/** The report store's contract (ports/reportStore.ts), run on every store next to storeContract. */
export function reportStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`report store contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let room: Room;
    let author: User;
    let old: User;
    let young: User;
    let guest: User;
    const T0 = 1_700_000_000_000;
    const HOUR = 3_600_000;

    const post = async (text: string, visibility?: 'held' | 'shadow') =>
      (
        await store.messages.append({
          appId: app.id,
          roomId: room.id,
          kind: 'text',
          authorId: author.id,
          text,
          html: text,
          clientMsgId: null,
          createdAt: T0 + 48 * HOUR,
          ...(visibility ? { visibility } : {}),
        })
      ).message;
    const report = (messageId: number, reporter: User, extra: Partial<NewReport> = {}) =>
      store.reports.add({
        appId: app.id,
        roomId: room.id,
        messageId,
        reporterId: reporter.id,
        reason: 'spam',
        text: '',
        at: T0 + 48 * HOUR,
        establishedBefore: T0 + 24 * HOUR,
        ...extra,
      });

    beforeEach(async () => {
      store = await open();
      app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      room = await store.directory.createRoom(
        app.id,
        { name: 'r', visibility: 'public', createdBy: null },
        T0,
      );
      const user = (username: string, at: number, kind: 'account' | 'guest' = 'account') =>
        store.directory.createUser(
          app.id,
          { username, role: kind === 'guest' ? 'guest' : 'member', kind, passwordHash: null },
          at,
        );
      author = await user('author', T0);
      old = await user('old', T0);
      young = await user('young', T0 + 40 * HOUR);
      guest = await user('guest', T0, 'guest');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    it('[store.reports.visibility] a message is stored with its visibility and read back with it', async () => {
      const visible = await post('a');
      expect(visible.visibility).toBeUndefined();
      const held = await post('b', 'held');
      expect(held.visibility).toBe('held');
      expect((await store.messages.get(room.id, held.id))?.visibility).toBe('held');
      const [, ranged] = await store.messages.range(room.id, { limit: 10 });
      expect(ranged?.visibility).toBe('held');
      const hidden = await store.reports.setVisibility(room.id, visible.id, 'hidden');
      expect(hidden.visibility).toBe('hidden');
      const shown = await store.reports.setVisibility(room.id, visible.id, 'visible');
      expect(shown.visibility).toBeUndefined();
      await expect(store.reports.setVisibility(room.id, 999_999, 'hidden')).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('[store.reports.add] one report per user and message; the entry counts reporters and established ones', async () => {
      const m = await post('spam');
      const first = await report(m.id, old, { reason: 'abuse', text: 'rude' });
      expect(first.added).toBe(true);
      expect(first.report).toMatchObject({ messageId: m.id, reason: 'abuse', text: 'rude' });
      expect(first.report.reporter?.id).toBe(old.id);
      expect(first.entry).toMatchObject({ messageId: m.id, status: 'open', reason: 'abuse', reporters: 1 });
      expect(first.established).toBe(1);
      const again = await report(m.id, old, { reason: 'spam', text: 'other' });
      expect(again.added).toBe(false);
      expect(again.report).toEqual(first.report);
      expect(again.entry.reporters).toBe(1);
      // A young account and a guest are counted as reporters, never as established ones.
      expect((await report(m.id, young)).established).toBe(1);
      const third = await report(m.id, guest);
      expect(third.entry.reporters).toBe(3);
      expect(third.established).toBe(1);
      const listed = await store.reports.reports(m.id, 10);
      expect(listed.map((r) => r.reporter?.id)).toEqual([old.id, young.id, guest.id]);
      expect(await store.reports.reports(m.id, 2)).toHaveLength(2);
      await expect(report(999_999, old)).rejects.toMatchObject({ code: 'not_found' });
    });

    it('[store.reports.queue] open entries newest message first, paged; resolve once; a new report reopens', async () => {
      const a = await post('a');
      const b = await post('b');
      const held = await post('c', 'held');
      await report(a.id, old);
      await report(b.id, old);
      const heldEntry = await store.reports.hold(app.id, room.id, held.id, T0);
      expect(heldEntry).toMatchObject({ reason: 'held', status: 'open', reporters: 0 });
      const open = await store.reports.queue(app.id, { status: 'open', limit: 10 });
      expect(open.map((e) => e.messageId)).toEqual([held.id, b.id, a.id]);
      const page = await store.reports.queue(app.id, { status: 'open', before: b.id, limit: 10 });
      expect(page.map((e) => e.messageId)).toEqual([a.id]);
      const resolution = { action: 'dismiss' as const, by: author.id, at: T0 + 50 * HOUR, note: 'fine' };
      const resolved = await store.reports.resolve(app.id, b.id, resolution);
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolution: 'dismiss',
        resolvedBy: author.id,
        resolvedAt: T0 + 50 * HOUR,
        note: 'fine',
      });
      expect(await store.reports.resolve(app.id, b.id, resolution)).toBeNull();
      expect(
        (await store.reports.queue(app.id, { status: 'open', limit: 10 })).map((e) => e.messageId),
      ).toEqual([held.id, a.id]);
      expect(
        (await store.reports.queue(app.id, { status: 'resolved', limit: 10 })).map((e) => e.messageId),
      ).toEqual([b.id]);
      const reopened = await report(b.id, young);
      expect(reopened.entry).toMatchObject({ status: 'open', resolution: null, reporters: 2 });
      expect(await store.reports.entry(app.id, 999_999)).toBeNull();
    });

    it('[store.reports.queue-filter] the queue narrows by room, reason and words; operators are never syntax', async () => {
      const other = await store.directory.createRoom(
        app.id,
        { name: 'other', visibility: 'public', createdBy: null },
        T0,
      );
      const cheap = await post('cheap pills here');
      const rude = await post('you are rude');
      const held = await post('cheap watches', 'held');
      const elsewhere = (
        await store.messages.append({
          appId: app.id,
          roomId: other.id,
          kind: 'text',
          authorId: author.id,
          text: 'cheap tickets',
          html: 'cheap tickets',
          clientMsgId: null,
          createdAt: T0,
        })
      ).message;
      await report(cheap.id, old);
      await report(rude.id, old, { reason: 'abuse' });
      await store.reports.hold(app.id, room.id, held.id, T0);
      await store.reports.add({
        appId: app.id,
        roomId: other.id,
        messageId: elsewhere.id,
        reporterId: old.id,
        reason: 'spam',
        text: '',
        at: T0,
        establishedBefore: T0,
      });
      const ids = async (extra: Partial<QueueFilter>) =>
        (await store.reports.queue(app.id, { status: 'open', limit: 10, ...extra })).map((e) => e.messageId);
      const words = (w: string[], prefix = true) => ({ words: w, prefix });
      expect(await ids({ match: words(['cheap']) })).toEqual([elsewhere.id, held.id, cheap.id]);
      expect(await ids({ match: words(['cheap'], false), roomId: room.id })).toEqual([held.id, cheap.id]);
      expect(await ids({ match: words(['cheap']), reason: 'held' })).toEqual([held.id]);
      expect(await ids({ reason: 'abuse' })).toEqual([rude.id]);
      expect(await ids({ roomId: other.id })).toEqual([elsewhere.id]);
      expect(await ids({ match: words(['ru']) })).toEqual([rude.id]);
      expect(await ids({ match: words(['ru'], false) })).toEqual([]);
      expect(await ids({ match: words([]) })).toEqual([]);
      // Words hold letters and digits only (core/search.ts); each store quotes them for its own index, so
      // its operator words are just words there.
      for (const hostile of ['NEAR', 'AND', 'OR', 'NOT', 'near', 'or']) {
        expect(await ids({ match: words([hostile]) })).toEqual([]);
        expect(await ids({ match: words(['cheap', hostile]) })).toEqual([]);
      }
      expect(await ids({ match: words(['cheap'], false), before: held.id })).toEqual([cheap.id]);
    });

    it('[store.reports.shadow] shadow mutes are put, replaced, listed while in force and deleted', async () => {
      const mute = {
        appId: app.id,
        userId: author.id,
        expiresAt: T0 + HOUR,
        reason: 'spam',
        by: old.id,
        createdAt: T0,
      };
      await store.reports.putShadowMute(mute);
      await store.reports.putShadowMute({ ...mute, expiresAt: null, reason: 'again' });
      expect(await store.reports.listShadowMutes(app.id, T0 + 2 * HOUR)).toEqual([
        { ...mute, expiresAt: null, reason: 'again' },
      ]);
      await store.reports.putShadowMute({ ...mute, userId: young.id });
      expect(await store.reports.listShadowMutes(app.id, T0 + 2 * HOUR)).toHaveLength(1);
      expect(await store.reports.deleteShadowMute(app.id, author.id)).toBe(true);
      expect(await store.reports.deleteShadowMute(app.id, author.id)).toBe(false);
    });

    it('[store.reports.counts] counts the moderation records that name a user', async () => {
      const record = {
        appId: app.id,
        actorId: old.id,
        targetId: author.id,
        roomId: null,
        detail: {},
        createdAt: T0,
      };
      await store.directory.recordModeration({ ...record, kind: 'mute' });
      await store.directory.recordModeration({ ...record, kind: 'mute' });
      await store.directory.recordModeration({ ...record, kind: 'shadow_mute' });
      await store.directory.recordModeration({ ...record, kind: 'ban', targetId: young.id });
      expect(await store.reports.moderationCounts(app.id, author.id)).toEqual({ mute: 2, shadow_mute: 1 });
    });
  });
}
