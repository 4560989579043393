/**
 * Frames no WebSocket client library would send, on every plain-WebSocket path: each is answered with the
 * close code RFC 6455 gives it (1009 too big, 1007 not UTF-8, 1002 a protocol error) and the server keeps
 * serving everyone else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tryUpgrade } from '../helpers/upgrade.js';
import { frame, RawFrameSocket, type FrameSpec } from './rawFrames.js';
import { recordOutcome } from './report.js';

const MAX_FRAME_BYTES = 16 * 1024;
const TEXT = 0x1;
const CONTINUATION = 0x0;
const PING = 0x9;

const PATHS = { native: '/ws?app=1', chatroom: '/chatroom?app=1', numeric: '/numeric/chat/login/framer' };

const ATTACKS: { name: string; frames: FrameSpec[]; code: number }[] = [
  {
    name: 'a text frame announcing more than maxFrameBytes',
    frames: [{ opcode: TEXT, length: MAX_FRAME_BYTES + 1 }],
    code: 1009,
  },
  { name: 'a frame announcing 2^53 bytes', frames: [{ opcode: TEXT, length: 2 ** 53 - 1 }], code: 1009 },
  {
    name: 'invalid UTF-8 in a text frame',
    frames: [{ opcode: TEXT, payload: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }],
    code: 1007,
  },
  {
    name: 'a fragmented control frame (ping without FIN)',
    frames: [{ opcode: PING, fin: false }],
    code: 1002,
  },
  {
    name: 'a control frame over 125 bytes',
    frames: [{ opcode: PING, payload: Buffer.alloc(126) }],
    code: 1002,
  },
  {
    name: 'a continuation with nothing to continue',
    frames: [{ opcode: CONTINUATION, payload: Buffer.from('x') }],
    code: 1002,
  },
  {
    name: 'a new text frame inside a fragmented one',
    frames: [
      { opcode: TEXT, fin: false, payload: Buffer.from('{') },
      { opcode: TEXT, payload: Buffer.from('}') },
    ],
    code: 1002,
  },
  {
    name: 'an unmasked client frame',
    frames: [{ opcode: TEXT, payload: Buffer.from('{}'), masked: false }],
    code: 1002,
  },
  {
    name: 'reserved bits set (no extension negotiated)',
    frames: [{ opcode: TEXT, rsv: 0b100, payload: Buffer.from('{}') }],
    code: 1002,
  },
  { name: 'a reserved opcode', frames: [{ opcode: 0x3, payload: Buffer.from('x') }], code: 1002 },
];

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ maxFrameBytes: MAX_FRAME_BYTES });
});
afterAll(async () => srv?.close());

describe('malformed, oversized and fragmented frames', () => {
  for (const [path, url] of Object.entries(PATHS)) {
    it(`${path}: each is closed with its RFC 6455 code and the server goes on`, async () => {
      const codes: Record<string, number> = {};
      for (const attack of ATTACKS) {
        const raw = await RawFrameSocket.open(srv.port, url);
        for (const spec of attack.frames) raw.write(frame(spec));
        codes[attack.name] = await raw.closeCode();
        raw.destroy();
      }
      expect(codes).toEqual(Object.fromEntries(ATTACKS.map((a) => [a.name, a.code])));
      // Still serving.
      const ws = srv.url.replace(/^http/, 'ws');
      expect(await tryUpgrade(`${ws}${url}`)).toEqual({ opened: true });
      recordOutcome({
        id: `frames-${path}`,
        fault: `${ATTACKS.length} malformed, oversized and fragmented frames on raw sockets (${path} WebSocket)`,
        expected: 'closed 1009 (too big), 1007 (not UTF-8), 1002 (protocol errors); server unaffected',
        measured: `closed ${[...new Set(Object.values(codes))].join(', ')} as expected; server still serving`,
        numbers: { attacks: ATTACKS.length, crashes: 0 },
      });
    });
  }
});
