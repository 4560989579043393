/**
 * Reconnect and resume through both framings ([proto.resume], [proto.client]): the client's connection is cut
 * under it (a TCP proxy drops it and refuses new ones until told otherwise), another client talks meanwhile,
 * and the client comes back with every message exactly once, in order, or with an explicit gap.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import type { MessageView } from '../../src/protocol/native.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { ClientPool, events, NO_FLOOD, patchApp, Proxy, register, TRANSPORTS } from './helpers.js';

const FAST_RECONNECT = { reconnectDelayMs: 20, maxReconnectDelayMs: 100 };

describe.each(TRANSPORTS)('reconnect and resume over %s', (transport) => {
  let srv: TestServer;
  let proxy: Proxy;
  const pool = new ClientPool();
  let bobToken: string;
  let roomCounter = 0;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    bobToken = await register(srv, 'bob', 'bob-password');
    proxy = await new Proxy(srv.port).start();
  });
  afterEach(() => {
    pool.closeAll();
    proxy.restore();
  });
  afterAll(async () => {
    pool.closeAll();
    await proxy?.close();
    await srv?.close();
  });

  async function setup(guest: string) {
    const room = `resume-${transport === 'ws' ? 'ws' : 'sio'}-${++roomCounter}`;
    const bob = pool.client(srv, transport, { token: bobToken });
    await bob.connect();
    await bob.createRoom(room);
    await bob.join(room);
    const ann = pool.client(proxy, transport, { guest }, FAST_RECONNECT);
    const auth = await ann.connect();
    await ann.join(room);
    return { room, bob, ann, annUserId: auth?.user.id };
  }

  function messagesIn(client: ParleyClient, room: string) {
    const received: MessageView[] = [];
    client.on('message', ({ room: ref, message }) => {
      if (ref.name === room) received.push(message);
    });
    return received;
  }

  it('[proto.resume] a cut connection comes back with every message exactly once, in order', async () => {
    const { room, bob, ann, annUserId } = await setup(`ann-${transport}`);
    const other = `${room}-b`;
    await bob.createRoom(other);
    await bob.join(other);
    await ann.join(other);
    const received = messagesIn(ann, room);
    const receivedOther = messagesIn(ann, other);
    await bob.send(room, 'before the cut');
    await waitFor(() => received.length === 1);

    const states: string[] = [];
    ann.on('state', (state) => states.push(state));
    const disconnected = events(ann, 'disconnected');
    const reconnected = events(ann, 'reconnected');
    proxy.cut();
    expect(await disconnected.next()).toMatchObject({ willReconnect: true });
    expect(ann.state).toBe('reconnecting');

    const texts = Array.from({ length: 20 }, (_, i) => `missed ${i}`);
    for (const text of texts) {
      await bob.send(room, text);
      await bob.send(other, `other ${text}`);
    }
    proxy.restore();

    const back = await reconnected.next();
    expect([...back.rooms].sort()).toEqual([room, other].sort());
    // The guest came back as the same user, with its resume token.
    expect(back.auth?.user.id).toBe(annUserId);
    await waitFor(() => received.length >= 21 && receivedOther.length >= 20, {
      label: 'the replayed messages',
    });
    await bob.send(room, 'after the reconnect');
    await waitFor(() => received.some((m) => m.text === 'after the reconnect'));

    expect(received.map((m) => m.text)).toEqual(['before the cut', ...texts, 'after the reconnect']);
    expect(receivedOther.map((m) => m.text)).toEqual(texts.map((t) => `other ${t}`));
    for (const list of [received, receivedOther]) {
      const seqs = list.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    expect(ann.lastSeq(room)).toBe(received[received.length - 1]?.seq);
    expect(states).toEqual(['reconnecting', 'open']);
  });

  it('[proto.resume] messages sent while the re-joins are in flight come after the replay, once', async () => {
    const { room, bob, ann } = await setup(`busy-${transport}`);
    const received = messagesIn(ann, room);
    const reconnected = events(ann, 'reconnected');
    proxy.cut();
    await waitFor(() => ann.state === 'reconnecting');
    for (let i = 0; i < 10; i++) await bob.send(room, `away ${i}`);
    proxy.restore();
    // Keep talking while the client reconnects and re-joins.
    let live = 0;
    while (ann.state !== 'open' && live < 200) await bob.send(room, `live ${live++}`);
    await reconnected.next();
    await bob.send(room, 'done');
    await waitFor(() => received.some((m) => m.text === 'done'));
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => `away ${i}`),
      ...Array.from({ length: live }, (_, i) => `live ${i}`),
      'done',
    ];
    expect(received.map((m) => m.text)).toEqual(expected);
  });

  it('[proto.resume] sends made while disconnected, or cut off before their reply, arrive once', async () => {
    const { room, bob, ann } = await setup(`sender-${transport}`);
    const bobReceived = messagesIn(bob, room);
    const reconnected = events(ann, 'reconnected');

    // Cut off right after it was written: the server may or may not have it; the retry uses the same id.
    const inFlight = ann.send(room, 'in flight', { clientMsgId: `in-flight-${transport}` });
    proxy.cut();
    // Sent while reconnecting: queued until the connection is back.
    await waitFor(() => ann.state === 'reconnecting');
    const queued = ann.send(room, 'queued');
    proxy.restore();
    await reconnected.next();
    const [first, second] = await Promise.all([inFlight, queued]);
    expect(first.kind).toBe('message');
    expect(second.kind).toBe('message');

    await bob.send(room, 'marker');
    await waitFor(() => bobReceived.some((m) => m.text === 'marker'));
    const texts = bobReceived.map((m) => m.text);
    expect(texts.filter((t) => t === 'in flight')).toHaveLength(1);
    expect(texts.filter((t) => t === 'queued')).toHaveLength(1);
    expect(texts.indexOf('in flight')).toBeLessThan(texts.indexOf('queued'));
  });

  it('[proto.gap] too far behind: a gap event whose cursor history() pages back through', async () => {
    const { room, bob, ann } = await setup(`behind-${transport}`);
    await patchApp(srv, { replayLimit: 5 });
    try {
      const received = messagesIn(ann, room);
      const gaps = events(ann, 'gap');
      const reconnected = events(ann, 'reconnected');
      const start = await bob.send(room, 'seen before');
      if (start.kind !== 'message') throw new Error('expected a message');
      await waitFor(() => received.length === 1);

      proxy.cut();
      await waitFor(() => ann.state === 'reconnecting');
      const texts = Array.from({ length: 12 }, (_, i) => `far ${i}`);
      for (const text of texts) await bob.send(room, text);
      proxy.restore();
      await reconnected.next();

      const gap = await gaps.next();
      expect(gap.room.name).toBe(room);
      expect(gap.afterSeq).toBe(start.message.seq);
      await waitFor(() => received.length === 6, { label: 'the 5 newest messages' });
      const replayed = received.slice(1);
      expect(replayed.map((m) => m.text)).toEqual(texts.slice(-5));
      expect(gap.beforeSeq).toBe(replayed[0]?.seq);

      // Page back from the gap's cursor until its lower end.
      const recovered: MessageView[] = [];
      let before: number | null = gap.beforeSeq;
      while (before !== null && before > gap.afterSeq + 1) {
        const page = await ann.history(room, { before, limit: 3 });
        recovered.unshift(...page.messages.filter((m) => m.seq > gap.afterSeq));
        before = page.nextCursor;
      }
      expect([...recovered, ...replayed].map((m) => m.text)).toEqual(texts);
      expect(ann.lastSeq(room)).toBe(replayed[replayed.length - 1]?.seq);
    } finally {
      await patchApp(srv, { replayLimit: 500 });
    }
  });

  it('[proto.client] dropConnection() reconnects and re-joins; close() stops for good', async () => {
    const { room, bob, ann } = await setup(`dropper-${transport}`);
    const received = messagesIn(ann, room);
    const reconnected = events(ann, 'reconnected');
    ann.dropConnection();
    await reconnected.next();
    await bob.send(room, 'after drop');
    await waitFor(() => received.some((m) => m.text === 'after drop'));
    expect(received.filter((m) => m.text === 'after drop')).toHaveLength(1);

    const disconnected = events(ann, 'disconnected');
    ann.close();
    expect(await disconnected.next()).toMatchObject({ reason: 'client_closed', willReconnect: false });
    expect(ann.state).toBe('closed');
    await expect(ann.ping()).rejects.toMatchObject({ code: 'closed' });
  });

  it('[proto.client] requests time out with a clear error', async () => {
    const { ann } = await setup(`timeout-${transport}`);
    const impatient = pool.client(
      proxy,
      transport,
      { guest: `impatient-${transport}` },
      {
        ...FAST_RECONNECT,
        requestTimeoutMs: 200,
      },
    );
    await impatient.connect();
    proxy.cut();
    await waitFor(() => impatient.state === 'reconnecting');
    const err = await impatient.ping().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout', message: expect.stringContaining('200 ms') });
    expect(ann.state).not.toBe('closed');
  });
});

describe.each(TRANSPORTS)('oversized sends over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: 2048 });
  });
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('[proto.limits] a send too large for the server fails instead of being retried forever', async () => {
    const client = pool.client(srv, transport, { guest: `big-${transport}` }, FAST_RECONNECT);
    await client.connect();
    await client.join('lobby');
    const error = await client.send('lobby', 'x'.repeat(4000)).catch((err: unknown) => err);
    // WebSocket: the 1009 close says why at once; socket.io: given up after MAX_SEND_ATTEMPTS drops.
    expect(error).toMatchObject({ code: transport === 'ws' ? 'frame_too_large' : 'disconnected' });
    await waitFor(() => client.state === 'open');
    expect((await client.send('lobby', 'small enough')).kind).toBe('message');
  });
});
