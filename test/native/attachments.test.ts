/**
 * Messages with files over the native protocol, against a real server on real sockets (docs/attachments.md):
 * a send names uploads, the room sees them with signed URLs in events and history, an upload is sent once and
 * only by its uploader, and a deleted message or room takes its files with it.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { dialectText } from '../../src/gateways/kernel/messageText.js';
import type { MessageView } from '../../src/engine/events.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { png, upload } from '../helpers/uploads.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, refusalOf, register } from './helpers.js';

describe('attachments in messages', () => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    for (const name of ['ann', 'bob']) tokens[name] = await register(srv, name);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function as(name: string): Promise<ParleyClient> {
    const client = pool.client(srv, 'ws', { token: tokens[name] as string });
    await client.connect();
    return client;
  }

  async function uploaded(name: string, room = 'lobby'): Promise<string> {
    const { status, body } = await upload(srv, tokens[name] as string, room, 'pic.png', await png(800, 600));
    expect(status).toBe(201);
    return body.attachment!.id;
  }

  const files = () => readdir(join(srv.dataDir, 'files'));

  it('a message carries its files to the room, in history, and for the dialects as links', async () => {
    const ann = await as('ann');
    const bob = await as('bob');
    await ann.join('lobby');
    await bob.join('lobby');
    const seen = events(bob, 'message');
    const first = await uploaded('ann');
    const second = await uploaded('ann');
    const sent = await ann.send('lobby', '', { attachments: [first, second] });
    expect(sent.kind).toBe('message');
    const message = (await seen.next()).message as MessageView;
    expect(message.text).toBe('');
    expect(message.attachments?.map((a) => a.id)).toEqual([first, second]);
    expect(message.attachments?.[0]).toMatchObject({ type: 'image/png', width: 800, height: 600 });
    const thumb = await fetch(`${srv.url}${message.attachments?.[0]?.thumbnailUrl}`);
    expect(thumb.status).toBe(200);
    const page = await bob.history('lobby', { limit: 5 });
    const read = page.messages.find((m) => m.id === message.id);
    expect(read?.attachments?.map((a) => a.id)).toEqual([first, second]);
    expect(dialectText(message)).toBe(message.attachments?.map((a) => `pic.png <${a.url}>`).join('\n'));
    expect(dialectText({ ...message, text: 'look' }).split('\n')[0]).toBe('look');
  });

  it('an upload is sent once, by its uploader, in its room; at most 10 a message', async () => {
    const ann = await as('ann');
    const bob = await as('bob');
    await ann.join('lobby');
    await bob.join('lobby');
    const id = await uploaded('ann');
    expect(await refusalOf(bob.send('lobby', 'mine now', { attachments: [id] }))).toMatchObject({
      code: 'attachment_not_found',
    });
    await ann.send('lobby', 'here', { attachments: [id] });
    expect(await refusalOf(ann.send('lobby', 'again', { attachments: [id] }))).toMatchObject({
      code: 'attachment_not_found',
    });
    const eleven = Array.from({ length: 11 }, (_, i) => i.toString(16).padStart(32, '0'));
    expect((await refusalOf(ann.send('lobby', 'many', { attachments: eleven }))).code).toBe('bad_request');
    await patchApp(srv, {
      attachments: { enabled: true, maxBytes: 1_000_000, types: ['image/'], maxPerMessage: 1 },
    });
    const two = [await uploaded('ann'), await uploaded('ann')];
    expect(await refusalOf(ann.send('lobby', 'two', { attachments: two }))).toMatchObject({
      code: 'bad_request',
      details: { field: 'attachments', max: 1 },
    });
    // Without files the text is still required.
    expect((await refusalOf(ann.send('lobby', '  '))).code).toBe('bad_request');
  });

  it("deleting the message deletes its files; deleting the room deletes the room's files", async () => {
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: 'scratch', visibility: 'public' });
    const ann = await as('ann');
    await ann.join('scratch');
    const id = await uploaded('ann', 'scratch');
    const unsent = await uploaded('ann', 'scratch');
    const sent = await ann.send('scratch', 'bye', { attachments: [id] });
    if (sent.kind !== 'message') throw new Error('not a message');
    const url = sent.message.attachments?.[0]?.url ?? '';
    expect((await fetch(`${srv.url}${url}`)).status).toBe(200);
    expect(await files()).toEqual(expect.arrayContaining([id, `${id}.thumb`, unsent]));
    await ann.delete('scratch', sent.message.id);
    expect((await fetch(`${srv.url}${url}`)).status).toBe(404);
    expect(await files()).not.toContain(id);
    expect(await files()).toContain(unsent);
    await api(srv, 'DELETE', '/api/v1/apps/1/rooms/scratch');
    expect(await files()).not.toContain(unsent);
  });
});
