/**
 * Baseline (c): a minimal `ws` chat server, the practical ceiling on Node. It speaks the subset of the native
 * protocol the benchmark uses (`auth`, `join`, `leave`, `send`, `ping` as `{id, op, data}` frames), keeps
 * rooms as sets of sockets, stores nothing, and frames each broadcast once: the same bytes are written to
 * every member's socket. With `--redis URL` it relays broadcasts to other nodes over Redis pub/sub.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { restPublishHandler } from './restPublish.js';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { textFrame } from '../../src/gateways/wsFrame.js';
import { baselineArgs, stringProp } from './args.js';
import './hook.js';

const { port, redisUrl } = baselineArgs(process.argv.slice(2));
const origin = randomUUID();
const CHANNEL = 'parley-bench:baseline-ws';

const rooms = new Map<string, Set<Duplex>>();

function broadcast(room: string, event: string): void {
  const members = rooms.get(room);
  if (!members) return;
  const frame = textFrame(event);
  for (const socket of members) if (socket.writable) socket.write(frame);
}

const pub = redisUrl ? new Redis(redisUrl) : null;
const sub = redisUrl ? new Redis(redisUrl) : null;
if (sub) {
  void sub.subscribe(CHANNEL);
  sub.on('message', (_channel: string, raw: string) => {
    const relayed = JSON.parse(raw) as { origin: string; room: string; event: string };
    if (relayed.origin !== origin) broadcast(relayed.room, relayed.event);
  });
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
let users = 0;

function onConnection(ws: WebSocket, socket: Duplex): void {
  let username = '';
  let userId = 0;
  const joined = new Set<string>();
  const reply = (id: unknown, data: unknown) => ws.send(JSON.stringify({ id, ok: true, data }));
  const fail = (id: unknown, code: string) =>
    ws.send(JSON.stringify({ id, ok: false, error: { code, status: 400, message: code } }));

  ws.on('message', (raw) => {
    let frame: unknown;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      fail(null, 'bad_request');
      return;
    }
    const id: unknown = typeof frame === 'object' && frame !== null ? Reflect.get(frame, 'id') : null;
    const op = stringProp(frame, 'op');
    const data: unknown = typeof frame === 'object' && frame !== null ? Reflect.get(frame, 'data') : null;
    switch (op) {
      case 'auth':
        username = stringProp(data, 'guest') ?? 'user';
        userId = ++users;
        reply(id, { user: { id: userId, username }, expiresAt: null });
        return;
      case 'join': {
        const room = stringProp(data, 'room');
        if (!username || !room) return fail(id, 'bad_request');
        let members = rooms.get(room);
        if (!members) rooms.set(room, (members = new Set()));
        members.add(socket);
        joined.add(room);
        reply(id, { room: { name: room }, messages: [], gap: null, lastSeq: 0, online: [] });
        return;
      }
      case 'leave': {
        const room = stringProp(data, 'room') ?? '';
        rooms.get(room)?.delete(socket);
        joined.delete(room);
        reply(id, {});
        return;
      }
      case 'send': {
        const room = stringProp(data, 'room');
        const text = stringProp(data, 'text');
        if (!room || text === null || !joined.has(room)) return fail(id, 'bad_request');
        const message = { room, text, author: username, createdAt: Date.now() };
        const event = JSON.stringify({ event: 'message', data: message });
        broadcast(room, event);
        if (pub) void pub.publish(CHANNEL, JSON.stringify({ origin, room, event }));
        reply(id, { kind: 'message', message, duplicate: false });
        return;
      }
      case 'ping':
        reply(id, { time: Date.now() });
        return;
      default:
        fail(id, 'unknown_operation');
    }
  });
  ws.on('error', () => {});
  ws.on('close', () => {
    for (const room of joined) rooms.get(room)?.delete(socket);
    joined.clear();
  });
}

const server = createServer(
  restPublishHandler((room, author, text) => {
    const event = JSON.stringify({ event: 'message', data: { room, text, author, createdAt: Date.now() } });
    broadcast(room, event);
    if (pub) void pub.publish(CHANNEL, JSON.stringify({ origin, room, event }));
  }),
);
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {});
  wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket));
});
server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${bound}\n`);
});

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
