/**
 * Random frames against a live server ([proto.robustness]): whatever a client sends, the server stays up, the
 * fuzzing connection gets a reply per request (or, at worst, a close), and another client keeps getting replies.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_OPS } from '../../src/protocol/native.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { ClientPool, emitAck, NO_FLOOD, patchApp } from './helpers.js';

const opName = fc.oneof(
  fc.constantFrom(...NATIVE_OPS, '__proto__', 'constructor', 'toString', ''),
  fc.string({ maxLength: 20 }),
);

const data = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      room: fc.oneof(fc.constant('lobby'), fc.string({ maxLength: 80 }), fc.integer()),
      text: fc.oneof(fc.string({ maxLength: 100 }), fc.constant('/help'), fc.constant('/me waves')),
      guest: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('fuzzer')),
      id: fc.oneof(fc.integer(), fc.double(), fc.string()),
      sinceSeq: fc.oneof(fc.integer(), fc.constant(-1), fc.double()),
      limit: fc.oneof(fc.integer(), fc.constant(0)),
      user: fc.string({ maxLength: 40 }),
      typing: fc.oneof(fc.boolean(), fc.string()),
    },
    { requiredKeys: [] },
  ),
);

/** A raw WebSocket frame: garbage, JSON of any shape, or a request-shaped object. */
const wsFrame = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), fc.double()),
        op: fc.oneof(opName, fc.integer()),
        data,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.constantFrom('{"id":1,"op":"auth","data":{"guest":"f","__proto__":{"x":1}}}', '{"__proto__":{}}', '{}'),
);

describe('native protocol fuzz', () => {
  let srv: TestServer;
  const pool = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: 16 * 1024 });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('[proto.robustness] random WebSocket frames never take the server down', async () => {
    const witness = pool.rawWs(srv, '?guest=witness');
    await witness.opened;
    await fc.assert(
      fc.asyncProperty(fc.array(wsFrame, { minLength: 1, maxLength: 15 }), async (frames) => {
        const fuzzer = pool.rawWs(srv);
        await fuzzer.opened;
        for (const frame of frames) fuzzer.sendText(frame);
        // A marker request after the fuzz: it is answered unless the fuzz got the connection closed.
        const marker = `marker-${Math.random()}`;
        fuzzer.sendText(JSON.stringify({ id: marker, op: 'ping' }));
        const outcome = await Promise.race([
          fuzzer.frame((f) => f.id === marker).then(() => 'answered'),
          fuzzer.closed.then(() => 'closed'),
        ]);
        expect(['answered', 'closed']).toContain(outcome);
        if (outcome === 'answered') {
          // Every frame, readable or not, gets exactly one reply.
          await waitFor(() => fuzzer.replies >= frames.length + 1, { label: 'a reply per frame' });
          expect(fuzzer.replies).toBe(frames.length + 1);
        }
        fuzzer.ws.terminate();
        expect(await witness.request('ping')).toMatchObject({ ok: true });
      }),
      { numRuns: 60 },
    );
    expect(await witness.request('join', { room: 'lobby' })).toMatchObject({ ok: true });
  });

  it('[proto.robustness] random socket.io events never take the server down', async () => {
    const witness = pool.rawIo(srv, { guest: 'io-witness' });
    await new Promise<void>((resolve) => witness.once('connect', () => resolve()));
    const reserved = new Set([
      'connect',
      'connect_error',
      'disconnect',
      'disconnecting',
      'newListener',
      'removeListener',
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            opName.filter((op) => !reserved.has(op)),
            data,
          ),
          { minLength: 1, maxLength: 10 },
        ),
        async (events) => {
          const fuzzer = pool.rawIo(srv);
          await new Promise<void>((resolve) => fuzzer.once('connect', () => resolve()));
          const replies = await Promise.all(events.map(([op, payload]) => emitAck(fuzzer, op, payload)));
          for (const reply of replies) {
            expect(typeof reply.ok).toBe('boolean');
            if (reply.ok === false) expect(reply.error).toMatchObject({ code: expect.any(String) });
          }
          fuzzer.close();
          expect(await emitAck(witness, 'ping')).toMatchObject({ ok: true });
        },
      ),
      { numRuns: 40 },
    );
  });
});
