/**
 * Issue 10 case 8: a client that sends nothing but invalid frames is answered with errors up to a bound, then
 * closed with `invalid_frames` (1008; socket.io: disconnected), in every gateway. Valid frames in between are
 * answered as usual and do not trip it; a well-behaved client on the same server is unaffected.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DISCONNECT_CATALOGUE } from '../../src/core/disconnect.js';
import { INVALID_FRAME_LIMIT } from '../../src/gateways/kernel/invalidFrames.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api, NO_FLOOD, patchApp } from '../native/helpers.js';
import { hashedToken } from '../dialects/moneypot/helpers.js';
import { recordOutcome } from './report.js';

const WAIT_MS = 10_000;
/** The text of the last error some dialects send before closing (not an answer to a frame). */
const FAREWELL = DISCONNECT_CATALOGUE.invalid_frames.message;
type Rec = Record<string, unknown>;

/** One client of one gateway, as the table below drives it. */
interface Probe {
  sendInvalid(): void;
  /** Sends a valid frame; resolves once it is answered. */
  sendValid(n: number): Promise<void>;
  /** Error replies to invalid frames received so far. */
  errors(): number;
  /** Set once the server has ended the connection: the signal it gave (close code or event). */
  ended(): string | null;
  close(): void;
}

interface Gateway {
  name: string;
  /** The end signal the docs promise for this gateway. */
  expectedEnd: string;
  open(srv: TestServer, user: string): Promise<Probe>;
}

let seq = 0;
const unique = (prefix: string) => `${prefix}${++seq}${Math.random().toString(36).slice(2, 6)}`;

async function tokenFor(srv: TestServer, username: string): Promise<string> {
  return (await api<{ token: string }>(srv, 'POST', '/api/v1/apps/1/tokens', { username })).token;
}

/** A plain WebSocket client that records every text frame as JSON (or the raw text) and the close code. */
async function wsProbe(
  url: string,
  spec: {
    invalid: string;
    isError(frame: Rec): boolean;
    valid(n: number): string;
    /** A reply to a valid frame; the probe waits until there is one per valid frame sent. */
    isValidReply(frame: Rec): boolean;
  },
  opening: string[] = [],
  isOpened: (frames: Rec[]) => boolean = () => true,
): Promise<Probe> {
  const ws = new WebSocket(url);
  const frames: Rec[] = [];
  let end: string | null = null;
  ws.on('message', (raw: Buffer) => {
    try {
      frames.push(JSON.parse(raw.toString()) as Rec);
    } catch {
      frames.push({ raw: raw.toString() });
    }
  });
  ws.on('close', (code) => (end = `close ${code}`));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  for (const frame of opening) ws.send(frame);
  await waitFor(() => isOpened(frames), { timeoutMs: WAIT_MS, label: `${url} signed in` });
  let validSent = 0;
  return {
    sendInvalid: () => ws.send(spec.invalid),
    sendValid: async (n) => {
      validSent += 1;
      ws.send(spec.valid(n));
      await waitFor(() => frames.filter(spec.isValidReply).length >= validSent, {
        timeoutMs: WAIT_MS,
        label: 'reply',
      });
    },
    errors: () => frames.filter(spec.isError).length,
    ended: () => end,
    close: () => ws.terminate(),
  };
}

/** A socket.io client of `namespace` that records every event, and how the server ended it. */
function ioClient(
  srv: TestServer,
  namespace: string,
): { socket: Socket; events: [string, Rec][]; end: () => string | null } {
  const socket = io(`${srv.url}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const events: [string, Rec][] = [];
  let end: string | null = null;
  socket.onAny((event: string, data: unknown) => {
    events.push([event, (typeof data === 'object' && data !== null ? data : { value: data }) as Rec]);
    if (event === 'disconnect_reason') end ??= `disconnect_reason ${String((data as Rec).code)}`;
  });
  socket.on('disconnect', (reason) => (end ??= `disconnect ${reason}`));
  return { socket, events, end: () => end };
}

async function until(check: () => boolean, label: string): Promise<void> {
  await waitFor(check, { timeoutMs: WAIT_MS, label });
}

const GATEWAYS: Gateway[] = [
  {
    name: 'native ws',
    expectedEnd: 'close 1008',
    open: (srv, user) =>
      wsProbe(`${srv.url.replace('http', 'ws')}/ws?app=1&guest=${user}`, {
        invalid: 'not json',
        isError: (f) => f.ok === false && (f.error as Rec).code === 'bad_request',
        valid: (n) => JSON.stringify({ id: n, op: 'ping' }),
        isValidReply: (f) => f.ok === true,
      }),
  },
  {
    name: 'native socket.io',
    expectedEnd: 'disconnect_reason 1008',
    open: async (srv, user) => {
      const c = ioClient(srv, '/');
      await c.socket.timeout(WAIT_MS).emitWithAck('auth', { guest: user });
      return {
        sendInvalid: () => c.socket.emit('join', { room: 5 }),
        sendValid: async () => {
          await c.socket.timeout(WAIT_MS).emitWithAck('ping');
        },
        errors: () => c.events.filter(([e, d]) => e === 'error' && d.code === 'bad_request').length,
        ended: c.end,
        close: () => c.socket.disconnect(),
      };
    },
  },
  {
    name: 'numeric',
    expectedEnd: 'close 1008',
    open: (srv, user) =>
      wsProbe(
        `${srv.url.replace('http', 'ws')}/numeric/chat/login/${user}?app=1`,
        {
          invalid: 'not json',
          isError: (f) => f.type === -1,
          valid: (n) => JSON.stringify({ type: 0, dest: 'lobby', message: `valid ${n}` }),
          isValidReply: (f) => f.type === 0 && f.user === user,
        },
        [JSON.stringify({ type: 4, channel: 'lobby' })],
        (frames) => frames.some((f) => f.type === 4 && f.user === user),
      ),
  },
  {
    name: 'chatroom',
    expectedEnd: 'close 1008',
    open: async (srv, user) => {
      const token = await tokenFor(srv, user);
      return wsProbe(
        `${srv.url.replace('http', 'ws')}/chatroom`,
        {
          invalid: 'not json',
          isError: (f) =>
            f.statusCode === 'error' && f.type === 'error' && (f.data as Rec).message !== FAREWELL,
          valid: () => JSON.stringify({ token, action: 'get_rooms' }),
          isValidReply: (f) => f.type === 'get_rooms' && f.statusCode === 'ok',
        },
        [JSON.stringify({ username: user, token })],
      );
    },
  },
  {
    name: 'eventchat',
    expectedEnd: 'disconnect io server disconnect',
    open: async (srv, user) => {
      const token = await tokenFor(srv, user);
      const c = ioClient(srv, '/eventchat');
      c.socket.emit('Auth', { user, password: token, room: 'lobby' });
      await until(() => c.events.some(([e]) => e === 'Auth'), 'eventchat Auth');
      return {
        sendInvalid: () => c.socket.emit('message', 5),
        sendValid: async (n) => {
          c.socket.emit('message', { raw_content: `valid ${n}` });
          await until(
            () => c.events.some(([e, d]) => e === 'message' && d.raw_content === `valid ${n}`),
            'echo',
          );
        },
        errors: () =>
          c.events.filter(([e, d]) => e === 'cerror' && d.Code === 400 && d.message !== FAREWELL).length,
        ended: c.end,
        close: () => c.socket.disconnect(),
      };
    },
  },
  {
    name: 'moneypot',
    expectedEnd: 'disconnect_reason 1008',
    open: async (srv, user) => {
      const hash = await hashedToken(srv, user);
      const c = ioClient(srv, '/moneypot');
      await c.socket.timeout(WAIT_MS).emitWithAck('auth', { app_id: 1, hashed_token: hash });
      return {
        sendInvalid: () => c.socket.emit('bogus'),
        sendValid: async (n) => {
          await c.socket.timeout(WAIT_MS).emitWithAck('new_message', `valid ${n}`);
        },
        errors: () => c.events.filter(([e]) => e === 'client_error').length,
        ended: c.end,
        close: () => c.socket.disconnect(),
      };
    },
  },
  {
    name: 'socketapi',
    expectedEnd: 'disconnect io server disconnect',
    open: async (srv, user) => {
      const token = await tokenFor(srv, user);
      const c = ioClient(srv, '/socketapi');
      c.socket.emit('auth', { data: token });
      await until(() => c.events.some(([e]) => e === 'auth-success'), 'socketapi auth');
      return {
        sendInvalid: () => c.socket.emit('bogus', {}),
        sendValid: async (n) => {
          c.socket.emit('get-channels', { transaction: `t${n}` });
          await until(() => c.events.filter(([e]) => e === 'channels-list').length >= 1, 'channels-list');
        },
        errors: () => c.events.filter(([e]) => e === 'socket-api-error').length,
        ended: c.end,
        close: () => c.socket.disconnect(),
      };
    },
  },
];

describe('issue 10 case 8: a client that sends only invalid frames is closed (invalid_frames, 1008)', () => {
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer();
    await patchApp(srv, NO_FLOOD);
  });
  afterAll(async () => {
    await srv?.close();
  });

  it.each(GATEWAYS)('issue 10 case 8: [proto.invalid-frames] $name', async (gateway) => {
    const attacker = await gateway.open(srv, unique('bad'));
    const neighbour = await gateway.open(srv, unique('good'));
    const started = Date.now();
    // LIMIT - 1 invalid frames, with valid ones in between: every one is answered, the connection stays.
    for (let i = 1; i < INVALID_FRAME_LIMIT; i++) {
      attacker.sendInvalid();
      if (i % 5 === 0) await attacker.sendValid(i);
    }
    await until(
      () => attacker.errors() === INVALID_FRAME_LIMIT - 1,
      `${gateway.name}: ${INVALID_FRAME_LIMIT - 1} errors`,
    );
    await attacker.sendValid(1000);
    expect(attacker.ended()).toBeNull();
    // The LIMIT-th within the window ends it, unanswered, with the documented signal.
    attacker.sendInvalid();
    await until(() => attacker.ended() !== null, `${gateway.name}: closed`);
    const closedMs = Date.now() - started;
    expect(attacker.ended()).toBe(gateway.expectedEnd);
    expect(attacker.errors()).toBe(INVALID_FRAME_LIMIT - 1);
    // The neighbour is served as before.
    await neighbour.sendValid(2000);
    expect(neighbour.ended()).toBeNull();
    attacker.close();
    neighbour.close();
    recordOutcome({
      id: `issue-10-case-8-${gateway.name.replace(/[ .]/g, '-')}`,
      fault: `${gateway.name}: a signed-in client sends invalid frames (valid ones in between)`,
      expected: `${INVALID_FRAME_LIMIT - 1} errors answered, then closed (${gateway.expectedEnd}); a neighbour unaffected`,
      measured: `${attacker.errors()} errors answered, then ${attacker.ended() ?? 'open'}; neighbour served`,
      numbers: { invalidFramesAnswered: attacker.errors(), timeToCloseMs: closedMs },
    });
  });
});
