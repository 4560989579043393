/**
 * The chatroom dialect driven exactly as its seed document (and its own web client) does: a plain WebSocket,
 * a `{username}` first frame, then `{token, action, args}` frames. Covers every action, every error the task
 * names, and the document's example payloads.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import { api, NO_FLOOD, patchApp } from '../../native/helpers.js';
import {
  ChatroomPool,
  isErrorFrame,
  post,
  registerUser,
  type ChatroomClient,
  type Frame,
} from './helpers.js';

let counter = 0;
/** A fresh username per call, so that tests do not share users. */
function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

describe('chatroom dialect: the seed document', () => {
  let srv: TestServer;
  const pool = new ChatroomPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function user(prefix: string, opts: { withToken?: boolean } = {}): Promise<ChatroomClient> {
    const name = uniqueName(prefix);
    const token = await registerUser(srv, name);
    return pool.ready(srv, name, token, opts);
  }

  async function createRoom(client: ChatroomClient, prefix = 'room'): Promise<string> {
    const roomName = `${uniqueName(prefix)} x`;
    client.command('create_room', { username: client.username, roomName });
    expect(await client.framesBeforeMarker()).toEqual([]);
    return roomName;
  }

  /** connect_to_room; the history and the joiner's own announcement before the reply are consumed with it. */
  async function connect(client: ChatroomClient, roomName: string): Promise<Frame> {
    client.command('connect_to_room', { username: client.username, roomName });
    for (;;) {
      const frame = await client.shift();
      if (frame.type === 'connect_to_room') return frame;
    }
  }

  async function expectError(client: ChatroomClient, type: string, message?: RegExp): Promise<Frame> {
    const frame = await client.shift();
    expect(isErrorFrame(frame), JSON.stringify(frame)).toBe(true);
    expect(frame.type).toBe(type);
    if (message) expect((frame.data as { message: string }).message).toMatch(message);
    return frame;
  }

  it('get_rooms answers the example response: {rooms: {name: count}} with a plain count of users present', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomName = await createRoom(alice);

    // The document's example, verbatim: {"token", "action": "get_rooms", "args": {}}
    alice.sendJson({ token: alice.token, action: 'get_rooms', args: {} });
    const empty = await alice.shift();
    expect(empty).toEqual({ statusCode: 'ok', type: 'get_rooms', data: { rooms: expect.any(Object) } });
    const rooms = (empty.data as { rooms: Record<string, unknown> }).rooms;
    expect(rooms[roomName]).toBe(0);
    expect(typeof rooms['lobby']).toBe('number');

    await connect(bob, roomName);
    await connect(alice, roomName);
    alice.command('get_rooms');
    const counted = await alice.next((f) => f.type === 'get_rooms');
    expect((counted.data as { rooms: Record<string, unknown> }).rooms[roomName]).toBe(2);
  });

  it('connect_to_room sends the history first, then {roomName, usernames: [...]} as an array', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomName = await createRoom(bob);
    await connect(bob, roomName);
    for (const message of ['first', 'second']) {
      bob.command('send_message', { roomName, author: bob.username, message });
      await bob.next((f) => f.statusCode === 'ok' && f.type === '');
    }

    // The document's example command
    alice.sendJson({
      token: alice.token,
      action: 'connect_to_room',
      args: { username: alice.username, roomName },
    });
    const frames = [await alice.shift(), await alice.shift(), await alice.shift(), await alice.shift()];
    expect(frames.slice(0, 3)).toEqual([
      { statusCode: 'ok', type: 'receive_message', data: { author: bob.username, message: 'first' } },
      { statusCode: 'ok', type: 'receive_message', data: { author: bob.username, message: 'second' } },
      {
        statusCode: 'ok',
        type: 'receive_message',
        data: { author: '[Room]', message: `${alice.username} has connected.` },
      },
    ]);
    const reply = frames[3] as Frame;
    expect(reply).toEqual({
      statusCode: 'ok',
      type: 'connect_to_room',
      data: { roomName, usernames: expect.any(Array) },
    });
    expect([...(reply.data as { usernames: string[] }).usernames].sort()).toEqual(
      [alice.username, bob.username].sort(),
    );
    // the others in the room are told, as [Room]
    await bob.receive((d) => d.author === '[Room]' && d.message === `${alice.username} has connected.`);
  });

  it('send_message is acknowledged with {statusCode: "ok", type: "", data: {}} and reaches everyone, the sender too', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomName = await createRoom(alice);
    await connect(alice, roomName);
    await connect(bob, roomName);

    alice.command('send_message', { roomName, author: alice.username, message: 'hello, room' });
    const expected = {
      statusCode: 'ok',
      type: 'receive_message',
      data: { author: alice.username, message: 'hello, room' },
    };
    expect(await alice.next((f) => f.type === '')).toEqual({ statusCode: 'ok', type: '', data: {} });
    expect(await alice.receive((d) => d.message === 'hello, room')).toEqual(expected);
    expect(await bob.receive((d) => d.message === 'hello, room')).toEqual(expected);

    // slash commands: /me reads "* user action" for everyone; /help answers the sender only, as [Room]
    bob.command('send_message', { roomName, author: bob.username, message: '/me waves' });
    expect((await alice.receive((d) => d.author === bob.username)).data.message).toBe(
      `* ${bob.username} waves`,
    );
    alice.command('send_message', { roomName, author: alice.username, message: '/help' });
    expect(
      (await alice.receive((d) => d.author === '[Room]' && d.message.includes('/me'))).data.message,
    ).toMatch(/\/help/);
  });

  it('disconnect_from_room sends no reply; the others see "[Room] X has disconnected."; nothing more arrives', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomName = await createRoom(alice);
    await connect(alice, roomName);
    await connect(bob, roomName);
    await alice.receive((d) => d.message === `${bob.username} has connected.`);

    alice.command('disconnect_from_room', { username: alice.username, roomName });
    expect(await alice.framesBeforeMarker()).toEqual([]);
    await bob.receive((d) => d.author === '[Room]' && d.message === `${alice.username} has disconnected.`);

    bob.command('send_message', { roomName, author: bob.username, message: 'are you there?' });
    await bob.next((f) => f.type === '');
    expect(await alice.framesBeforeMarker()).toEqual([]);

    // a room one is not in cannot be left, or written to
    alice.command('disconnect_from_room', { username: alice.username, roomName });
    await expectError(alice, 'disconnect_from_room');
    alice.command('send_message', { roomName, author: alice.username, message: 'hi' });
    await expectError(alice, 'send_message', /Join/);
  });

  it('create_room sends no reply on success and answers type "room_exists" when the name is taken', async () => {
    const alice = await user('alice');
    const roomName = await createRoom(alice);
    alice.command('get_rooms');
    const listed = await alice.next((f) => f.type === 'get_rooms');
    expect((listed.data as { rooms: Record<string, number> }).rooms[roomName]).toBe(0);

    for (const name of [roomName, roomName.toUpperCase(), ` ${roomName} `]) {
      alice.command('create_room', { username: alice.username, roomName: name });
      await expectError(alice, 'room_exists', /already exists/);
    }
    alice.command('create_room', { username: alice.username, roomName: 'bad/name' });
    await expectError(alice, 'create_room');
  });

  it('a room is created and joined at once, as its web client does (create_room then connect_to_room)', async () => {
    const alice = await user('alice', { withToken: true });
    const roomName = `${uniqueName('webroom')}`;
    alice.command('create_room', { roomName, username: alice.username });
    alice.command('connect_to_room', { username: alice.username, roomName });
    await alice.receive((d) => d.message === `${alice.username} has connected.`);
    expect(await alice.next((f) => f.type === 'connect_to_room')).toMatchObject({
      statusCode: 'ok',
      data: { roomName, usernames: [alice.username] },
    });
  });

  it('a connection is in one room at a time: connecting to another leaves the previous one', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const first = await createRoom(alice);
    const second = await createRoom(alice);
    await connect(bob, first);
    await connect(alice, first);
    await bob.receive((d) => d.message === `${alice.username} has connected.`);

    await connect(alice, second);
    await bob.receive((d) => d.author === '[Room]' && d.message === `${alice.username} has disconnected.`);
    alice.frames.length = 0;
    bob.command('send_message', {
      roomName: first,
      author: bob.username,
      message: 'only for the first room',
    });
    await bob.next((f) => f.type === '');
    expect(await alice.framesBeforeMarker()).toEqual([]);
  });

  it('nobody speaks or acts as someone else: author and username must be the authenticated user', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomName = await createRoom(alice);
    await connect(alice, roomName);
    await connect(bob, roomName);
    await alice.receive((d) => d.message === `${bob.username} has connected.`);

    alice.command('send_message', { roomName, author: bob.username, message: 'I am bob' });
    await expectError(alice, 'send_message', /author/);
    for (const action of ['connect_to_room', 'disconnect_from_room', 'create_room']) {
      alice.command(action, { username: bob.username, roomName });
      await expectError(alice, action, /username/);
    }
    // bob's token on alice's connection is refused: it does not belong to the first frame's username
    alice.command('send_message', { roomName, author: bob.username, message: 'I am bob' }, bob.token);
    await expectError(alice, 'send_message', /does not belong/);
    expect(await bob.framesBeforeMarker()).toEqual([]);

    // the username is matched without regard to case, as Parley's usernames are
    alice.command('send_message', { roomName, author: alice.username.toUpperCase(), message: 'still me' });
    expect(await alice.next((f) => f.type === '')).toEqual({ statusCode: 'ok', type: '', data: {} });
    expect((await bob.receive((d) => d.message === 'still me')).data.author).toBe(alice.username);
  });

  it('answers bad input with {statusCode: "error", type, data: {message}} and keeps the connection open', async () => {
    const alice = await user('alice');
    const cases: [string | Buffer, string][] = [
      ['not json', 'error'],
      ['{"token": ', 'error'],
      ['[1, 2]', 'error'],
      ['"text"', 'error'],
      ['null', 'error'],
      [Buffer.from([1, 2, 3]), 'error'],
      [JSON.stringify({ token: alice.token, action: 'fly', args: {} }), 'error'],
      [JSON.stringify({ token: alice.token, action: '__proto__', args: {} }), 'error'],
      [JSON.stringify({ token: alice.token, action: 'constructor', args: {} }), 'error'],
      [JSON.stringify({ token: alice.token, action: 42, args: {} }), 'error'],
      [JSON.stringify({ action: 'get_rooms', args: {} }), 'get_rooms'],
      [JSON.stringify({ token: 'not-a-token', action: 'get_rooms', args: {} }), 'get_rooms'],
      [JSON.stringify({ token: alice.token, action: 'get_rooms', args: { x: 1 } }), 'get_rooms'],
      [JSON.stringify({ token: alice.token, action: 'get_rooms', args: {}, extra: true }), 'get_rooms'],
      [JSON.stringify({ token: alice.token, action: 'connect_to_room', args: {} }), 'connect_to_room'],
      [JSON.stringify({ token: alice.token, action: 'connect_to_room', args: [] }), 'connect_to_room'],
      [
        JSON.stringify({
          token: alice.token,
          action: 'connect_to_room',
          args: { username: alice.username, roomName: 7 },
        }),
        'connect_to_room',
      ],
      [
        JSON.stringify({
          token: alice.token,
          action: 'connect_to_room',
          args: { username: alice.username, roomName: 'no such room' },
        }),
        'connect_to_room',
      ],
      [
        JSON.stringify({
          token: alice.token,
          action: 'send_message',
          args: { roomName: 'lobby', author: alice.username, message: 'x'.repeat(60_000) },
        }),
        'send_message',
      ],
      ['{"__proto__": {"token": "x"}, "action": "get_rooms"}', 'get_rooms'],
      [JSON.stringify({ username: alice.username }), 'error'],
    ];
    for (const [frame, type] of cases) {
      alice.sendRaw(frame);
      await expectError(alice, type);
    }
    alice.command('get_rooms');
    expect(await alice.shift()).toMatchObject({ statusCode: 'ok', type: 'get_rooms' });
    expect(alice.garbage).toEqual([]);
    expect(alice.isClosed).toBe(false);
  });

  it('the first frame must be {username}: anything else is answered and the connection waits for it', async () => {
    const name = uniqueName('carol');
    const token = await registerUser(srv, name);
    const carol = pool.open(srv);
    await carol.opened;
    carol.sendJson({ token, action: 'get_rooms', args: {} });
    await expectError(carol, 'get_rooms', /first frame/);
    for (const bad of [{}, { username: 5 }, { username: '' }, { username: name, extra: 1 }, { name }]) {
      carol.sendJson(bad);
      await expectError(carol, 'error');
    }
    carol.sendRaw('not json');
    await expectError(carol, 'error');
    carol.sendJson({ username: name });
    carol.sendJson({ token, action: 'get_rooms', args: {} });
    expect(await carol.shift()).toMatchObject({ statusCode: 'ok', type: 'get_rooms' });
  });

  it("its web client's first frame {username, token} opens the session at once; a bad token there is answered", async () => {
    const name = uniqueName('dora');
    const token = await registerUser(srv, name);
    const dora = pool.open(srv);
    dora.username = name;
    dora.token = token;
    await dora.opened;
    dora.hello(true);
    const online = () => srv.server.engine.online(1).some((u) => u.user.username === name);
    await waitFor(online, { label: `${name} online` });

    const other = pool.open(srv);
    await other.opened;
    other.sendJson({ username: name, token: 'wrong-token' });
    await expectError(other, 'error');
    other.sendJson({ token, action: 'get_rooms', args: {} });
    expect(await other.shift()).toMatchObject({ statusCode: 'ok', type: 'get_rooms' });
  });

  it('accepts any valid token of the user: a newer login keeps the connection going', async () => {
    const alice = await user('alice');
    const login = await post<{ token: string }>(srv, '/chatroom/login-user', {
      username: alice.username,
      password: 'secret-password',
    });
    alice.command('get_rooms', {}, login.body.token);
    expect(await alice.shift()).toMatchObject({ statusCode: 'ok', type: 'get_rooms' });
    // a token from the admin API works too
    const issued = await api<{ token: string }>(srv, 'POST', '/api/v1/apps/1/tokens', {
      username: alice.username,
    });
    alice.command('get_rooms', {}, issued.token);
    expect(await alice.shift()).toMatchObject({ statusCode: 'ok', type: 'get_rooms' });
  });

  it('selects the app from ?app=N; an unknown or malformed app gets an error frame and the connection closes', async () => {
    const { id: appId } = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', { name: 'chatroom-two' });
    const name = uniqueName('erin');
    const token = await registerUser(srv, name, 'secret-password', appId);
    const inApp2 = await pool.ready(srv, name, token, { query: `?app=${appId}` });
    inApp2.command('get_rooms');
    expect(await inApp2.shift()).toEqual({ statusCode: 'ok', type: 'get_rooms', data: { rooms: {} } });

    // the same token means nothing in app 1
    const inApp1 = pool.open(srv);
    await inApp1.opened;
    inApp1.sendJson({ username: name });
    inApp1.command('get_rooms', {}, token);
    await expectError(inApp1, 'get_rooms');

    for (const [query, code] of [
      ['?app=999', 4010],
      ['?app=abc', 1002],
      ['?app=0', 1002],
    ] as const) {
      const refused = pool.open(srv, query);
      await refused.opened;
      refused.sendJson({ username: name });
      await expectError(refused, 'error');
      expect((await refused.closed).code).toBe(code);
    }
  });

  it('kicked or banned by a moderator: told in an error frame, then closed (4004 / 4005)', async () => {
    const alice = await user('alice');
    await api(srv, 'POST', '/api/v1/apps/1/kicks', { username: alice.username });
    await expectError(alice, 'error', /Kicked/);
    expect((await alice.closed).code).toBe(4004);

    const bob = await user('bob');
    await api(srv, 'POST', '/api/v1/apps/1/bans', { username: bob.username, reason: 'spam' });
    await expectError(bob, 'error', /Banned/);
    expect((await bob.closed).code).toBe(4005);
    // a banned user's token is refused on a new connection, with an error frame, and the connection stays open
    const again = pool.open(srv);
    await again.opened;
    again.sendJson({ username: bob.username });
    again.command('get_rooms', {}, bob.token);
    await expectError(again, 'get_rooms', /banned/);
    expect(again.isClosed).toBe(false);
  });

  it('a muted user gets an error for send_message and is told why; others receive nothing', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomName = await createRoom(alice);
    await connect(alice, roomName);
    await connect(bob, roomName);
    await alice.receive((d) => d.message === `${bob.username} has connected.`);
    await api(srv, 'POST', '/api/v1/apps/1/mutes', {
      username: alice.username,
      minutes: 5,
      reason: 'calm down',
    });
    await alice.receive((d) => d.author === '[Room]' && /muted for 5 minutes: calm down/.test(d.message));
    alice.command('send_message', { roomName, author: alice.username, message: 'can I talk?' });
    await expectError(alice, 'send_message', /muted/);
    expect(
      (await bob.framesBeforeMarker()).filter(
        (f) => f.type === 'receive_message' && (f.data as Frame).author === alice.username,
      ),
    ).toEqual([]);
  });
});

describe('chatroom dialect: rooms changed by an admin', () => {
  let srv: TestServer;
  const pool = new ChatroomPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('a renamed room keeps the connection in it; a deleted one is announced and left', async () => {
    const alice = await pool.ready(srv, 'admina', await registerUser(srv, 'admina'));
    const bob = await pool.ready(srv, 'adminb', await registerUser(srv, 'adminb'));
    alice.command('create_room', { username: 'admina', roomName: 'old name' });
    for (const client of [alice, bob]) {
      client.command('connect_to_room', { username: client.username, roomName: 'old name' });
      await client.next((f) => f.type === 'connect_to_room');
    }
    await api(srv, 'PATCH', '/api/v1/apps/1/rooms/old%20name', { name: 'new name' });
    bob.command('send_message', { roomName: 'new name', author: 'adminb', message: 'renamed' });
    await alice.receive((d) => d.message === 'renamed');
    // connecting to another room leaves the renamed one under its new name
    alice.command('connect_to_room', { username: 'admina', roomName: 'lobby' });
    await alice.next((f) => f.type === 'connect_to_room');
    await bob.receive((d) => d.message === 'admina has disconnected.');

    alice.frames.length = 0;
    await api(srv, 'DELETE', '/api/v1/apps/1/rooms/new%20name');
    await bob.receive((d) => d.author === '[Room]' && d.message === 'The room new name has been deleted.');
    bob.command('send_message', { roomName: 'new name', author: 'adminb', message: 'anyone?' });
    const refused = await bob.next((f) => f.statusCode === 'error');
    expect(refused).toMatchObject({ type: 'send_message', data: { message: 'No room named new name' } });
    // alice, in another room, was not told
    expect(alice.frames.filter((f) => (f.data as { message?: string }).message?.includes('deleted'))).toEqual(
      [],
    );
    expect((await alice.framesBeforeMarker()).filter((f) => f.type === 'receive_message')).toEqual([]);
  });

  it('a mute without an end is announced as lasting until lifted', async () => {
    const carl = await pool.ready(srv, 'mutec', await registerUser(srv, 'mutec'));
    carl.command('connect_to_room', { username: 'mutec', roomName: 'lobby' });
    await carl.next((f) => f.type === 'connect_to_room');
    await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'mutec' });
    await carl.receive((d) => d.author === '[Room]' && d.message === 'You have been muted until lifted.');
    await api(srv, 'DELETE', '/api/v1/apps/1/mutes/mutec');
    await carl.receive((d) => d.author === '[Room]' && d.message === 'You are no longer muted.');
  });
});

describe('chatroom dialect: limits and lifecycle', () => {
  let srv: TestServer;
  const pool = new ChatroomPool();

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: 2048, authTimeoutMs: 300, engine: { presenceGraceMs: 0 } });
    // The burst below is about the queue bound, not the per-user rate limits.
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('a frame over maxFrameBytes closes with 1009; another client is unaffected', async () => {
    const token = await registerUser(srv, 'limits1');
    const other = await pool.ready(srv, 'limits1', token);
    const offender = pool.open(srv);
    await offender.opened;
    offender.sendRaw(JSON.stringify({ username: 'x'.repeat(4096) }));
    expect((await offender.closed).code).toBe(1009);
    other.command('get_rooms');
    expect(await other.shift()).toMatchObject({ statusCode: 'ok', type: 'get_rooms' });
  });

  it('a burst beyond the queue bound is refused frame by frame, every frame is answered, the connection stays', async () => {
    const token = await registerUser(srv, 'burst1');
    const client = await pool.ready(srv, 'burst1', token);
    const total = 300;
    for (let i = 0; i < total; i++) client.command('get_rooms');
    const replies = await waitFor(() => (client.frames.length >= total ? client.frames.splice(0) : null), {
      label: `${total} replies`,
    });
    expect(replies).toHaveLength(total);
    const refused = replies.filter((f) => f.statusCode === 'error');
    expect(refused.length).toBeGreaterThan(0);
    for (const frame of refused) {
      expect(isErrorFrame(frame)).toBe(true);
      expect((frame.data as { message: string }).message).toMatch(/slow down/);
    }
    expect(replies.filter((f) => f.type === 'get_rooms' && f.statusCode === 'ok').length).toBe(
      total - refused.length,
    );
    expect(await client.framesBeforeMarker()).toEqual([]);
  });

  it('a connection that does not authenticate within authTimeoutMs is told and closed (4002)', async () => {
    const idle = pool.open(srv);
    await idle.opened;
    idle.sendJson({ username: 'idle' });
    const frame = await idle.shift();
    expect(isErrorFrame(frame)).toBe(true);
    expect((await idle.closed).code).toBe(4002);
  });

  it('per-app origins: a browser Origin the app does not allow gets an error frame and 4003', async () => {
    await patchApp(srv, { allowedOrigins: ['https://site.example'] });
    try {
      const refused = pool.open(srv, '', { origin: 'https://elsewhere.example' });
      await refused.opened;
      const frame = await refused.shift();
      expect(isErrorFrame(frame)).toBe(true);
      expect((await refused.closed).code).toBe(4003);
      const token = await registerUser(srv, 'origin1');
      const allowed = pool.open(srv, '', { origin: 'https://site.example' });
      allowed.username = 'origin1';
      allowed.token = token;
      await allowed.opened;
      allowed.hello();
      allowed.command('get_rooms');
      expect(await allowed.shift()).toMatchObject({ statusCode: 'ok', type: 'get_rooms' });
    } finally {
      await patchApp(srv, { allowedOrigins: null });
    }
  });

  it('on shutdown every connection is told and closed with 1001', async () => {
    const own = await startTestServer();
    try {
      const token = await registerUser(own, 'leaving');
      const client = await pool.ready(own, 'leaving', token);
      const closing = own.close();
      const frame = await client.shift();
      expect(isErrorFrame(frame)).toBe(true);
      expect((frame.data as { message: string }).message).toMatch(/shutting down/);
      expect((await client.closed).code).toBe(1001);
      await closing;
    } finally {
      await own.close();
    }
  });
});
