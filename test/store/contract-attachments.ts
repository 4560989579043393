import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { AttachmentRecord } from '../../src/engine/ports/attachmentStore.js';
import type { Store } from '../../src/engine/ports/store.js';

/** The attachment store (ports/attachmentStore.ts), run on every store next to storeContract. */
export function attachmentStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`attachments contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let alice: User;
    let bob: User;
    let room: Room;
    let other: Room;
    const T0 = 1_700_000_000_000;
    let n = 0;

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
      const create = (roomName: string) =>
        store.directory.createRoom(app.id, { name: roomName, visibility: 'public', createdBy: null }, T0);
      room = await create('general');
      other = await create('other');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    const upload = async (by: User, at = T0, inRoom = room, image = false): Promise<AttachmentRecord> => {
      n += 1;
      const record: AttachmentRecord = {
        id: n.toString(16).padStart(32, '0'),
        appId: app.id,
        roomId: inRoom.id,
        uploaderId: by.id,
        messageId: null,
        name: `file ${n}.png`,
        size: 1000 + n,
        type: image ? 'image/png' : 'application/pdf',
        width: image ? 640 : null,
        height: image ? 480 : null,
        thumbType: image ? 'image/png' : null,
        createdAt: at,
      };
      await store.attachments.insert(record);
      return record;
    };

    it('keeps an upload as given and finds it by id', async () => {
      const image = await upload(alice, T0, room, true);
      const pdf = await upload(alice);
      expect(await store.attachments.get([image.id])).toEqual([image]);
      const both = await store.attachments.get([pdf.id, image.id, 'f'.repeat(32)]);
      expect(both.map((r) => r.id).sort()).toEqual([image.id, pdf.id].sort());
    });

    it("links only the uploader's unsent uploads for the room, in order, once", async () => {
      const [a, b, c] = [await upload(alice), await upload(alice), await upload(alice)];
      const bobs = await upload(bob);
      const elsewhere = await upload(alice, T0, other);
      expect(
        await store.attachments.attach(101, alice.id, room.id, [c.id, a.id, bobs.id, elsewhere.id]),
      ).toBe(2);
      expect(await store.attachments.attach(102, alice.id, room.id, [a.id, b.id])).toBe(1);
      const linked = await store.attachments.ofMessages([101, 102]);
      expect(linked.map((r) => [r.messageId, r.id])).toEqual([
        [101, c.id],
        [101, a.id],
        [102, b.id],
      ]);
      expect(await store.attachments.ofMessages([999])).toEqual([]);
    });

    it('counts and sweeps the unsent, lists a room, removes', async () => {
      const old = await upload(alice, T0);
      await upload(alice, T0 + 5000);
      const sent = await upload(alice, T0);
      await store.attachments.attach(7, alice.id, room.id, [sent.id]);
      const bobs = await upload(bob, T0, other);
      expect(await store.attachments.unsentCount(app.id, alice.id)).toBe(2);
      const due = await store.attachments.unsentBefore(T0 + 1000, 10);
      expect(due.map((r) => r.id).sort()).toEqual([old.id, bobs.id].sort());
      expect(await store.attachments.unsentBefore(T0 + 1000, 1)).toHaveLength(1);
      expect((await store.attachments.ofRoom(room.id)).length).toBe(3);
      await store.attachments.remove([old.id, sent.id]);
      expect(await store.attachments.get([old.id, sent.id])).toEqual([]);
      expect(await store.attachments.unsentCount(app.id, alice.id)).toBe(1);
    });

    it("lists a user's uploads in the app, sent or not, newest first, bounded", async () => {
      const first = await upload(alice, T0);
      const sent = await upload(alice, T0 + 2000);
      await store.attachments.attach(9, alice.id, room.id, [sent.id]);
      const elsewhere = await upload(alice, T0 + 1000, other);
      await upload(bob, T0 + 3000);
      const listed = await store.attachments.ofUploader(app.id, alice.id, 10);
      expect(listed.map((r) => r.id)).toEqual([sent.id, elsewhere.id, first.id]);
      expect(listed[0]?.messageId).toBe(9);
      expect((await store.attachments.ofUploader(app.id, alice.id, 2)).map((r) => r.id)).toEqual([
        sent.id,
        elsewhere.id,
      ]);
      const otherApp = await store.directory.createApp('other', DEFAULT_APP_SETTINGS, T0);
      expect(await store.attachments.ofUploader(otherApp.id, alice.id, 10)).toEqual([]);
    });
  });
}
