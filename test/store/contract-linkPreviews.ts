import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { LinkPreview, Message, Room, User } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';

/** The link preview store (ports/linkPreviewStore.ts), run on every store next to storeContract. */
export function linkPreviewStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`link previews contract: ${name}`, () => {
    let store: Store;
    let room: Room;
    let other: Room;
    let alice: User;
    const T0 = 1_700_000_000_000;
    const full: LinkPreview = {
      url: 'https://example.com/a',
      title: 'A title',
      description: 'What the page is',
      siteName: 'Example',
      imageUrl: 'https://example.com/a.png',
    };

    beforeEach(async () => {
      store = await open();
      const app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      alice = await store.directory.createUser(
        app.id,
        { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
        T0,
      );
      const create = (roomName: string) =>
        store.directory.createRoom(app.id, { name: roomName, visibility: 'public', createdBy: null }, T0);
      room = await create('general');
      other = await create('other');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    async function post(text: string, into = room): Promise<Message> {
      const appended = await store.messages.append({
        appId: into.appId,
        roomId: into.id,
        kind: 'text',
        authorId: alice.id,
        text,
        html: `<p>${text}</p>`,
        clientMsgId: null,
        createdAt: T0,
      });
      return appended.message;
    }

    it('[store.previews.put] stores a preview and reads many back in one call, replacing one stored', async () => {
      const a = await post('a');
      const b = await post('b');
      const c = await post('c');
      expect(await store.linkPreviews.put(room.id, a.id, full)).toBe(true);
      expect(await store.linkPreviews.put(room.id, b.id, { url: 'https://b.example/' })).toBe(true);
      const read = await store.linkPreviews.get([a.id, b.id, c.id]);
      expect(read.get(a.id)).toEqual(full);
      expect(read.get(b.id)).toEqual({ url: 'https://b.example/' });
      expect(read.has(c.id)).toBe(false);
      expect(await store.linkPreviews.put(room.id, a.id, { url: full.url, title: 'Newer' })).toBe(true);
      expect((await store.linkPreviews.get([a.id])).get(a.id)).toEqual({ url: full.url, title: 'Newer' });
      expect(await store.linkPreviews.get([])).toEqual(new Map());
    });

    it('[store.previews.gone] stores nothing for a deleted message or one of another room', async () => {
      const deleted = await post('deleted');
      await store.messages.remove(room.id, deleted.id, T0 + 1);
      expect(await store.linkPreviews.put(room.id, deleted.id, full)).toBe(false);
      const elsewhere = await post('elsewhere', other);
      expect(await store.linkPreviews.put(room.id, elsewhere.id, full)).toBe(false);
      expect(await store.linkPreviews.put(room.id, 999_999, full)).toBe(false);
      expect((await store.linkPreviews.get([deleted.id, elsewhere.id])).size).toBe(0);
    });

    it('[store.previews.remove] forgets a preview, and its room takes it along', async () => {
      const a = await post('a');
      await store.linkPreviews.put(room.id, a.id, full);
      expect(await store.linkPreviews.remove(a.id)).toBe(true);
      expect(await store.linkPreviews.remove(a.id)).toBe(false);
      const b = await post('b', other);
      await store.linkPreviews.put(other.id, b.id, full);
      await store.directory.deleteRoom(other.appId, other.id);
      expect((await store.linkPreviews.get([b.id])).size).toBe(0);
    });
  });
}
