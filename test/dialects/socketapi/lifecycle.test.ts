/**
 * Connection lifecycle at the engine.io level, with a raw WebSocket speaking socket.io's framing: a client
 * that stops reading is disconnected as a slow consumer without holding up the room, and the session is
 * released.
 */
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import { api, ClientPool, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { SocketApiPool, tokenFor, unique } from './helpers.js';

/** A socket.io client on /socketapi written by hand, so that the test controls reading. */
class RawSocketApi {
  readonly frames: string[] = [];
  readonly closed: Promise<void>;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const text = data.toString('utf8');
      if (text === '2') ws.send('3');
      this.frames.push(text);
    });
  }

  static async open(srv: TestServer): Promise<RawSocketApi> {
    const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const raw = new RawSocketApi(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send('40/socketapi,');
    await raw.frame((f) => f.startsWith('40/socketapi,'));
    return raw;
  }

  emit(event: string, data: unknown): void {
    this.ws.send(`42/socketapi,${JSON.stringify([event, data])}`);
  }

  frame(match: (frame: string) => boolean): Promise<string> {
    return waitFor(() => this.frames.find(match), { label: 'a matching frame' });
  }
}

describe('socketapi lifecycle', () => {
  let srv: TestServer;
  const natives = new ClientPool();
  const pool = new SocketApiPool();
  const raws: RawSocketApi[] = [];

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: 256 * 1024, engine: { outboundBufferBytes: 64 * 1024 } });
    await patchApp(srv, { ...NO_FLOOD, maxMessageLength: 60_000 });
  });
  afterAll(async () => {
    for (const raw of raws) raw.ws.terminate();
    natives.closeAll();
    pool.closeAll();
    await srv?.close();
  });

  it('a client that stops reading is disconnected as a slow consumer; the room goes on', async () => {
    const slowName = unique('slow');
    const slow = await RawSocketApi.open(srv);
    raws.push(slow);
    slow.emit('auth', { transaction: 'a', data: await tokenFor(srv, slowName) });
    await slow.frame((f) => f.includes('"auth-success"'));
    slow.emit('join-channel', { transaction: 'j', channelId: 1 });
    await slow.frame((f) => f.includes('"channel-joined"'));

    const reader = await pool.user(srv, unique('reader'));
    reader.emit('join-channel', { channelId: 1 });
    await reader.wait('channel-joined');

    slow.ws.pause();
    const sender = natives.client(srv, 'ws', { token: await tokenFor(srv, unique('sender')) });
    await sender.connect();
    await sender.join('lobby');
    const big = 'x'.repeat(50_000);
    const isOnline = async () => {
      const { online } = await api<{ online: { user: { username: string } }[] }>(
        srv,
        'GET',
        '/api/v1/apps/1/online',
      );
      return online.some((o) => o.user.username === slowName);
    };
    expect(await isOnline()).toBe(true);
    let sent = 0;
    // Until the engine gives up on the slow reader (its session is closed: it is no longer online).
    await waitFor(
      async () => {
        await Promise.all(Array.from({ length: 20 }, () => sender.send('lobby', big)));
        sent += 20;
        return !(await isOnline());
      },
      { timeoutMs: 20_000, label: 'the slow consumer to be dropped' },
    );
    // The reader that keeps reading got every message.
    const last = await sender.send('lobby', 'after the flood');
    expect(last.kind).toBe('message');
    await reader.wait('message-created', (d) => (d.message as { text: string }).text === 'after the flood');
    expect(reader.all('message-created').length).toBe(sent + 1);

    slow.ws.resume();
    await slow.closed;
    const received = slow.frames.filter((f) => f.includes('"message-created"')).length;
    expect(received).toBeLessThan(sent);
  });
});
