/**
 * Three `parley serve` processes on one PostgreSQL schema and one Redis: what one node's clients do reaches
 * the clients of the other nodes, in the native protocol (both framings) and in every dialect, and presence
 * and moderation are one across the cluster (docs/deploy.md, "Cluster").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, ParleyClient, TransportKind } from '../../src/client/index.js';
import {
  adminApi,
  clusterServicesAvailable,
  ClusterClients,
  createAccount,
  createRoom,
  NO_FLOOD,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import {
  asRec,
  emitWithAck,
  record,
  recordingIo,
  recordingWs,
  sessionsOn,
  sha256Hex,
  WAIT_MS,
} from './drivers.js';

const available = await clusterServicesAvailable('test/cluster/delivery');

const TEST_TIMEOUT = 90_000;

describe.skipIf(!available)('cluster: delivery, presence and moderation across nodes', () => {
  let cluster: Cluster;
  let A: ClusterNode;
  let B: ClusterNode;
  let C: ClusterNode;
  const clients = new ClusterClients();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3 });
    [A, B, C] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    // Before any node has loaded app 1 (a node keeps the app it loaded: see the app-settings test below).
    await adminApi(A, 'PATCH', '/api/v1/apps/1', { settings: NO_FLOOD });
    await waitForMesh(cluster);
  }, 240_000);
  afterEach(() => clients.closeAll());
  afterAll(async () => {
    clients.closeAll();
    await cluster?.close();
  });

  /** A typed client for a new (or given) user on `node`, connected; joins `room` when given. */
  async function native(
    node: ClusterNode,
    transport: TransportKind,
    opts: { username?: string; role?: string; room?: string; reconnect?: boolean } = {},
  ): Promise<{ client: ParleyClient; username: string; id: number }> {
    const username = opts.username ?? unique('nat');
    const token = await tokenFor(node, username, opts.role);
    const client = clients.native(node, transport, { token }, { reconnect: opts.reconnect ?? false });
    const auth = await client.connect();
    if (opts.room) await client.join(opts.room);
    return { client, username, id: auth?.user.id ?? 0 };
  }

  it('[cluster.startup] nodes started together share one default app and one lobby', async () => {
    const apps = await adminApi<{ apps: { id: number; name: string }[] }>(C, 'GET', '/api/v1/apps');
    expect(apps.apps.map((a) => a.id)).toEqual([1]);
    const { rows } = await cluster.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM rooms WHERE name_key = 'lobby'",
    );
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it(
    '[cluster.native] messages cross nodes in both framings: each client gets every message once, in seq order',
    async () => {
      const room = unique('native');
      await createRoom(C, room);
      const placements: [ClusterNode, TransportKind][] = [
        [A, 'ws'],
        [B, 'socket.io'],
        [C, 'ws'],
        [C, 'socket.io'],
        [A, 'socket.io'],
        [B, 'ws'],
      ];
      const users = await Promise.all(
        placements.map(([node, transport]) => native(node, transport, { room })),
      );
      const received = users.map((u) => record(u.client, 'message'));
      const sent = await Promise.all(
        users.map((u, i) =>
          u.client.send(room, `hello ${i} from ${placements[i]?.[0].name} over ${placements[i]?.[1]}`),
        ),
      );
      const seqs = sent.map((r) => (r.kind === 'message' ? r.message.seq : -1)).sort((a, b) => a - b);
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);
      for (const [i, recording] of received.entries()) {
        await waitFor(() => recording.items.length >= sent.length, {
          timeoutMs: WAIT_MS,
          label: `client ${i} to receive all ${sent.length} messages`,
        });
      }
      const expected = sent
        .map((r) => (r.kind === 'message' ? r.message : null))
        .filter((m): m is MessageView => m !== null)
        .sort((a, b) => a.seq - b.seq)
        .map((m) => ({ seq: m.seq, id: m.id, text: m.text, author: m.author?.username }));
      for (const recording of received) {
        expect(
          recording.items.map(({ message: m }) => ({
            seq: m.seq,
            id: m.id,
            text: m.text,
            author: m.author?.username,
          })),
        ).toEqual(expected);
      }
    },
    TEST_TIMEOUT,
  );

  describe('[cluster.dialects] a dialect user on node A and a native user on node B see each other', () => {
    it(
      'eventchat (/eventchat socket.io)',
      async () => {
        const room = unique('ec');
        await createRoom(C, room);
        const user = unique('ec');
        const password = 'ec-password-123';
        await createAccount(A, user, password);
        const ec = recordingIo(clients, A.url, '/eventchat', { app: '1' });
        await ec.next('connection');
        ec.socket.emit('Auth', { user, password, room });
        expect(await ec.next('Auth')).toMatchObject({ Code: 200 });

        const nat = await native(B, 'socket.io', { room });
        const natMessages = record(nat.client, 'message');
        // The native user's arrival on node B is announced on node A.
        await ec.next('join', (d) => d.user === nat.username);

        await nat.client.send(room, 'from **native** on B');
        const heard = await ec.next('message', (d) => d.raw_content === 'from **native** on B');
        expect(heard).toMatchObject({
          user: nat.username,
          content: expect.stringContaining('<strong>native</strong>'),
        });

        ec.socket.emit('message', { raw_content: 'from eventchat on A' });
        const got = await natMessages.next((e) => e.message.text === 'from eventchat on A', 'native message');
        expect(got.message.author?.username).toBe(user);
        expect(got.room.name).toBe(room);
      },
      TEST_TIMEOUT,
    );

    it(
      'chatroom (ws /chatroom + POST /chatroom/login-user)',
      async () => {
        const room = unique('cr');
        await createRoom(C, room);
        const user = unique('cr');
        const password = 'cr-password-123';
        await createAccount(A, user, password);
        const login = await fetch(`${A.url}/chatroom/login-user`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: user, password }),
        });
        expect(login.status).toBe(200);
        const { token } = (await login.json()) as { token: string };

        const cr = recordingWs(clients, `${A.url}/chatroom`);
        await cr.opened;
        cr.send({ username: user, token });
        cr.send({ token, action: 'connect_to_room', args: { username: user, roomName: room } });
        const joined = await cr.next((f) => f.type === 'connect_to_room', 'connect_to_room reply');
        expect(joined).toMatchObject({ statusCode: 'ok', data: { roomName: room } });

        const nat = await native(B, 'ws', { room });
        const natMessages = record(nat.client, 'message');
        await cr.next(
          (f) => f.type === 'receive_message' && asRec(f.data).message === `${nat.username} has connected.`,
          'the native user announced',
        );

        await nat.client.send(room, 'from native on B');
        const heard = await cr.next(
          (f) => f.type === 'receive_message' && asRec(f.data).message === 'from native on B',
          'receive_message from the native user',
        );
        expect(heard).toEqual({
          statusCode: 'ok',
          type: 'receive_message',
          data: { author: nat.username, message: 'from native on B' },
        });

        cr.send({
          token,
          action: 'send_message',
          args: { roomName: room, author: user, message: 'from chatroom on A' },
        });
        const got = await natMessages.next((e) => e.message.text === 'from chatroom on A', 'native message');
        expect(got.message.author?.username).toBe(user);
        expect(cr.frames.count((f) => f.statusCode === 'error')).toBe(0);
      },
      TEST_TIMEOUT,
    );

    it(
      'moneypot (/moneypot socket.io, the lobby)',
      async () => {
        const user = unique('mp');
        const token = await tokenFor(A, user);
        const mp = recordingIo(clients, A.url, '/moneypot');
        await mp.connected;
        const [err, data] = await emitWithAck(mp.socket, 'auth', {
          app_id: 1,
          hashed_token: sha256Hex(token),
        });
        expect(err).toBeNull();
        expect(asRec(asRec(data).user).uname).toBe(user);

        const nat = await native(B, 'socket.io', { room: 'lobby' });
        const natMessages = record(nat.client, 'message');
        await mp.next('user_joined', (d) => d.uname === nat.username);

        const fromNative = unique('from native on B ');
        await nat.client.send('lobby', fromNative);
        const heard = await mp.next('new_message', (d) => d.text === fromNative);
        expect(asRec(heard.user).uname).toBe(nat.username);

        const fromMoneypot = unique('from moneypot on A ');
        const [sendErr] = await emitWithAck(mp.socket, 'new_message', fromMoneypot);
        expect(sendErr).toBeNull();
        const got = await natMessages.next((e) => e.message.text === fromMoneypot, 'native message');
        expect(got.message.author?.username).toBe(user);
      },
      TEST_TIMEOUT,
    );

    it(
      'numeric (ws /numeric/chat/login/NICK)',
      async () => {
        const channel = unique('num_');
        await createRoom(C, channel);
        const nick = unique('nick_');
        const nu = recordingWs(clients, `${A.url}/numeric/chat/login/${nick}`);
        await nu.opened;
        await nu.next((f) => f.type === 2 && f.user === nick, 'own login (type 2)');
        nu.send({ type: 4, channel: `#${channel}` });
        await nu.next((f) => f.type === 4 && f.user === nick, 'own join (type 4)');

        const nat = await native(B, 'ws', { room: channel });
        const natMessages = record(nat.client, 'message');
        await nu.next((f) => f.type === 4 && f.user === nat.username, 'the native user joining (type 4)');

        await nat.client.send(channel, 'from native on B');
        const heard = await nu.next((f) => f.type === 0 && f.message === 'from native on B', 'type 0');
        expect(heard).toMatchObject({ dest: channel, user: nat.username });
        expect(heard.history).toBeUndefined();

        nu.send({ type: 0, dest: `#${channel}`, message: 'from numeric on A' });
        const got = await natMessages.next((e) => e.message.text === 'from numeric on A', 'native message');
        expect(got.message.author?.username).toBe(nick);
        expect(nu.frames.count((f) => f.type === -1)).toBe(0);
      },
      TEST_TIMEOUT,
    );

    it(
      'socketapi (/socketapi socket.io): channel-created for a room created on node B, then messages',
      async () => {
        const user = unique('sa');
        const token = await tokenFor(A, user);
        const sa = recordingIo(clients, A.url, '/socketapi', { app: '1' });
        await sa.connected;
        sa.socket.emit('auth', { transaction: 'login', data: token });
        const auth = await sa.next('auth-success');
        expect(auth).toMatchObject({ transaction: 'login', userId: expect.any(Number) });

        const nat = await native(B, 'ws');
        const room = unique('sa');
        const view = await nat.client.createRoom(room);
        const created = await sa.next('channel-created', (d) => d.name === room);
        expect(created).toEqual({
          id: view.id,
          name: room,
          is_private: false,
          workspace_id: 1,
          creator_id: nat.id,
        });

        sa.socket.emit('join-channel', { transaction: 'join', channelId: view.id });
        expect(await sa.next('channel-joined')).toMatchObject({ transaction: 'join', channelId: view.id });
        await nat.client.join(room);
        const natMessages = record(nat.client, 'message');

        await nat.client.send(room, 'from native on B');
        const heard = await sa.next('message-created', (d) => asRec(d.message).text === 'from native on B');
        expect(asRec(heard.message)).toMatchObject({
          channel_id: view.id,
          username: nat.username,
          user_id: nat.id,
        });

        sa.socket.emit('send-message', {
          transaction: 'say',
          channelId: view.id,
          text: 'from socketapi on A',
        });
        expect(await sa.next('message-sent')).toMatchObject({ transaction: 'say' });
        const got = await natMessages.next((e) => e.message.text === 'from socketapi on A', 'native message');
        expect(got.message.author?.username).toBe(user);
        expect(sa.events.count((e) => e.event === 'socket-api-error')).toBe(0);
      },
      TEST_TIMEOUT,
    );
  });

  it(
    '[cluster.presence] a user on two nodes is one presence on a third; it leaves only when both are gone',
    async () => {
      const room = unique('pres');
      await createRoom(A, room);
      const observer = await native(C, 'ws', { room });
      await observer.client.watchOnline();
      const joins = record(observer.client, 'presence_join');
      const leaves = record(observer.client, 'presence_leave');
      const offline = record(observer.client, 'user_offline');

      const username = unique('twice');
      const onA = await native(A, 'ws', { username, room });
      const onB = await native(B, 'socket.io', { username, room });
      // Markers: a later arrival through node B, so that anything node B said about `username` is in by then.
      const markerB = await native(B, 'ws', { room });
      await joins.next((e) => e.user.username === markerB.username, 'the marker joining');
      expect(joins.count((e) => e.user.username === username)).toBe(1);

      for (const [name, client] of [
        ['A', onA.client],
        ['B', onB.client],
        ['C', observer.client],
      ] as const) {
        const members = await client.members(room);
        expect(
          members.filter((m) => m.username === username),
          `members on node ${name}`,
        ).toHaveLength(1);
      }

      // The user's connection on node A goes; node B still has it. A marker on node A goes after it (same grace
      // period, later timer): once the marker's leave is heard on node C, so would the user's have been.
      const markerA = await native(A, 'ws', { room });
      await joins.next((e) => e.user.username === markerA.username, 'the second marker joining');
      const before = await sessionsOn(A);
      onA.client.close();
      await waitFor(async () => (await sessionsOn(A)) === before - 1, {
        timeoutMs: WAIT_MS,
        label: "node A to end the user's session",
      });
      markerA.client.close();
      await leaves.next((e) => e.user.username === markerA.username, "the marker's leave");
      await offline.next((e) => e.user.username === markerA.username, "the marker's offline");
      expect(leaves.count((e) => e.user.username === username)).toBe(0);
      expect(offline.count((e) => e.user.username === username)).toBe(0);
      expect((await observer.client.members(room)).map((m) => m.username)).toContain(username);

      onB.client.close();
      await leaves.next(
        (e) => e.user.username === username,
        "the user's leave once both connections are gone",
      );
      await offline.next((e) => e.user.username === username, "the user's offline");
      expect((await observer.client.members(room)).map((m) => m.username)).not.toContain(username);
      expect(joins.count((e) => e.user.username === username)).toBe(1);
      expect(leaves.count((e) => e.user.username === username)).toBe(1);
    },
    TEST_TIMEOUT,
  );

  it(
    "[cluster.kick] a kick on node A (admin API, or a mod's native client) closes the user's sockets on node B with 4004",
    async () => {
      const room = unique('kick');
      await createRoom(B, room);

      // By the admin API of node A.
      const target = unique('kicked');
      const targets = [
        await native(B, 'ws', { username: target, room }),
        await native(B, 'socket.io', { username: target, room }),
        await native(C, 'ws', { username: target, room }),
      ];
      const closes = targets.map((t) => record(t.client, 'disconnected'));
      await adminApi(A, 'POST', '/api/v1/apps/1/kicks', { username: target, reason: 'cool off' });
      for (const close of closes) {
        const event = await close.next(() => true, 'the kicked client disconnected');
        expect(event).toMatchObject({ code: 4004, reason: 'kicked', willReconnect: false });
      }

      // By a moderator's native client on node A.
      const mod = await native(A, 'socket.io', { role: 'mod' });
      const victim = unique('victim');
      const victims = [
        await native(B, 'ws', { username: victim, room }),
        await native(B, 'socket.io', { username: victim, room }),
      ];
      const victimCloses = victims.map((t) => record(t.client, 'disconnected'));
      // A raw WebSocket too, to see the close code the server itself sends.
      const raw = recordingWs(clients, `${B.url}/ws?app=1`);
      await raw.opened;
      raw.send({ id: 1, op: 'auth', data: { token: await tokenFor(B, victim) } });
      await raw.next((f) => f.id === 1 && f.ok === true, 'raw auth');
      await mod.client.kick(victim, { reason: 'spam' });
      for (const close of victimCloses) {
        expect(await close.next(() => true, 'the kicked client disconnected')).toMatchObject({
          code: 4004,
          reason: 'kicked',
          willReconnect: false,
        });
      }
      expect(await raw.closed).toEqual({ code: 4004, reason: 'kicked' });
    },
    TEST_TIMEOUT,
  );

  describe('[cluster.consistency] what is changed through one node holds on the others', () => {
    /** What a request came to: its error code, or `ok`. */
    const outcomeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (err: unknown) => String(asRec(err).code),
      );

    it(
      "a role taken away through node A's admin API no longer lets the user's connection on node B moderate",
      async () => {
        const modName = unique('exmod');
        const modOnA = await native(A, 'ws', { username: modName, role: 'mod' });
        const modOnB = await native(B, 'ws', { username: modName });
        const target = await native(C, 'ws');
        await adminApi(A, 'PATCH', `/api/v1/apps/1/users/${modName}`, { role: 'member' });
        // docs/http-api.md: "Applies at once to the user's open connections". It does on node A...
        expect(await outcomeOf(modOnA.client.kick(target.username))).toBe('forbidden');
        // ... and must on node B too, where the same user is connected.
        expect(await outcomeOf(modOnB.client.kick(target.username))).toBe('forbidden');
      },
      TEST_TIMEOUT,
    );

    it(
      "an app's settings changed through node A apply on node B",
      async () => {
        const app = await adminApi<{ id: number }>(A, 'POST', '/api/v1/apps', {
          name: unique('app'),
          settings: { guestsCanWrite: true, ...NO_FLOOD },
        });
        await adminApi(A, 'POST', `/api/v1/apps/${app.id}/rooms`, { name: 'talk' });
        const writers = await Promise.all(
          [A, B].map(async (node) => {
            const writer = clients.native(
              node,
              'ws',
              { guest: unique('w') },
              { app: app.id, reconnect: false },
            );
            await writer.connect();
            await writer.join('talk');
            expect(await outcomeOf(writer.send('talk', 'twelve chars'))).toBe('ok');
            return writer;
          }),
        );
        await adminApi(A, 'PATCH', `/api/v1/apps/${app.id}`, { settings: { maxMessageLength: 5 } });
        const [onA, onB] = writers as [ParleyClient, ParleyClient];
        expect(await outcomeOf(onA.send('talk', 'twelve chars')), 'on node A').toBe('too_long');
        expect(await outcomeOf(onB.send('talk', 'twelve chars')), 'on node B').toBe('too_long');
      },
      TEST_TIMEOUT,
    );

    it(
      'a guest nickname in use on node A is refused on node B',
      async () => {
        const nickname = unique('guest');
        const first = clients.native(A, 'ws', { guest: nickname }, { reconnect: false });
        await first.connect();
        // On one node the engine answers `conflict` ("That nickname is in use")...
        const again = clients.native(A, 'ws', { guest: nickname }, { reconnect: false });
        expect(await outcomeOf(again.connect()), 'on node A').toBe('conflict');
        // ... and a cluster is one server: otherwise two people share one guest identity.
        const elsewhere = clients.native(B, 'ws', { guest: nickname }, { reconnect: false });
        expect(await outcomeOf(elsewhere.connect()), 'on node B').toBe('conflict');
      },
      TEST_TIMEOUT,
    );
  });
});
