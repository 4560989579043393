/** Unit tests of the pieces both framings and the client are built from. */
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { backoffDelay } from '../../src/client/backoff.js';
import { ParleyClient } from '../../src/client/index.js';
import type { ClientEventMap } from '../../src/client/index.js';
import { SeqTracker } from '../../src/client/resume.js';
import { nativeWsUrl } from '../../src/client/transport-ws.js';
import type { EngineEvent, EngineEventType } from '../../src/engine/events.js';
import { encodeSocketIoPush, engineIoBufferedBytes } from '../../src/gateways/native/socketio.js';
import { encodeWsPush, parseFrame } from '../../src/gateways/native/ws.js';
import { encodeOnce } from '../../src/gateways/encodeOnce.js';
import { NATIVE_EVENTS } from '../../src/protocol/native.js';
import type { NativeEventData, NativeEventName, OpRequest, OpResult } from '../../src/protocol/native.js';

const event: EngineEvent = {
  type: 'typing',
  room: { id: 3, name: 'lobby' },
  user: { id: 1, username: 'ann', role: 'member' },
  typing: true,
};

describe('protocol types', () => {
  it('[proto.events] names every engine event', () => {
    expectTypeOf<NativeEventName>().toEqualTypeOf<EngineEventType>();
    expect(new Set(NATIVE_EVENTS).size).toBe(NATIVE_EVENTS.length);
    expectTypeOf<NativeEventData<'gap'>>().toEqualTypeOf<{
      room: { id: number; name: string };
      afterSeq: number;
      beforeSeq: number;
    }>();
    expectTypeOf<ClientEventMap['message']>().toEqualTypeOf<NativeEventData<'message'>>();
    expectTypeOf<OpRequest<'join'>>().toEqualTypeOf<{ room: string; sinceSeq?: number }>();
    expectTypeOf<OpResult<'ping'>>().toEqualTypeOf<{ time: number }>();
  });

  it('[proto.client] request() is typed by the operation table', () => {
    const client = new ParleyClient({ url: 'http://127.0.0.1:1', transport: 'ws' });
    expectTypeOf(client.request<'ping'>).returns.toEqualTypeOf<Promise<{ time: number }>>();
    expectTypeOf(client.request<'history'>)
      .parameter(1)
      .toEqualTypeOf<OpRequest<'history'>>();
    expect(client.state).toBe('closed');
  });
});

describe('encoding pushes once per framing', () => {
  it('[proto.ws.frames] WebSocket: {event, data} with data = the event without type', () => {
    expect(JSON.parse(encodeWsPush(event))).toEqual({
      event: 'typing',
      data: {
        room: { id: 3, name: 'lobby' },
        user: { id: 1, username: 'ann', role: 'member' },
        typing: true,
      },
    });
  });

  it('[proto.socketio] socket.io: an EVENT packet for namespace `/` (raw-socketio.test.ts checks a real client)', () => {
    const encoded = encodeSocketIoPush(event);
    expect(encoded.startsWith('2[')).toBe(true);
    expect(JSON.parse(encoded.slice(1))).toEqual(['typing', JSON.parse(encodeWsPush(event)).data]);
  });

  it('encodes each event once per framing however many recipients', () => {
    let calls = 0;
    const encode = (e: EngineEvent) => {
      calls++;
      return encodeWsPush(e);
    };
    const fresh: EngineEvent = { ...event };
    const first = encodeOnce(fresh, 'native-ws', encode);
    for (let i = 0; i < 100; i++) expect(encodeOnce(fresh, 'native-ws', encode)).toBe(first);
    expect(calls).toBe(1);
  });

  it('estimates engine.io buffered bytes defensively', () => {
    expect(engineIoBufferedBytes(null)).toBe(0);
    expect(engineIoBufferedBytes({})).toBe(0);
    expect(
      engineIoBufferedBytes({
        writeBuffer: [{ data: 'abcd' }, { data: new Uint8Array(6) }, { type: 'ping' }],
        transport: { socket: { bufferedAmount: 10 } },
      }),
    ).toBe(20);
    expect(
      engineIoBufferedBytes({ writeBuffer: 'nope', transport: { socket: { bufferedAmount: 'x' } } }),
    ).toBe(0);
  });
});

describe('reading WebSocket frames', () => {
  it('[proto.ws.malformed] keeps the id when readable and says what is wrong', () => {
    expect(parseFrame('{"id":1,"op":"ping"}')).toMatchObject({
      id: 1,
      op: 'ping',
      data: undefined,
      error: null,
    });
    expect(parseFrame('{"id":"a","op":"join","data":{"room":"x"}}')).toMatchObject({
      id: 'a',
      data: { room: 'x' },
      error: null,
    });
    expect(parseFrame('nope')).toMatchObject({ id: null, error: { code: 'bad_request' } });
    expect(parseFrame('[]')).toMatchObject({ id: null, error: { code: 'bad_request' } });
    expect(parseFrame('{"id":1.5,"op":"ping"}')).toMatchObject({ id: null });
    expect(parseFrame(`{"id":"${'x'.repeat(129)}","op":"ping"}`)).toMatchObject({ id: null });
    expect(parseFrame('{"id":2}')).toMatchObject({ id: 2, error: { details: { field: 'op' } } });
    expect(parseFrame('{"id":2,"op":"ping","__proto__":{}}')).toMatchObject({
      id: 2,
      error: { details: { field: '__proto__' } },
    });
  });

  it('[proto.robustness] never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const frame = parseFrame(text);
          expect(frame.error === null || frame.error.code === 'bad_request').toBe(true);
          if (frame.error === null) expect(typeof frame.op).toBe('string');
        },
      ),
    );
  });
});

describe('SeqTracker', () => {
  it('[proto.resume] delivers every seq exactly once, in any order and with any repeats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 200 }),
        (joinedAt, arrivals) => {
          const tracker = new SeqTracker();
          const delivered: number[] = [];
          for (const seq of arrivals) if (tracker.accept(seq)) delivered.push(seq);
          tracker.advanceTo(joinedAt);
          for (const seq of arrivals) if (tracker.accept(seq)) delivered.push(seq);
          expect(new Set(delivered).size).toBe(delivered.length);
          expect(new Set(delivered)).toEqual(new Set(arrivals));
          // The cursor is the top of the run of accounted-for seqs starting at the join point.
          let expected = joinedAt;
          while (new Set(arrivals).has(expected + 1)) expected++;
          expect(tracker.cursor).toBe(expected);
        },
      ),
    );
  });

  it('[proto.gap] a reported gap moves the cursor past what was skipped', () => {
    const tracker = new SeqTracker(5);
    expect(tracker.accept(5)).toBe(false);
    expect(tracker.accept(20)).toBe(true);
    expect(tracker.cursor).toBe(5);
    tracker.advanceTo(19);
    expect(tracker.cursor).toBe(20);
    expect(tracker.accept(12)).toBe(false);
    expect(tracker.seen(20)).toBe(true);
    expect(tracker.seen(21)).toBe(false);
  });
});

describe('client helpers', () => {
  it('[proto.client] backs off exponentially with jitter, within bounds', () => {
    const opts = { initialMs: 100, maxMs: 5000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, () => 1)).toBe(800);
    expect(backoffDelay(30, opts, () => 1)).toBe(5000);
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const delay = backoffDelay(attempt, opts, () => r);
        const ceiling = Math.min(5000, 100 * 2 ** attempt);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });

  it('[proto.ws] builds the /ws URL from the server URL', () => {
    expect(nativeWsUrl('http://127.0.0.1:3000', 1)).toBe('ws://127.0.0.1:3000/ws?app=1');
    expect(nativeWsUrl('https://chat.example.com/', 2)).toBe('wss://chat.example.com/ws?app=2');
    expect(nativeWsUrl('ws://host:1/custom', 3)).toBe('ws://host:1/custom?app=3');
    expect(nativeWsUrl('http://host', 1, '/chat/ws')).toBe('ws://host/chat/ws?app=1');
  });
});
