/**
 * Random input against a live server: random event names and payloads over socket.io-client (wrong types,
 * `__proto__` / `constructor` keys, huge strings within the frame limit), and raw engine.io frames that are not
 * JSON at all. Whatever is sent, the process stays up, every event gets exactly one answer (a reply or a
 * dialect-shaped socket-api-error), and another client of the dialect keeps working.
 */
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import { NO_FLOOD, patchApp } from '../../native/helpers.js';
import { SocketApiPool, tokenFor, unique } from './helpers.js';
import type { SocketApiClient } from './helpers.js';

const FRAME_LIMIT = 64 * 1024;

const CLIENT_EVENTS = [
  'auth',
  'get-channels',
  'get-online-users',
  'join-channel',
  'leave-channel',
  'send-message',
];
/** Names socket.io itself reserves: its parser refuses them before any gateway sees them. */
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);
const REPLIES = new Set([
  'auth-success',
  'channels-list',
  'online-users',
  'channel-joined',
  'channel-left',
  'message-sent',
]);

const eventName = fc
  .oneof(
    fc.constantFrom(...CLIENT_EVENTS, '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''),
    fc.string({ maxLength: 30 }),
    fc.string({ minLength: 200, maxLength: 400 }),
  )
  .filter((name) => !RESERVED.has(name));

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(null),
  fc.string({ minLength: 20_000, maxLength: 30_000 }),
  fc.integer(),
  fc.double(),
);

const payload = fc.oneof(
  anyValue,
  fc.record(
    {
      transaction: fc.oneof(fc.string({ maxLength: 140 }), fc.integer(), fc.constant(''), fc.constant(null)),
      data: fc.oneof(fc.string({ maxLength: 100 }), anyValue),
      token: fc.oneof(fc.string({ maxLength: 100 }), anyValue),
      channelId: fc.oneof(fc.constant(1), fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
      text: fc.oneof(
        fc.string({ maxLength: 100 }),
        fc.constant('/help'),
        fc.constant('/me fuzzes'),
        anyValue,
      ),
      extra: anyValue,
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom(
    JSON.parse('{"__proto__":{"polluted":true},"data":"x"}') as unknown,
    JSON.parse('{"transaction":"p","__proto__":{"transaction":"q"}}') as unknown,
    { constructor: { prototype: { polluted: true } } },
    { channelId: 1, text: 'x'.repeat(30_000) },
  ),
);

/** Within the frame limit (a larger frame closes the connection: auth.test.ts covers that). */
const fits = (name: string, data: unknown) =>
  Buffer.byteLength(JSON.stringify([name, data]) ?? '') < FRAME_LIMIT - 1024;

const sends = fc.array(
  fc.tuple(eventName, payload, fc.boolean()).filter(([name, data]) => fits(name, data)),
  { minLength: 1, maxLength: 8 },
);

interface Answer {
  event: string;
  data: unknown;
}

/** Emit every event, then a marker; resolve with what came back before the marker's error. */
async function fire(client: SocketApiClient, events: [string, unknown, boolean][]): Promise<Answer[]> {
  for (const [name, data, withAck] of events) {
    if (withAck) client.socket.emit(name, data, () => {});
    else client.socket.emit(name, data);
  }
  return client.marker();
}

describe('socketapi fuzz', () => {
  let srv: TestServer;
  const pool = new SocketApiPool();
  let witness: SocketApiClient;

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: FRAME_LIMIT });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function witnessWorks(): Promise<void> {
    if (!witness?.connected) witness = await pool.user(srv, unique('witness'));
    const transaction = `w-${Math.random()}`;
    witness.emit('get-channels', { transaction });
    expect(await witness.wait('channels-list', (d) => d.transaction === transaction)).toMatchObject({
      channels: expect.any(Array),
    });
    expect(Object.prototype).not.toHaveProperty('polluted');
  }

  it('random events before auth: one socket-api-error each, and nothing else', async () => {
    await witnessWorks();
    await fc.assert(
      fc.asyncProperty(sends, async (events) => {
        const fuzzer = await pool.open(srv, { app: '1' }).connect();
        const before = await fire(fuzzer, events);
        // A random `data` is never a valid token, so no event succeeds here.
        const general = before.filter((a) => a.event === 'socket-api-error');
        expect(general).toHaveLength(events.length);
        for (const answer of general) {
          expect(answer.data).toEqual({ event: expect.any(String), message: expect.any(String) });
        }
        for (const answer of before) {
          if (answer.event === 'socket-api-error') continue;
          expect(answer.event.startsWith('socket-api-error-')).toBe(true);
          expect(typeof answer.data).toBe('string');
        }
        fuzzer.close();
        await witnessWorks();
      }),
      { numRuns: 60 },
    );
  });

  it('random events after auth: exactly one answer (a reply or an error) per event', async () => {
    await fc.assert(
      fc.asyncProperty(sends, async (events) => {
        const fuzzer = await pool.user(srv, unique('fz'));
        const before = await fire(fuzzer, events);
        const answers = before.filter((a) => a.event === 'socket-api-error' || REPLIES.has(a.event));
        expect(answers).toHaveLength(events.length);
        expect(fuzzer.connected).toBe(true);
        fuzzer.close();
        await witnessWorks();
      }),
      { numRuns: 60 },
    );
  });

  it('raw engine.io frames that are not valid socket.io or JSON never take the server down', async () => {
    const wsUrl = `${srv.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const garbage = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ maxLength: 200 }).map((s) => `42/socketapi,${s}`),
      fc.string({ maxLength: 200 }).map((s) => `42/socketapi,["auth",${s}]`),
      fc.jsonValue({ maxDepth: 3 }).map((v) => `42/socketapi,${JSON.stringify(v)}`),
      fc.constantFrom(
        '42/socketapi,["auth",{"data":',
        '42/socketapi,[{"__proto__":1}]',
        '42/socketapi,["connect"]',
        '42/socketapi,[]',
        '42/socketapi,null',
        '43/socketapi,1["auth"]',
        '451-/socketapi,["auth",{"_placeholder":true,"num":0}]',
        '4',
        '41/socketapi,',
        '40/nope,',
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(garbage, { minLength: 1, maxLength: 10 }), async (frames) => {
        const ws = new WebSocket(wsUrl);
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        ws.on('error', () => {});
        const received: string[] = [];
        ws.on('message', (data) => {
          const text = data.toString('utf8');
          received.push(text);
          if (text === '2') ws.send('3'); // engine.io ping → pong
        });
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        ws.send('40/socketapi,');
        // Generous bounds: under a full parallel test run one of the 50 connections can take seconds.
        await waitFor(() => received.some((m) => m.startsWith('40/socketapi,')), {
          label: 'namespace connect',
          timeoutMs: 15_000,
        });
        for (const frame of frames) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
        // `41/socketapi,` is the client leaving the namespace: what it sends there afterwards is not for anyone.
        if (frames.some((f) => f.startsWith('41/socketapi,'))) {
          ws.terminate();
          await witnessWorks();
          return;
        }
        // An unknown event as a marker: answered unless the garbage got the connection closed.
        if (ws.readyState === WebSocket.OPEN) ws.send('42/socketapi,["raw-marker",{}]');
        const outcome = await Promise.race([
          waitFor(() => received.some((m) => m.includes('"raw-marker"')), { timeoutMs: 15_000 }).then(
            () => 'answered',
          ),
          closed.then(() => 'closed'),
        ]);
        expect(['answered', 'closed']).toContain(outcome);
        if (outcome === 'answered') {
          expect(received.find((m) => m.includes('"raw-marker"'))).toBe(
            '42/socketapi,["socket-api-error",{"event":"raw-marker","message":"Unknown event"}]',
          );
        }
        ws.terminate();
        await witnessWorks();
      }),
      { numRuns: 50 },
    );
  });

  it('an authenticated user with a token in hand is not confused by fuzz from others', async () => {
    const name = unique('steady');
    const steady = await pool.user(srv, name);
    steady.emit('join-channel', { channelId: 1 });
    await steady.wait('channel-joined');
    const fuzzer = await pool.open(srv, { app: '1' }).connect();
    await fire(fuzzer, [
      ['auth', { data: await tokenFor(srv, unique('other')), transaction: 'x' }, false],
      ['send-message', { channelId: 1, text: 'as someone else?', userId: steady.userId }, false],
    ]);
    steady.emit('send-message', { transaction: 'mine', channelId: 1, text: 'still me' });
    expect(await steady.wait('message-sent')).toMatchObject({
      transaction: 'mine',
      message: { user_id: steady.userId, username: name },
    });
  });
});
