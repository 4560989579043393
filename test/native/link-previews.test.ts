/**
 * Link previews end to end: a real server with the test-only setting that lets it fetch from loopback, pages
 * of the test's own web server, typed clients over both framings. Another member sees `message_preview`, reads
 * carry the preview, a link posted again is not fetched again, the send's ack never waits for a page, and a
 * server without the setting refuses loopback.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { LogRecorder } from '../helpers/engine.js';
import { html, startPageServer, type PageServer } from '../helpers/pageServer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, TRANSPORTS } from './helpers.js';

const OG_HEAD = `<title>Plain title</title>
  <meta property="og:title" content="The article">
  <meta property="og:description" content="What the article says">
  <meta property="og:site_name" content="Test site">
  <meta property="og:image" content="/cover.png">`;

describe.each(TRANSPORTS)('link previews over %s', (transport) => {
  let srv: TestServer;
  let site: PageServer;
  const held: ServerResponse[] = [];
  const pool = new ClientPool();
  let rooms = 0;

  beforeAll(async () => {
    site = await startPageServer({
      '/article': html(OG_HEAD),
      '/cached': html('<title>Fetched once</title>'),
      '/hang': (_req, res) => void held.push(res),
    });
    srv = await startTestServer({ linkPreviewsAllowPrivateAddresses: true });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    for (const res of held) res.destroy();
    await srv?.close();
    await site?.close();
  });

  async function scene(): Promise<{ room: string; ann: ParleyClient; bob: ParleyClient }> {
    const room = `previews-${transport === 'ws' ? 'ws' : 'sio'}-${++rooms}`;
    const ann = pool.client(srv, transport, { guest: `ann${rooms}` });
    const bob = pool.client(srv, transport, { guest: `bob${rooms}` });
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: room });
    await ann.connect();
    await bob.connect();
    await ann.join(room);
    await bob.join(room);
    return { room, ann, bob };
  }

  it('[proto.previews] another member sees the preview, and history and a join carry it', async () => {
    const { room, ann, bob } = await scene();
    const previews = events(bob, 'message_preview');
    const sent = await ann.send(room, `look: ${site.url}/article?from=chat.`);
    if (sent.kind !== 'message') throw new Error('expected a message');
    expect(sent.message.preview).toBeUndefined();
    const told = await previews.next();
    expect(told.room.name).toBe(room);
    expect(told.message.id).toBe(sent.message.id);
    expect(told.message.preview).toEqual({
      url: `${site.url}/article?from=chat`,
      title: 'The article',
      description: 'What the article says',
      siteName: 'Test site',
      imageUrl: `${site.url}/cover.png`,
    });
    const history = await bob.history(room);
    expect(history.messages.find((m) => m.id === sent.message.id)?.preview).toEqual(told.message.preview);
    const carol = pool.client(srv, transport, { guest: `carol${rooms}` });
    await carol.connect();
    const joined = await carol.join(room);
    expect(joined.messages.find((m) => m.id === sent.message.id)?.preview?.title).toBe('The article');
    // The HTTP API's history carries it too.
    const page = await api<{ messages: { id: number; preview?: unknown }[] }>(
      srv,
      'GET',
      `/api/v1/apps/1/rooms/${room}/messages`,
    );
    expect(page.messages.find((m) => m.id === sent.message.id)?.preview).toEqual(told.message.preview);
  });

  it('[proto.previews.cache] a link posted again is previewed from the cache, not fetched again', async () => {
    const { room, ann, bob } = await scene();
    const previews = events(bob, 'message_preview');
    const before = site.hitsOf('/cached');
    await ann.send(room, `${site.url}/cached`);
    expect((await previews.next()).message.preview?.title).toBe('Fetched once');
    await ann.send(room, `again ${site.url}/cached`);
    expect((await previews.next()).message.preview?.title).toBe('Fetched once');
    // Both transports' runs share the server: the first of them fetched the page, the second none.
    expect(site.hitsOf('/cached')).toBe(Math.min(before + 1, 1));
  });

  it('[proto.previews.async] the ack of a send never waits for the page', async () => {
    const { room, ann, bob } = await scene();
    const hangs = site.hitsOf('/hang');
    const sent = await ann.send(room, `${site.url}/hang?${rooms}`);
    expect(sent.kind).toBe('message');
    await waitFor(() => site.hitsOf('/hang') === hangs + 1, { label: 'the page asked for' });
    // The page still has not answered; sends and their delivery go on.
    const messages = events(bob, 'message');
    const next = await ann.send(room, 'still chatting');
    expect(next.kind).toBe('message');
    expect((await messages.next()).message.text).toBe('still chatting');
    expect(held.every((res) => !res.writableEnded)).toBe(true);
  });
});

describe('link previews without the test-only setting', () => {
  let srv: TestServer;
  let site: PageServer;
  const log = new LogRecorder();
  const pool = new ClientPool();

  beforeAll(async () => {
    site = await startPageServer({ '/local': html('<title>Local</title>') });
    srv = await startTestServer({}, { logger: log.logger });
  });
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
    await site?.close();
  });

  it('[proto.previews.ssrf] refuses a link to loopback or to the metadata address, and fetches nothing', async () => {
    const ann = pool.client(srv, 'ws', { guest: 'ann' });
    await ann.connect();
    await ann.join('lobby');
    for (const link of [`${site.url}/local`, 'http://169.254.169.254/latest/meta-data/']) {
      const sent = await ann.send('lobby', link);
      if (sent.kind !== 'message') throw new Error('expected a message');
      const skipped = await log.next('no link preview', (r) => r['messageId'] === sent.message.id);
      expect(skipped['failure']).toBe('refused');
    }
    expect(site.hitsOf('/local')).toBe(0);
  });
});
