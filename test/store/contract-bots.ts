import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { BotRecord } from '../../src/core/bots.js';
import type { App, User } from '../../src/core/types.js';
import type { Store } from '../../src/engine/ports/store.js';

/** The bot store (ports/botStore.ts), run on every store next to storeContract. */
export function botStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
): void {
  describe(`bot store contract: ${name}`, () => {
    let store: Store;
    let app: App;
    let echo: User;
    let other: User;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      store = await open();
      app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
      const bot = (username: string) =>
        store.directory.createUser(app.id, { username, role: 'member', kind: 'bot', passwordHash: null }, T0);
      echo = await bot('echo');
      other = await bot('other');
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    const record = (user: User, at: number): BotRecord => ({
      appId: app.id,
      userId: user.id,
      endpoint: { url: 'https://bots.example/echo', secret: 's3cret' },
      commands: [
        { name: 'echo', description: 'Says it back', usage: '/echo text' },
        { name: 'e', description: '' },
      ],
      keyId: `key-${user.id}`,
      createdAt: at,
    });

    it('creates, reads, lists oldest first, and refuses the same bot twice', async () => {
      await store.bots.create(record(echo, T0 + 1));
      await store.bots.create({ ...record(other, T0), endpoint: null, commands: [] });
      expect(await store.bots.get(app.id, echo.id)).toEqual(record(echo, T0 + 1));
      expect((await store.bots.list(app.id)).map((b) => b.userId)).toEqual([other.id, echo.id]);
      await expect(store.bots.create(record(echo, T0))).rejects.toMatchObject({ code: 'conflict' });
      expect((await store.directory.getUser(app.id, echo.id))?.kind).toBe('bot');
    });

    it('updates only the fields given, and removes', async () => {
      await store.bots.create(record(echo, T0));
      const keyed = await store.bots.update(app.id, echo.id, { keyId: 'rotated' });
      expect(keyed).toEqual({ ...record(echo, T0), keyId: 'rotated' });
      const cleared = await store.bots.update(app.id, echo.id, { endpoint: null, commands: [] });
      expect(cleared).toEqual({ ...record(echo, T0), keyId: 'rotated', endpoint: null, commands: [] });
      const set = await store.bots.update(app.id, echo.id, {
        endpoint: { url: 'https://x.example', secret: 'y' },
      });
      expect(set?.endpoint).toEqual({ url: 'https://x.example', secret: 'y' });
      expect(await store.bots.update(app.id, other.id, { keyId: 'none' })).toBeNull();
      expect(await store.bots.remove(app.id, echo.id)).toBe(true);
      expect(await store.bots.remove(app.id, echo.id)).toBe(false);
      expect(await store.bots.get(app.id, echo.id)).toBeNull();
    });

    it("marks a bot's messages: the author carries bot: true", async () => {
      const room = await store.directory.createRoom(
        app.id,
        { name: 'r', visibility: 'public', createdBy: null },
        T0,
      );
      const { message } = await store.messages.append({
        appId: app.id,
        roomId: room.id,
        kind: 'text',
        authorId: echo.id,
        text: 'hi',
        html: '<p>hi</p>',
        clientMsgId: null,
        createdAt: T0,
        replyTo: null,
        mentions: [],
        visibility: 'visible',
        slowMode: false,
      });
      expect(message.author).toEqual({ id: echo.id, username: 'echo', role: 'member', bot: true });
      const [read] = await store.messages.range(room.id, { limit: 1 });
      expect(read?.author?.bot).toBe(true);
    });
  });
}
