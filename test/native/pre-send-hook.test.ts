/**
 * The app's pre-send hook (docs/bots.md, "Moderation bots: the pre-send hook") over both framings: a real server
 * POSTs each message, signed, to a receiver of the test's own on the loopback, which answers by the text it is
 * sent. Only the sender waits: another user's messages in the same room go through while one hook call hangs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, ParleyClient, SendResult } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { SiteReceiver, type ReceivedCall, type SiteAnswer } from '../helpers/siteReceiver.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register, TRANSPORTS } from './helpers.js';

const SECRET = 'hook-secret';

function answerFor(call: ReceivedCall): SiteAnswer {
  const data = call.body['data'] as { text: string };
  const text = data.text;
  if (text.startsWith('hang')) return 'hold';
  if (text.startsWith('reject')) return { body: { action: 'reject', reason: 'No shouting here' } };
  if (text.startsWith('replace')) return { body: { action: 'replace', text: 'a **kinder** text' } };
  if (text.startsWith('longer')) return { body: { action: 'replace', text: 'x'.repeat(5000) } };
  if (text.startsWith('malformed')) return { body: { action: 'maybe' } };
  if (text.startsWith('notjson')) return { body: 'this is not json' };
  if (text.startsWith('fail')) return { status: 500, body: { action: 'allow' } };
  if (text.startsWith('huge')) return { body: { action: 'allow', pad: 'p'.repeat(64 * 1024) } };
  return { body: { action: 'allow' } };
}

/** The message a send posted (not a command's answer). */
async function posted(result: Promise<SendResult>): Promise<MessageView> {
  const done = await result;
  if (done.kind !== 'message') throw new Error(`expected a message, got ${done.kind}`);
  return done.message;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error: unknown = await promise.then(
    () => new Error('expected a refusal'),
    (err: unknown) => err,
  );
  return error as { code: string; message: string };
}

describe.each(TRANSPORTS)('pre-send hook over %s', (transport) => {
  let srv: TestServer;
  const receiver = new SiteReceiver(SECRET, answerFor);
  const pool = new ClientPool();
  const tag = transport === 'ws' ? 'w' : 's';
  const tokens: Record<string, string> = {};
  let rooms = 0;

  beforeAll(async () => {
    await receiver.start();
    srv = await startTestServer();
    await patchApp(srv, {
      ...NO_FLOOD,
      preSendHook: { url: receiver.url, secret: SECRET, timeoutMs: 2000, onTimeout: 'allow' },
    });
    for (const name of ['ann', 'bob', 'cat']) tokens[name] = await register(srv, `hook${name}${tag}`);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    receiver.release({ body: { action: 'allow' } });
    pool.closeAll();
    await srv?.close();
    await receiver.close();
  });

  async function inRoom(...names: string[]): Promise<{ room: string; clients: ParleyClient[] }> {
    const room = `hook-${tag}-${++rooms}`;
    const clients = await Promise.all(
      names.map(async (name) => {
        const c = pool.client(srv, transport, { token: tokens[name] ?? '' });
        await c.connect();
        return c;
      }),
    );
    await clients[0]?.createRoom(room);
    for (const c of clients) await c.join(room);
    return { room, clients };
  }

  function onTimeout(value: 'allow' | 'reject', timeoutMs = 2000): Promise<unknown> {
    // The secret is left out: the stored one is kept.
    return patchApp(srv, { preSendHook: { url: receiver.url, timeoutMs, onTimeout: value } });
  }

  it('allows a message: the hook is sent the message, signed, and the message is stored as written', async () => {
    const {
      room,
      clients: [ann, bob],
    } = await inRoom('ann', 'bob');
    if (!ann || !bob) throw new Error('no clients');
    const seen = events(bob, 'message');
    const before = receiver.calls.length;
    const parent = await posted(ann.send(room, 'hello there'));
    const reply = await posted(ann.send(room, 'a reply', { replyTo: parent.id }));
    expect(parent.text).toBe('hello there');
    expect((await seen.next()).message.text).toBe('hello there');
    const [first, second] = receiver.calls.slice(before);
    expect(first?.verified).toBe(true);
    expect(first?.eventId).toBe(first?.body['id']);
    expect(first?.body).toMatchObject({
      type: 'message.presend',
      appId: 1,
      data: { room: { name: room }, author: { username: `hookann${tag}` }, text: 'hello there' },
    });
    expect(typeof first?.body['createdAt']).toBe('number');
    expect(second?.body['data']).toMatchObject({ text: 'a reply', replyTo: parent.id });
    expect(reply.replyTo?.id).toBe(parent.id);
  });

  it('a refusal is message_rejected with the reason, and nothing is posted', async () => {
    const {
      room,
      clients: [ann, bob],
    } = await inRoom('ann', 'bob');
    if (!ann || !bob) throw new Error('no clients');
    const refused = await refusal(ann.send(room, 'reject THIS'));
    expect(refused).toMatchObject({ code: 'message_rejected', message: 'No shouting here' });
    await posted(ann.send(room, 'after'));
    const history = await bob.history(room);
    expect(history.messages.map((m) => m.text)).toEqual(['after']);
  });

  it('a replacement is what is stored, rendered and fanned out; a too-long one is too_long', async () => {
    const {
      room,
      clients: [ann, bob],
    } = await inRoom('ann', 'bob');
    if (!ann || !bob) throw new Error('no clients');
    const seen = events(bob, 'message');
    const sent = await posted(ann.send(room, 'replace me'));
    expect(sent.text).toBe('a **kinder** text');
    expect(sent.html).toContain('<strong>kinder</strong>');
    expect((await seen.next()).message.text).toBe('a **kinder** text');
    expect((await refusal(ann.send(room, 'longer please'))).code).toBe('too_long');
  });

  it('no usable answer (malformed, not JSON, 500, too large, late) lets the message through on allow', async () => {
    const {
      room,
      clients: [ann],
    } = await inRoom('ann');
    if (!ann) throw new Error('no clients');
    await onTimeout('allow', 200);
    try {
      for (const text of ['malformed', 'notjson', 'fail', 'huge', 'hang']) {
        expect((await posted(ann.send(room, `${text} one`))).text).toBe(`${text} one`);
      }
    } finally {
      receiver.release({ body: { action: 'allow' } });
      await onTimeout('allow');
    }
  });

  it('no usable answer refuses the message on reject', async () => {
    const {
      room,
      clients: [ann, bob],
    } = await inRoom('ann', 'bob');
    if (!ann || !bob) throw new Error('no clients');
    await onTimeout('reject', 200);
    try {
      for (const text of ['malformed', 'notjson', 'fail', 'huge', 'hang']) {
        expect((await refusal(ann.send(room, `${text} two`))).code).toBe('message_rejected');
      }
      expect((await bob.history(room)).messages).toEqual([]);
    } finally {
      receiver.release({ body: { action: 'allow' } });
      await onTimeout('allow');
    }
  });

  it('only the sender waits: while her hook call hangs, others in the room are delivered', async () => {
    const {
      room,
      clients: [ann, bob, cat],
    } = await inRoom('ann', 'bob', 'cat');
    if (!ann || !bob || !cat) throw new Error('no clients');
    const seen = events(cat, 'message');
    let annDone = false;
    const annSend = posted(ann.send(room, 'hang on')).then((m) => {
      annDone = true;
      return m;
    });
    await waitHolding(1);
    await bob.send(room, 'bob goes first');
    expect((await seen.next()).message.text).toBe('bob goes first');
    expect(annDone).toBe(false);
    receiver.release({ body: { action: 'allow' } });
    expect((await annSend).text).toBe('hang on');
    expect((await seen.next()).message.text).toBe('hang on');
  });

  async function waitHolding(count: number): Promise<void> {
    await waitFor(() => receiver.holding >= count, { label: 'a held hook call' });
  }
});

describe('pre-send hook settings', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => srv?.close());

  it('the secret is never shown, kept when left out, and the bounds are held', async () => {
    const url = 'http://127.0.0.1:9/hook';
    const set = await api<{ settings: { preSendHook: unknown } }>(srv, 'PATCH', '/api/v1/apps/1', {
      settings: { preSendHook: { url, secret: 's3cret', timeoutMs: 300, onTimeout: 'reject' } },
    });
    expect(set.settings.preSendHook).toEqual({ url, secret: '[set]', timeoutMs: 300, onTimeout: 'reject' });
    const kept = await api<{ settings: { preSendHook: unknown } }>(srv, 'PATCH', '/api/v1/apps/1', {
      settings: { preSendHook: { url, secret: '[set]' } },
    });
    expect(kept.settings.preSendHook).toEqual({ url, secret: '[set]', timeoutMs: 1000, onTimeout: 'allow' });
    const bad = [
      { url, timeoutMs: 5001 },
      { url, timeoutMs: 10 },
      { url: 'http://example.com/hook', secret: 'x' },
      { url, onTimeout: 'maybe' },
      { url, secret: 'x', extra: 1 },
    ];
    for (const preSendHook of bad) {
      await expect(api(srv, 'PATCH', '/api/v1/apps/1', { settings: { preSendHook } })).rejects.toThrow(/400/);
    }
    await expect(
      api(srv, 'POST', '/api/v1/apps', { name: 'nohook', settings: { preSendHook: { url } } }),
    ).rejects.toThrow(/400/);
    const off = await api<{ settings: { preSendHook: unknown } }>(srv, 'PATCH', '/api/v1/apps/1', {
      settings: { preSendHook: null },
    });
    expect(off.settings.preSendHook).toBeNull();
    const audit = await api<{ entries: { action: string; changes: Record<string, unknown> }[] }>(
      srv,
      'GET',
      '/api/v1/apps/1/audit',
    );
    expect(JSON.stringify(audit.entries)).not.toContain('s3cret');
  });
});
