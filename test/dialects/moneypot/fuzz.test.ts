/**
 * Random input against the moneypot namespace of a live server: random event names and arguments through
 * socket.io-client, and random raw socket.io packets over a bare WebSocket (non-JSON, `__proto__` keys, wrong
 * types, huge strings within the frame limit and one over it). Whatever comes in: the process stays up, every
 * callback is answered with null or a dialect error string (client_error explaining the CLIENT_ERROR ones),
 * and another moneypot client keeps chatting.
 */
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import { NO_FLOOD, patchApp } from '../../native/helpers.js';
import type { MpClient } from './helpers.js';
import { hashedToken, isNewMessage, marker, MpPool } from './helpers.js';

const FRAME_LIMIT = 64 * 1024;
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);
/** What a callback may get in a fuzz run. INTERNAL_ERROR is not among them: it would be a bug. */
const ANSWERS = new Set([null, 'CLIENT_ERROR', 'USER_REQUIRED', 'RATE_LIMITED']);

const eventName = fc
  .oneof(
    fc.constantFrom(
      'auth',
      'new_message',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'join',
      '',
    ),
    fc.string({ maxLength: 30 }),
  )
  .filter((name) => !RESERVED.has(name));

const protoKeys = fc.constantFrom(
  JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  JSON.parse('{"app_id":1,"__proto__":{"hashed_token":"x"}}') as unknown,
  JSON.parse('{"constructor":{"prototype":{"polluted":true}},"app_id":1}') as unknown,
);

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  protoKeys,
  fc.record(
    {
      app_id: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.string({ maxLength: 12 }),
        fc.constant(1),
        fc.constant(null),
      ),
      hashed_token: fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[0-9a-f]{64}$/)),
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom('/mute', '/mute a 10 reason', '/unmute', '/help', '/me waves', '//x', '   '),
  fc.string({ minLength: 100, maxLength: 200 }),
  // Huge strings, three of which still fit in one frame (the over-limit case has its own test).
  fc.integer({ min: 1000, max: 15_000 }).map((n) => 'y'.repeat(n)),
);

const call = fc.record({ name: eventName, args: fc.array(value, { maxLength: 3 }) });

describe('moneypot fuzz', () => {
  let srv: TestServer;
  const pool = new MpPool();
  let witness: MpClient;
  let fuzzerHash: string;

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: FRAME_LIMIT, engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    fuzzerHash = await hashedToken(srv, 'fuzzer');
    witness = (await pool.authed(srv, { app_id: 1, hashed_token: await hashedToken(srv, 'witness') })).client;
  });
  afterEach(async () => {
    // Another client of the dialect still works after each test.
    const text = marker('witness');
    expect(await witness.send(text)).toBeNull();
    await witness.until('new_message', isNewMessage(text));
  });
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('answers every callback of random events with null or a dialect error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(call, { minLength: 1, maxLength: 8 }),
        async (signIn, calls) => {
          const fuzzer = pool.client(srv);
          await fuzzer.connected();
          if (signIn) expect((await fuzzer.auth({ app_id: 1, hashed_token: fuzzerHash })).err).toBeNull();
          const clientErrors = fuzzer.events<unknown>('client_error');
          let expectedErrors = 0;
          for (const { name, args } of calls) {
            const reply = await fuzzer.call(name, ...args);
            const err = reply[0];
            expect(ANSWERS.has(err as string | null), `${name} answered ${String(err)}`).toBe(true);
            if (err === 'CLIENT_ERROR') expectedErrors += 1;
            if (err === null && name === 'auth') {
              expect(reply[1]).toMatchObject({
                room: { users: expect.any(Object), history: expect.any(Array), muteList: expect.any(Object) },
              });
            }
          }
          // Every CLIENT_ERROR came with its client_error string.
          await waitFor(() => clientErrors.items.length >= expectedErrors, { label: 'client_error events' });
          expect(clientErrors.items.every((e) => typeof e === 'string' && e.length > 0)).toBe(true);
          expect(Object.prototype).not.toHaveProperty('polluted');
          fuzzer.close();
        },
      ),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('survives random raw socket.io packets, non-JSON included', async () => {
    const packet = fc.oneof(
      // Garbage after a valid prefix, and garbage alone.
      fc.string({ maxLength: 200 }).map((s) => `42/moneypot,${s}`),
      fc.string({ maxLength: 200 }),
      // Well-formed event packets with an ack id and any JSON.
      fc
        .tuple(eventName, fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }))
        .map(([name, args]) => ({ ack: true as const, body: JSON.stringify([name, ...args]) })),
      fc.constantFrom(
        { ack: true as const, body: '["auth",{"__proto__":{"app_id":1}}]' },
        { ack: true as const, body: '["auth",{"app_id":1,"hashed_token":{"__proto__":null}}]' },
        { ack: true as const, body: '["new_message",{"__proto__":{"text":"hi"}}]' },
        { ack: true as const, body: `["new_message","${'z'.repeat(40_000)}"]` },
        { ack: true as const, body: '["auth",1e999]' },
      ),
    );
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(packet, { minLength: 1, maxLength: 6 }), async (packets) => {
        const raw = new RawSocketIo(srv.url);
        try {
          await raw.open();
          let ackId = 100;
          const acks: number[] = [];
          for (const p of packets) {
            if (typeof p === 'string') raw.send(p);
            else {
              ackId += 1;
              acks.push(ackId);
              raw.send(`42/moneypot,${ackId}${p.body}`);
            }
          }
          const outcome = await Promise.race([
            waitFor(() => acks.every((id) => raw.ackFor(id) !== undefined), { label: 'raw acks' }).then(
              () => 'answered' as const,
            ),
            raw.closed.then(() => 'closed' as const),
          ]);
          if (outcome === 'answered') {
            answered += 1;
            for (const id of acks) {
              const answer = raw.ackFor(id)?.[0];
              expect(ANSWERS.has(answer as string | null), `ack ${id}: ${String(answer)}`).toBe(true);
            }
          }
        } finally {
          raw.close();
        }
      }),
      { numRuns: 40 },
    );
    // Not every run ended in a closed connection: the property looked at real answers.
    expect(answered).toBeGreaterThan(0);
  });

  it('answers prototype keys, wrong types and huge strings with dialect errors over raw packets', async () => {
    const raw = new RawSocketIo(srv.url);
    await raw.open();
    const cases: [string, string][] = [
      ['["auth",{"__proto__":{"app_id":1}}]', 'CLIENT_ERROR'],
      ['["auth",{"app_id":1,"constructor":{"prototype":{"x":1}}}]', 'CLIENT_ERROR'],
      ['["auth",{"app_id":1,"hashed_token":{"__proto__":null}}]', 'CLIENT_ERROR'],
      ['["auth",[1]]', 'CLIENT_ERROR'],
      ['["__proto__",1]', 'CLIENT_ERROR'],
      ['["auth",{"app_id":1}]', 'null'],
      ['["new_message",{"__proto__":{"text":"hi"}}]', 'USER_REQUIRED'],
      [`["new_message","${'z'.repeat(40_000)}"]`, 'USER_REQUIRED'],
    ];
    let id = 0;
    for (const [body, expected] of cases) {
      id += 1;
      raw.send(`42/moneypot,${id}${body}`);
      const current = id;
      const answer = await waitFor(() => raw.ackFor(current), { label: `ack for ${body.slice(0, 40)}` });
      expect(String(answer[0]), body.slice(0, 60)).toBe(expected);
    }
    const errors = raw.events('client_error');
    expect(errors).toHaveLength(5);
    expect(errors.every((e) => typeof e === 'string')).toBe(true);
    expect(Object.prototype).not.toHaveProperty('x');
    raw.close();
  });

  it('closes only the connection that sends a frame over the limit', async () => {
    const raw = new RawSocketIo(srv.url);
    await raw.open();
    raw.send(`42/moneypot,1["new_message","${'q'.repeat(FRAME_LIMIT + 10)}"]`);
    await raw.closed;
  });
});

/** A bare engine.io v4 WebSocket speaking socket.io packets by hand, connected to /moneypot. */
class RawSocketIo {
  private readonly ws: WebSocket;
  private readonly acks = new Map<number, unknown[]>();
  private readonly pushed: [string, unknown][] = [];
  private connected: Promise<void>;
  readonly closed: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) => this.ws.once('close', () => resolve()));
    this.connected = new Promise((resolve) => {
      this.ws.on('message', (data) => {
        const text = data.toString('utf8');
        if (text.startsWith('0')) this.ws.send('40/moneypot,');
        else if (text === '2') this.ws.send('3');
        else if (text.startsWith('40/moneypot,')) resolve();
        else {
          const ack = /^43\/moneypot,(\d+)(.*)$/s.exec(text);
          if (ack) this.acks.set(Number(ack[1]), JSON.parse(ack[2] ?? '[]') as unknown[]);
          const event = /^42\/moneypot,(.*)$/s.exec(text);
          if (event) this.pushed.push(JSON.parse(event[1] ?? '[]') as [string, unknown]);
        }
      });
    });
  }

  open(): Promise<void> {
    return this.connected;
  }

  send(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Payloads of the pushed events of one name. */
  events(name: string): unknown[] {
    return this.pushed.filter(([n]) => n === name).map(([, payload]) => payload);
  }

  ackFor(id: number): unknown[] | undefined {
    return this.acks.get(id);
  }

  close(): void {
    this.ws.terminate();
  }
}
