import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir, spawnServer, type SpawnedServer } from '../helpers/server.js';

const ADMIN_KEY = 'durability-admin-key-0123456789';

interface Reply {
  id: number;
  ok: boolean;
  data?: { kind?: string; message?: { seq: number; clientMsgId: string | null; text: string } };
  error?: { code: string };
}

/** A bare native-protocol client over `ws`, so this test depends on nothing but the wire format. */
async function rawClient(url: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?app=1`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (reply: Reply) => void>();
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as Partial<Reply> & { event?: string };
    if (typeof frame.id === 'number') pending.get(frame.id)?.(frame as Reply);
  });
  const request = (op: string, data: unknown) =>
    new Promise<Reply>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.once('close', () => reject(new Error('closed')));
      ws.send(JSON.stringify({ id, op, data }));
    });
  return { ws, request };
}

async function adminFetch(url: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...init.headers },
  });
  expect(res.status).toBeLessThan(300);
  return res.json() as Promise<Record<string, unknown>>;
}

describe('durability', () => {
  const servers: SpawnedServer[] = [];
  let dataDir = '';
  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('[durability.sigkill] every acknowledged message survives SIGKILL, in order, without duplicates', async () => {
    dataDir = await makeTempDir('parley-sigkill-');
    const env = { PARLEY_ADMIN_KEY: ADMIN_KEY };
    const first = await spawnServer({ dataDir, env });
    servers.push(first);
    await adminFetch(first.url, '/api/v1/apps/1', {
      method: 'PATCH',
      body: JSON.stringify({ settings: { flood: { burst: 100_000, perSecond: 100_000 } } }),
    });

    const client = await rawClient(first.url);
    expect((await client.request('auth', { guest: 'writer' })).ok).toBe(true);
    expect((await client.request('join', { room: 'lobby' })).ok).toBe(true);

    // A stream of sends, 16 in flight at a time; the server is killed once 300 are acknowledged.
    const acked = new Map<string, number>();
    const killAfter = 300;
    let sent = 0;
    let killed = false;
    let inFlightAtKill = 0;
    const killedAt = new Promise<void>((resolve) => {
      const pump = () => {
        if (killed) return;
        const clientMsgId = `m-${sent++}`;
        client.request('send', { room: 'lobby', text: `message ${clientMsgId}`, clientMsgId }).then(
          (reply) => {
            if (reply.ok && reply.data?.message) acked.set(clientMsgId, reply.data.message.seq);
            if (!killed && acked.size >= killAfter) {
              killed = true;
              inFlightAtKill = sent - acked.size;
              first.kill('SIGKILL');
              resolve();
            } else pump();
          },
          () => resolve(),
        );
      };
      for (let i = 0; i < 16; i++) pump();
    });
    await killedAt;
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    // Sends were still in flight when it died (replies already on their way may still be read afterwards).
    expect(inFlightAtKill).toBeGreaterThan(0);

    const second = await spawnServer({ dataDir, env });
    servers.push(second);
    const stored: { seq: number; clientMsgId: string | null }[] = [];
    let after = 0;
    for (;;) {
      const page = (await adminFetch(
        second.url,
        `/api/v1/apps/1/rooms/lobby/messages?after=${after}&limit=200`,
      )) as {
        messages: { seq: number; clientMsgId: string | null }[];
        nextCursor: number | null;
      };
      stored.push(...page.messages);
      if (page.nextCursor === null) break;
      after = page.nextCursor;
    }
    const seqs = stored.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // in order, no gap
    const ids = stored.map((m) => m.clientMsgId);
    expect(new Set(ids).size).toBe(ids.length); // no duplicates
    const bySeq = new Map(stored.map((m) => [m.clientMsgId, m.seq]));
    for (const [clientMsgId, seq] of acked) expect(bySeq.get(clientMsgId)).toBe(seq); // every ack is there
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
