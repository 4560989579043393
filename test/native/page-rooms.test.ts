/**
 * Page-scoped rooms over both framings with the typed client, against a real server on real sockets
 * (docs/protocol.md [proto.rooms.page]): one room per page whatever way the page was reached, created on first
 * use where the app allows it, within its limit and its allowed origins, and left out of room lists.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register, TRANSPORTS, refusalOf } from './helpers.js';

const PAGES = { enabled: true, maxRooms: 10_000, keepQuery: ['id'] };

describe.each(TRANSPORTS)('page rooms over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tokens: Record<string, string> = {};
  const site = `https://blog-${transport}.example`;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, { ...NO_FLOOD, pageRooms: PAGES });
    for (const name of ['ann', 'bob']) tokens[name] = await register(srv, name);
  });
  afterEach(async () => {
    pool.closeAll();
    await patchApp(srv, { pageRooms: PAGES, allowedOrigins: null });
  });
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function as(name: string): Promise<ParleyClient> {
    const client = pool.client(srv, transport, { token: tokens[name] as string });
    await client.connect();
    return client;
  }

  const refusal = refusalOf;

  it('[proto.rooms.page] one room per page however it is reached; the readers chat in it', async () => {
    const ann = await as('ann');
    const bob = await as('bob');
    const first = await ann.pageRoom(`${site}/posts/hello/?utm_source=x&id=7#comments`);
    expect(first).toMatchObject({ url: `${site}/posts/hello?id=7`, created: true });
    expect(first.room).toMatch(/^page:[0-9a-f]{32}$/);
    for (const same of [
      `${site.toUpperCase()}/posts/hello?id=7`,
      `${site}:443/posts/hello?ref=mail&id=7`,
      `${site}/posts/hello?id=7#top`,
    ]) {
      expect(await bob.pageRoom(same)).toEqual({ ...first, created: false });
    }
    // Another page, or the same page with another kept parameter, is another room.
    expect((await bob.pageRoom(`${site}/posts/other`)).room).not.toBe(first.room);
    expect((await bob.pageRoom(`${site}/posts/hello?id=8`)).room).not.toBe(first.room);

    await ann.join(first.room);
    const joined = await bob.join(first.room);
    expect(joined.room.topic).toBe(`${site}/posts/hello?id=7`);
    const heard = events(ann, 'message');
    await bob.send(first.room, 'nice post');
    expect(await heard.next()).toMatchObject({ message: { text: 'nice post' } });
    // Page rooms are reached through their page, not from the room list.
    const listed = (await ann.listRooms()).map((r) => r.name);
    expect(listed).toContain('lobby');
    expect(listed.filter((name) => name.startsWith('page:'))).toEqual([]);
  });

  it('[proto.rooms.page-policy] off, over the limit, off the allowed origins, or not a page URL: refused', async () => {
    const ann = await as('ann');
    const known = await ann.pageRoom(`${site}/known`);
    for (const bad of [
      'not a url',
      'ftp://files.example/x',
      'javascript:alert(1)',
      `https://u:p@blog.example/`,
    ]) {
      expect(await refusal(ann.pageRoom(bad))).toMatchObject({ code: 'bad_request' });
    }
    expect(await refusal(ann.pageRoom(`${site}/${'a'.repeat(600)}`))).toMatchObject({ code: 'bad_request' });

    await patchApp(srv, { pageRooms: { ...PAGES, enabled: false } });
    expect(await refusal(ann.pageRoom(`${site}/new-while-off`))).toMatchObject({ code: 'forbidden' });
    // A page that has its room keeps it.
    expect(await ann.pageRoom(`${site}/known`)).toEqual({ ...known, created: false });

    const { rooms } = await api<{ rooms: { name: string }[] }>(srv, 'GET', '/api/v1/apps/1/rooms');
    const held = rooms.filter((r) => r.name.startsWith('page:')).length;
    await patchApp(srv, { pageRooms: { ...PAGES, maxRooms: held } });
    expect(await refusal(ann.pageRoom(`${site}/one-too-many`))).toMatchObject({
      code: 'room_limit',
      details: { max: held },
    });

    await patchApp(srv, { allowedOrigins: [site] });
    expect(await refusal(ann.pageRoom('https://elsewhere.example/post'))).toMatchObject({
      code: 'forbidden',
    });
    expect((await ann.pageRoom(`${site}/known`)).created).toBe(false);
  });
});
