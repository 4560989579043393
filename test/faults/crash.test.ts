/**
 * kill -9 in the middle of things. A stream of sends with clientMsgIds is cut by SIGKILL; after a restart the
 * client retries every send it had made (acknowledged or not), as a reconnecting client does: every
 * acknowledged message is there exactly once, in order, retries of stored ones are answered as duplicates,
 * and `PRAGMA integrity_check` is ok. The same while the WAL is being checkpointed into the database file.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir, spawnServer, type SpawnedServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { CHILD_ADMIN_KEY } from './childServer.js';
import { recordOutcome } from './report.js';

const DB_FILE = 'parley.db';

interface Reply {
  id: number;
  ok: boolean;
  data?: { kind?: string; duplicate?: boolean; message?: { seq: number; clientMsgId: string | null } };
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
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as Partial<Reply> & { event?: string };
    if (typeof frame.id !== 'number') return;
    pending.get(frame.id)?.resolve(frame as Reply);
    pending.delete(frame.id);
  });
  // One listener for every request still waiting (not one per request, which piles up over a stream).
  ws.once('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('closed'));
    pending.clear();
  });
  const request = (op: string, data: unknown) =>
    new Promise<Reply>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, op, data }));
    });
  return { ws, request };
}

async function adminFetch(url: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${CHILD_ADMIN_KEY}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  expect(res.status).toBeLessThan(300);
  return res.json() as Promise<Record<string, unknown>>;
}

const env = { PARLEY_ADMIN_KEY: CHILD_ADMIN_KEY };
const servers: SpawnedServer[] = [];
afterAll(() => {
  for (const s of servers) s.kill('SIGKILL');
});

async function start(dataDir: string): Promise<SpawnedServer> {
  const server = await spawnServer({ dataDir, env });
  servers.push(server);
  return server;
}

/**
 * Sends a stream, 16 in flight, until `shouldKill` says so, then SIGKILLs the server. Returns every
 * clientMsgId sent, the acknowledged ones with their seq, and how many were in flight at the kill.
 */
async function streamUntilKilled(
  server: SpawnedServer,
  text: string,
  shouldKill: (acked: number) => Promise<boolean> | boolean,
): Promise<{ sent: string[]; acked: Map<string, number>; inFlightAtKill: number }> {
  await adminFetch(server.url, '/api/v1/apps/1', {
    method: 'PATCH',
    body: JSON.stringify({
      settings: { flood: { burst: 100_000, perSecond: 100_000 }, maxMessageLength: 10_000 },
    }),
  });
  const client = await rawClient(server.url);
  expect((await client.request('auth', { guest: 'writer' })).ok).toBe(true);
  expect((await client.request('join', { room: 'lobby' })).ok).toBe(true);
  const sent: string[] = [];
  const acked = new Map<string, number>();
  let killed = false;
  let inFlightAtKill = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (killed) return;
      const clientMsgId = `m-${sent.length}`;
      sent.push(clientMsgId);
      client.request('send', { room: 'lobby', text: `${clientMsgId} ${text}`, clientMsgId }).then(
        async (reply) => {
          if (reply.ok && reply.data?.message) acked.set(clientMsgId, reply.data.message.seq);
          if (!killed && (await shouldKill(acked.size))) {
            killed = true;
            inFlightAtKill = sent.length - acked.size;
            server.kill('SIGKILL');
            resolve();
          } else pump();
        },
        () => resolve(),
      );
    };
    for (let i = 0; i < 16; i++) pump();
  });
  expect((await server.exited).signal).toBe('SIGKILL');
  client.ws.terminate();
  return { sent, acked, inFlightAtKill };
}

/**
 * Restarts on the same data, retries every send, and checks what is stored; stops the server and runs
 * `PRAGMA integrity_check` on the database file.
 */
async function restartAndVerify(dataDir: string, sent: string[], acked: Map<string, number>, text: string) {
  const second = await start(dataDir);
  const client = await rawClient(second.url);
  expect((await client.request('auth', { guest: 'writer' })).ok).toBe(true);
  expect((await client.request('join', { room: 'lobby' })).ok).toBe(true);
  let duplicates = 0;
  for (const clientMsgId of sent) {
    const reply = await client.request('send', {
      room: 'lobby',
      text: `${clientMsgId} ${text}`,
      clientMsgId,
    });
    expect(reply.ok).toBe(true);
    if (reply.data?.duplicate) duplicates++;
    if (acked.has(clientMsgId)) {
      expect(reply.data?.duplicate).toBe(true);
      expect(reply.data?.message?.seq).toBe(acked.get(clientMsgId));
    }
  }
  client.ws.terminate();
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
  expect(ids.length).toBe(sent.length); // every retried send stored once
  const bySeq = new Map(stored.map((m) => [m.clientMsgId, m.seq]));
  let lost = 0;
  for (const [clientMsgId, seq] of acked) if (bySeq.get(clientMsgId) !== seq) lost++;
  expect(lost).toBe(0);
  second.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
  const db = new Database(join(dataDir, DB_FILE), { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  db.close();
  expect(integrity).toBe('ok');
  return { duplicates, lost, stored: stored.length, integrity: String(integrity) };
}

describe('kill -9', () => {
  it(
    '[durability.sigkill] during a stream with clientMsgId retries: every acknowledged message exactly once, integrity ok',
    { timeout: 120_000 },
    async () => {
      const dataDir = await makeTempDir('parley-sigkill-');
      const first = await start(dataDir);
      const { sent, acked, inFlightAtKill } = await streamUntilKilled(first, 'x', (n) => n >= 300);
      // Sends were still in flight when it died (replies already on their way may still be read afterwards).
      expect(inFlightAtKill).toBeGreaterThan(0);
      const result = await restartAndVerify(dataDir, sent, acked, 'x');
      recordOutcome({
        id: 'sigkill-stream',
        fault:
          'SIGKILL after 300 acknowledged sends, 16 in flight; after restart every send retried with its clientMsgId',
        expected:
          'every acknowledged message present exactly once at its seq; retries answered duplicate; integrity_check ok',
        measured: `${result.lost} lost, ${result.duplicates} duplicates answered, ${result.stored} stored once each; integrity_check ${result.integrity}`,
        numbers: { acked: acked.size, inFlightAtKill, messagesLost: result.lost, stored: result.stored },
      });
    },
  );

  it(
    'while the WAL is being checkpointed into the database file: the same, integrity ok',
    { timeout: 120_000 },
    async () => {
      const dataDir = await makeTempDir('parley-sigkill-checkpoint-');
      const first = await start(dataDir);
      const dbPath = join(dataDir, DB_FILE);
      const initialSize = (await stat(dbPath)).size;
      let lastSize = initialSize;
      let growingAtKill = false;
      // 8 KB messages make checkpoints long; the kill comes the moment the database file is seen growing, which
      // only a checkpoint does (the writer appends to the WAL), after at least 200 acknowledgements.
      const text = 'c'.repeat(8000);
      const { sent, acked, inFlightAtKill } = await streamUntilKilled(first, text, async (n) => {
        if (n < 200) return false;
        const size = (await stat(dbPath)).size;
        const growing = size > lastSize && lastSize > initialSize;
        lastSize = size;
        if (growing) growingAtKill = true;
        return growing || n >= 5000;
      });
      await waitFor(() => first.child.exitCode !== null || first.child.signalCode !== null);
      const result = await restartAndVerify(dataDir, sent, acked, text);
      recordOutcome({
        id: 'sigkill-checkpoint',
        fault:
          'SIGKILL while the WAL is being checkpointed into the database file (8 KB messages, 16 in flight)',
        expected: 'every acknowledged message present exactly once; integrity_check ok',
        measured: `${result.lost} lost; integrity_check ${result.integrity}; killed while the file grew: ${growingAtKill}`,
        numbers: {
          acked: acked.size,
          inFlightAtKill,
          messagesLost: result.lost,
          dbMBAtKill: Math.round(lastSize / 1048576),
        },
      });
    },
  );
});
