/**
 * Random frames against a live server: whatever a numeric client sends, the process stays up, every frame is
 * answered (invalid ones with `{type: -1}`), nothing leaks into Object.prototype, and another numeric client
 * keeps working.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { NO_FLOOD, patchApp } from '../../native/helpers.js';
import { isType, NumericPool } from './helpers.js';
import type { Frame, NumericClient } from './helpers.js';

const MAX_FRAME_BYTES = 64 * 1024;

const channelish = fc.oneof(
  fc.constantFrom('#fuzz', 'fuzz', '##fuzz', 'lobby', '#', '', '__proto__', 'constructor', 'toString', '#a'),
  fc.string({ maxLength: 40 }),
);
const textish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('/help', '/me waves', '/mute fuzzer 1', '//x', '   ', '\u0000', '<script>'),
  fc.constant('x'.repeat(30_000)),
  fc.constant('😀'.repeat(5_000)),
);
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.integer(), fc.constant(null));
const typeish = fc.oneof(
  fc.integer({ min: -2, max: 8 }),
  fc.constantFrom('0', '4', null, 4.5, true, 1e308, -0, [4], { type: 4 }),
  fc.integer(),
);

const objectFrame = fc
  .tuple(
    fc.record(
      {
        type: typeish,
        channel: fc.oneof(channelish, anyValue),
        dest: fc.oneof(channelish, anyValue),
        message: fc.oneof(textish, anyValue),
        user: fc.oneof(fc.string({ maxLength: 30 }), anyValue),
        time: anyValue,
      },
      { requiredKeys: [] },
    ),
    fc.constantFrom(null, '__proto__', 'constructor', 'prototype', 'hasOwnProperty'),
  )
  .map(([frame, extra]) => {
    const json = JSON.stringify(frame);
    if (extra === null) return json;
    const injected = `"${extra}":{"polluted":true,"type":4}`;
    return json === '{}' ? `{${injected}}` : json.replace(/^\{/, `{${injected},`);
  });

const wsFrame = fc.oneof(
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 5, arbitrary: objectFrame },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"type":6}}',
      '{"type":6,"__proto__":{"channel":"x"}}',
      '{"constructor":{"prototype":{"polluted":true}},"type":6}',
      '{"type":4,"channel":{"toString":"x"}}',
      '{"type":0,"dest":"fuzz","message":"hi","user":"admin"}',
      '[]',
      '{',
      'null',
    ),
  },
);

/** True when the frame cannot be a valid request, whatever its fields: an error must come back. */
function mustBeRefused(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return true;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
  const type = (value as Record<string, unknown>).type;
  const hasOwnType = Object.hasOwn(value, 'type');
  return !hasOwnType || typeof type !== 'number' || ![0, 2, 3, 4, 5, 6, 7].includes(type);
}

describe('numeric dialect fuzz', () => {
  let srv: TestServer;
  const pool = new NumericPool();
  let nickCounter = 0;

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: MAX_FRAME_BYTES });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function fuzzer(): Promise<NumericClient> {
    nickCounter += 1;
    const client = await pool.login(srv, `fuzzer_${nickCounter}`);
    client.send({ type: 4, channel: 'fuzz' });
    await client.next(isType(4));
    return client;
  }

  it('stays up, answers every frame, and other clients keep working', async () => {
    const witness = await pool.login(srv, 'witness');
    witness.send({ type: 4, channel: 'fuzz' });
    await witness.next(isType(4));

    let client = await fuzzer();
    let marker = 0;
    await fc.assert(
      fc.asyncProperty(wsFrame, async (text) => {
        if (client.closeInfo) client = await fuzzer();
        client.drain();
        marker += 1;
        const name = `mark_${marker}`;
        client.sendText(text);
        client.send({ type: 6, channel: name });
        const outcome = await Promise.race([
          client.until(isType(6, { channel: name })).then((frames) => ({ frames })),
          client.closed.then((info) => ({ closed: info })),
        ]);
        if ('closed' in outcome) {
          // The only ways to lose the connection: a logout (1000), a frame over the limit (1009), or too many
          // invalid frames in a short time (1008, invalid_frames: the fuzzer sends little else).
          if (outcome.closed.code === 1009) expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_FRAME_BYTES);
          else expect([1000, 1008]).toContain(outcome.closed.code);
          return;
        }
        const replies = outcome.frames.slice(0, -1);
        for (const frame of outcome.frames) {
          expect(Number.isInteger(frame.type), JSON.stringify(frame)).toBe(true);
          expect(typeof frame.time).toBe('number');
        }
        expect(replies.length, `no reply to ${text.slice(0, 200)}`).toBeGreaterThan(0);
        if (mustBeRefused(text)) {
          const error = replies.find((f: Frame) => f.type === -1);
          expect(error, `no {type: -1} for ${text.slice(0, 200)}`).toBeDefined();
          expect(typeof error?.message).toBe('string');
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 250 },
    );

    // The process is up and the other client still works.
    const health = await fetch(`${srv.url}/healthz`);
    expect(health.status).toBe(200);
    const sender = await pool.login(srv, 'after_fuzz');
    sender.send({ type: 4, channel: 'fuzz' });
    await sender.next(isType(4));
    sender.send({ type: 0, dest: 'fuzz', message: 'still alive' });
    expect(await witness.next(isType(0, { message: 'still alive' }))).toMatchObject({ user: 'after_fuzz' });
  });
});
