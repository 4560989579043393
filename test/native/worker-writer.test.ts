// A real server whose message appends go through the SQLite message writer in a worker thread, on a file
// database: many clients send at once, as the bench's chat shape does. Every send must be acknowledged and
// every member must get every message of its room, in the room's order.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import type { MessageView } from '../../src/core/messageView.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api, ClientPool, NO_FLOOD, patchApp } from './helpers.js';

const ROOMS = 4;
const PER_ROOM = 8;
const SENDS = 20;

describe('the worker message writer under concurrent sends', () => {
  let srv: TestServer;
  const pool = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer({ sqliteWriter: 'worker' });
    await patchApp(srv, NO_FLOOD);
    for (let r = 0; r < ROOMS; r++) await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: `w${r}` });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('[store.writer] acknowledges every send and delivers each room in order', async () => {
    const members: { client: ParleyClient; room: string; got: MessageView[] }[] = [];
    await Promise.all(
      Array.from({ length: ROOMS * PER_ROOM }, async (_, i) => {
        const room = `w${i % ROOMS}`;
        const client = pool.client(srv, 'ws', { guest: `w${i}` });
        const got: MessageView[] = [];
        client.on('message', (event) => {
          if (event.room.name === room) got.push(event.message);
        });
        await client.connect();
        await client.join(room);
        members.push({ client, room, got });
      }),
    );

    // Every client fires all its sends at once: the writer sees them arrive while its batches commit.
    const acks = await Promise.all(
      members.map(({ client, room }, i) =>
        Promise.all(Array.from({ length: SENDS }, (_, k) => client.send(room, `m ${i} ${k}`))),
      ),
    );
    const total = members.length * SENDS;
    expect(acks.flat().filter((ack) => ack.kind === 'message' && !ack.duplicate)).toHaveLength(total);

    // One sender's messages got seqs in the order it sent them.
    for (const [i, sent] of acks.entries()) {
      const seqs = sent.map((ack) => (ack.kind === 'message' ? ack.message.seq : -1));
      expect(seqs, `sender ${i}`).toEqual([...seqs].sort((a, b) => a - b));
    }

    const perRoom = PER_ROOM * SENDS;
    await waitFor(() => members.every((m) => m.got.length >= perRoom), {
      timeoutMs: 30_000,
      label: 'every member has every message of its room',
    });
    for (const { room, got } of members) {
      expect(
        got.map((m) => m.seq),
        room,
      ).toEqual(Array.from({ length: perRoom }, (_, k) => k + 1));
    }
  });
});
