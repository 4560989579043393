/**
 * Baseline (b): what most people would otherwise write. A minimal socket.io chat server: `auth`, `join`,
 * `send` and `ping` events with acknowledgements, rooms through socket.io's own `socket.join`, broadcasts
 * through socket.io's broadcast path (`io.to(room).emit`, which is `io.emit` narrowed to the room), nothing
 * stored. With `--redis URL` it relays broadcasts to other nodes over Redis pub/sub, as the Redis adapter
 * would (local members first, then the other nodes).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { restPublishHandler } from './restPublish.js';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { baselineArgs, stringProp } from './args.js';
import './hook.js';

const { port, redisUrl } = baselineArgs(process.argv.slice(2));
const origin = randomUUID();
const CHANNEL = 'parley-bench:baseline-sio';

type Ack = (reply: unknown) => void;

const server = createServer(
  restPublishHandler((room, author, text) => {
    const message = { room, text, author, createdAt: Date.now() };
    io.to(room).emit('message', message);
    if (pub) void pub.publish(CHANNEL, JSON.stringify({ origin, room, message }));
  }),
);
const io = new Server(server, {
  serveClient: false,
  pingInterval: 25_000,
  pingTimeout: 25_000,
  maxHttpBufferSize: 65_536,
});

const pub = redisUrl ? new Redis(redisUrl) : null;
const sub = redisUrl ? new Redis(redisUrl) : null;
if (sub) {
  void sub.subscribe(CHANNEL);
  sub.on('message', (_channel: string, raw: string) => {
    const relayed = JSON.parse(raw) as { origin: string; room: string; message: unknown };
    if (relayed.origin !== origin) io.local.to(relayed.room).emit('message', relayed.message);
  });
}

let users = 0;
io.on('connection', (socket) => {
  let username = '';
  const answer = (ack: unknown, data: unknown) => {
    if (typeof ack === 'function') (ack as Ack)({ ok: true, data });
  };
  const fail = (ack: unknown, code: string) => {
    if (typeof ack === 'function') (ack as Ack)({ ok: false, error: { code, status: 400, message: code } });
  };
  socket.on('auth', (data: unknown, ack: unknown) => {
    username = stringProp(data, 'guest') ?? 'user';
    answer(ack, { user: { id: ++users, username }, expiresAt: null });
  });
  socket.on('join', (data: unknown, ack: unknown) => {
    const room = stringProp(data, 'room');
    if (!username || !room) return fail(ack, 'bad_request');
    void socket.join(room);
    answer(ack, { room: { name: room }, messages: [], gap: null, lastSeq: 0, online: [] });
  });
  socket.on('leave', (data: unknown, ack: unknown) => {
    void socket.leave(stringProp(data, 'room') ?? '');
    answer(ack, {});
  });
  socket.on('send', (data: unknown, ack: unknown) => {
    const room = stringProp(data, 'room');
    const text = stringProp(data, 'text');
    if (!room || text === null || !socket.rooms.has(room)) return fail(ack, 'bad_request');
    const message = { room, text, author: username, createdAt: Date.now() };
    io.to(room).emit('message', message);
    if (pub) void pub.publish(CHANNEL, JSON.stringify({ origin, room, message }));
    answer(ack, { kind: 'message', message, duplicate: false });
  });
  socket.on('ping', (_data: unknown, ack: unknown) => answer(ack, { time: Date.now() }));
});

server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${bound}\n`);
});

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
