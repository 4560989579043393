/**
 * Random events and payloads against the eventchat namespace of a live server: the process stays up, every
 * event gets its answer (a `cerror` in the dialect's shape when it is refused), and another eventchat client
 * keeps working. Then raw socket.io packets that are not even JSON.
 */
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import { NO_FLOOD, patchApp } from '../../native/helpers.js';
import { createUser, EventchatPool } from './helpers.js';
import type { EventchatClient, Rec } from './helpers.js';

const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

const eventName = fc.oneof(
  fc.constantFrom(
    'Auth',
    'message',
    'kick',
    'mute',
    'ban',
    'deleteMessage',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'cerror',
    'users',
    '',
  ),
  fc.string({ maxLength: 20 }).filter((name) => !RESERVED.has(name) && name !== 'connection'),
);

const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/**
 * A huge string, within the frame limit: generated as a placeholder (`HUGE:n`) and expanded when emitted, so
 * that a counterexample stays readable.
 */
const huge = fc.integer({ min: 10_000, max: 50_000 }).map((n) => `HUGE:${n}`);

function expand(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('HUGE:')) return 'h'.repeat(Number(value.slice(5)));
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) {
    return value;
  }
  const entries = Object.entries(value);
  if (!entries.some(([, item]) => typeof item === 'string' && item.startsWith('HUGE:'))) return value;
  const out: Record<string, unknown> = {};
  // defineProperty, so that an own `__proto__` key stays a key.
  for (const [key, item] of entries) {
    Object.defineProperty(out, key, {
      value: expand(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Payloads that fit in one packet with room to spare. */
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      user: fc.oneof(fc.constant('fuzzer'), anyValue),
      password: fc.oneof(fc.constant('fuzzer-password'), anyValue),
      room: fc.oneof(fc.constant('fuzz'), anyValue),
      content: anyValue,
      raw_content: fc.oneof(fc.constantFrom('/help', '/me fuzzes', '/kick witness', 'hi', ''), anyValue),
      username: fc.oneof(fc.constant('witness'), anyValue),
      duration: anyValue,
      reason: anyValue,
      id: anyValue,
    },
    { requiredKeys: [] },
  ),
  fc
    .constantFrom(
      '{"user":"fuzzer","password":"fuzzer-password","room":"fuzz","__proto__":{"role":"owner"}}',
      '{"raw_content":"x","constructor":{"prototype":{"polluted":true}}}',
      '{"__proto__":{"user":"fuzzer","password":"fuzzer-password","room":"fuzz"}}',
    )
    .map((json) => JSON.parse(json) as unknown),
  fc.constantFrom(
    { user: 'fuzzer', password: 'fuzzer-password', room: 'fuzz' },
    { raw_content: 'a valid message' },
  ),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

/** At most one huge payload per packet: a packet over the frame limit is socket.io's business (it drops it). */
const hugePayload = fc.oneof(
  huge.map((text) => ({ raw_content: text })),
  huge.map((text) => ({ content: 'c', raw_content: text })),
  huge.map((text) => ({ user: text, password: 'p', room: 'fuzz' })),
  huge.map((text) => ({ username: text })),
  huge,
);

/** One emitted event: a name and zero, one or two arguments (two is refused). */
const emission = fc.tuple(
  eventName,
  fc.oneof(
    fc.constant([] as unknown[]),
    payload.map((p) => [p]),
    hugePayload.map((p) => [p]),
    fc.tuple(payload, payload).map(([a, b]) => [a, b]),
  ),
);

/** The frames that answer one event: exactly one of these per event (`users` follows `Auth`; `mute` a 403). */
const ANSWERS = new Set(['cerror', 'Auth', 'message', 'deleteMessage']);

function checkCerror(data: Rec): void {
  expect(Object.keys(data).sort()).toEqual(['Code', 'message']);
  expect(Number.isInteger(data.Code)).toBe(true);
  expect(data.Code).toBeGreaterThanOrEqual(400);
  expect(data.Code).toBeLessThan(600);
  expect(typeof data.message).toBe('string');
}

describe('eventchat fuzz', () => {
  let srv: TestServer;
  const pool = new EventchatPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    await createUser(srv, 'fuzzer', 'fuzzer-password');
    await createUser(srv, 'witness', 'witness-password');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function witnessWorks(witness: EventchatClient, n: number): Promise<void> {
    const said = await witness.say(`witness ${n}`);
    expect(said.user).toBe('witness');
  }

  it('random events and payloads: one answer each, cerror in the dialect’s shape, nobody else disturbed', async () => {
    const witness = await pool.authed(srv, 'witness', 'witness-password', 'witness room');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(emission, { minLength: 1, maxLength: 12 }),
        async (authedFirst, emissions) => {
          run += 1;
          const fuzzer = authedFirst
            ? await pool.authed(srv, 'fuzzer', 'fuzzer-password', 'fuzz')
            : await pool.open(srv).connected();
          const mark = fuzzer.mark();
          for (const [name, args] of emissions) fuzzer.emit(name, ...args.map(expand));
          // The marker: answered after everything before it (events are handled in order).
          const marker = `marker ${run}`;
          fuzzer.emit('message', { content: marker, raw_content: marker });
          // Exactly one answer per event: the (n+1)-th answer is the marker's.
          await waitFor(() => answered(fuzzer, mark) >= emissions.length + 1, {
            label: `${emissions.length + 1} answers (got ${answered(fuzzer, mark)})`,
          });
          const frames = fuzzer.frames.slice(mark);
          const answers = frames.filter((f) => ANSWERS.has(f.event));
          const last = answers[emissions.length];
          const markerAnswered =
            (last?.event === 'message' && (last.data as Rec).raw_content === marker) ||
            (last?.event === 'cerror' && (last.data as Rec).Code === 401);
          expect(markerAnswered, JSON.stringify(answers.slice(-3))).toBe(true);
          for (const frame of frames) if (frame.event === 'cerror') checkCerror(frame.data as Rec);
          expect(fuzzer.socket.connected).toBe(true);
          fuzzer.close();
          await witnessWorks(witness, run);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('raw socket.io packets that are not JSON drop that socket only', async () => {
    const witness = await pool.authed(srv, 'witness', 'witness-password', 'witness room');
    const url = `${srv.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 100 }).map((s) => `42/eventchat,${s}`),
            fc.string({ maxLength: 100 }).map((s) => `42/eventchat,["Auth",${s}]`),
            fc.string({ maxLength: 100 }),
            fc.constantFrom(
              '42/eventchat,["Auth",{"__proto__":{"x":1}}]',
              '42/eventchat,["disconnect"]',
              '42/eventchat,[]',
              '42/eventchat,{"a":1}',
              '42/eventchat,["message",',
              '4',
              '9',
            ),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        async (packets) => {
          run += 1;
          const ws = new WebSocket(url);
          pool.add({ close: () => ws.terminate() });
          const received: string[] = [];
          const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
          ws.on('error', () => {});
          ws.on('message', (data) => {
            const text = data.toString('utf8');
            received.push(text);
            if (text === '2') ws.send('3');
          });
          await new Promise<void>((resolve, reject) => {
            ws.once('open', () => resolve());
            ws.once('error', reject);
          });
          ws.send('40/eventchat,');
          await waitFor(() => received.some((r) => r === '42/eventchat,["connection"]'), {
            label: 'the connection event',
          });
          for (const packet of packets) ws.send(packet);
          // Whatever happened, this socket either still answers (a marker `Auth` no fuzz packet can imitate
          // gets its 401) or was closed; the witness is unaffected.
          const marker = `42/eventchat,["Auth",{"user":"marker-${run}","password":"wrong","room":"r"}]`;
          ws.send(marker);
          const markerAnswer = '42/eventchat,["cerror",{"Code":401,"message":"Invalid user or password"}]';
          const outcome = await Promise.race([
            waitFor(() => received.includes(markerAnswer)).then(
              () => 'answered',
              () => 'no answer',
            ),
            closed.then(() => 'closed'),
          ]);
          expect(['answered', 'closed']).toContain(outcome);
          ws.terminate();
          await witnessWorks(witness, run);
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** How many answering frames the client got since `mark`. */
function answered(client: EventchatClient, mark: number): number {
  return client.frames.slice(mark).filter((f) => ANSWERS.has(f.event)).length;
}
