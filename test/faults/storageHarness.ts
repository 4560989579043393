/**
 * The harness of the storage fault tests (issue 10, storage): one Parley node on a real socket, a raw native
 * client that keeps sending (each failed send retried with its clientMsgId), and the measurements every case
 * reports: time until /readyz says 503, time until it says 200 again, sends refused, sends acknowledged, and
 * acknowledged messages missing from history afterwards (which must be zero).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import {
  CLUSTER_ADMIN_KEY,
  ClusterClients,
  NO_FLOOD,
  adminApi,
  createRoom,
  fullHistory,
  tokenFor,
  unique,
} from '../helpers/cluster.js';
import { startTestServer, type TestServer, type TestServerOverrides } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { RawNative, SendStream, rawSend } from '../cluster/drivers.js';

/** Probing after a fault starts at this interval (doubling up to 8 times it), so recovery is quick to see. */
export const PROBE_MS = 100;
/** Generous bounds for a shared 2-core machine; every wait ends as soon as its condition holds. */
export const FAULT_WAIT_MS = 45_000;

export interface FaultNode {
  server: TestServer;
  url: string;
  clients: ClusterClients;
  close(): Promise<void>;
}

export async function startFaultNode(overrides: TestServerOverrides = {}): Promise<FaultNode> {
  const server = await startTestServer({
    adminKey: CLUSTER_ADMIN_KEY,
    ...overrides,
    engine: { storageProbeMs: PROBE_MS, ...overrides.engine },
  });
  await adminApi(server, 'PATCH', '/api/v1/apps/1', { settings: NO_FLOOD });
  const clients = new ClusterClients();
  return {
    server,
    url: server.url,
    clients,
    async close() {
      clients.closeAll();
      await server.close();
    },
  };
}

export async function readyStatus(node: { url: string }): Promise<number> {
  return (await fetch(`${node.url}/readyz`)).status;
}

async function readyBody(node: { url: string }): Promise<unknown> {
  return (await fetch(`${node.url}/readyz`)).json();
}

/** One sample from GET /metrics: the value of the first series named `name` (without labels), or null. */
export async function metricValue(node: { url: string }, name: string): Promise<number | null> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
}

/** A raw native client of `node`, signed in as a new user and joined to a new room, sending without pause. */
export async function sendingClient(node: FaultNode): Promise<{ room: string; stream: SendStream }> {
  const room = unique('st');
  await createRoom(node, room);
  const conn = await RawNative.open(node.clients, node.url);
  await conn.call('auth', { token: await tokenFor(node, unique('sender')) });
  await conn.call('join', { room });
  const stream = new SendStream(unique('m'), (text, id) => rawSend(conn, room, text, id), { retry: true });
  return { room, stream };
}

export interface FaultMeasure {
  detectMs: number;
  recoverMs: number;
  refused: number;
  acked: number;
  lost: number;
  codes: string[];
}

/** Several sending clients, each in its own room, counted together. */
class Traffic {
  constructor(private readonly senders: { room: string; stream: SendStream }[]) {}

  static async start(node: FaultNode, count: number): Promise<Traffic> {
    const senders = await Promise.all(Array.from({ length: count }, () => sendingClient(node)));
    for (const sender of senders) sender.stream.start();
    return new Traffic(senders);
  }

  acked(): number {
    return this.senders.reduce((n, s) => n + s.stream.acked.length, 0);
  }

  failures(): { code: string }[] {
    return this.senders.flatMap((s) => s.stream.failures);
  }

  async waitFor(what: 'acked' | 'failures', count: number, label: string): Promise<void> {
    const now = () => (what === 'acked' ? this.acked() : this.failures().length);
    await waitFor(() => now() >= count, {
      timeoutMs: FAULT_WAIT_MS,
      label: `${label} (${this.acked()} acknowledged, ${this.failures().length} failed)`,
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.senders.map((s) => s.stream.stop()));
  }

  /** Acknowledged messages not in history with the seq and id they were acknowledged with. */
  async lost(node: FaultNode): Promise<number> {
    let lost = 0;
    for (const { room, stream } of this.senders) {
      const stored = await fullHistory(node, room);
      const byClientId = new Map(stored.map((m) => [m.clientMsgId, m]));
      lost += stream.acked.filter((ack) => {
        const found = byClientId.get(ack.clientMsgId);
        return found === undefined || found.seq !== ack.seq || found.id !== ack.id;
      }).length;
      expect(new Set(stored.map((m) => m.clientMsgId)).size, 'no message stored twice').toBe(stored.length);
      expect(
        stored.map((m) => m.seq),
        'seqs gapless',
      ).toEqual(stored.map((_, i) => i + 1));
    }
    return lost;
  }
}

/**
 * The one scenario of every storage fault: traffic flows (`senders` clients sending at once); `inject` starts
 * the fault; sends are refused with `unavailable` and /readyz turns 503; `heal` ends the fault; /readyz turns
 * 200 and sends are acknowledged again; afterwards every acknowledged message is in history, once, with the
 * seq it was acknowledged with.
 */
export async function runStorageFault(
  node: FaultNode,
  fault: { inject(): Promise<void>; heal(): Promise<void> },
  senders = 1,
): Promise<FaultMeasure> {
  const traffic = await Traffic.start(node, senders);
  let measure: FaultMeasure;
  try {
    await traffic.waitFor('acked', 10 * senders, 'traffic before the fault');
    const failuresBefore = traffic.failures().length;
    const injected = Date.now();
    await fault.inject();
    await waitFor(async () => (await readyStatus(node)) === 503, {
      timeoutMs: FAULT_WAIT_MS,
      label: '/readyz 503 during the fault',
    });
    const detectMs = Date.now() - injected;
    // /readyz may first fail on its own ping (PostgreSQL); the health part marks storage as soon as a write fails.
    await waitFor(async () => (await metricValue(node, 'parley_storage_healthy')) === 0, {
      timeoutMs: FAULT_WAIT_MS,
      label: 'parley_storage_healthy 0 during the fault',
    });
    expect(await readyBody(node), '/readyz says why').toMatchObject({
      error: { code: 'unavailable', details: { reason: expect.stringContaining('Storage cannot commit') } },
    });
    await traffic.waitFor('failures', failuresBefore + 5, 'sends refused during the fault');
    const healed = Date.now();
    await fault.heal();
    await waitFor(async () => (await readyStatus(node)) === 200, {
      timeoutMs: FAULT_WAIT_MS,
      label: '/readyz 200 after the fault',
    });
    const recoverMs = Date.now() - healed;
    expect(await metricValue(node, 'parley_storage_healthy'), 'the health metric after the fault').toBe(1);
    await traffic.waitFor('acked', traffic.acked() + 10 * senders, 'sends acknowledged after the fault');
    // Every failure counts for the codes: none is expected before the fault either.
    const failures = traffic.failures();
    measure = {
      detectMs,
      recoverMs,
      refused: failures.length - failuresBefore,
      acked: 0,
      lost: 0,
      codes: [...new Set(failures.map((f) => f.code))],
    };
  } finally {
    await traffic.stop();
  }
  return { ...measure, acked: traffic.acked(), lost: await traffic.lost(node) };
}

/** The path of better-sqlite3, for child processes that open the node's database as an outside tool would. */
export const SQLITE_DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

export interface OutsideSqlite {
  child: ChildProcess;
  /** Ends what the child holds (COMMIT) and waits for it to exit. */
  release(): Promise<void>;
}

/**
 * Another process on the same database file: it runs `begin` (e.g. `BEGIN EXCLUSIVE`, or `BEGIN` and a read),
 * says so, holds it until released, then commits and exits.
 */
export async function holdInOtherProcess(path: string, begin: string[]): Promise<OutsideSqlite> {
  const script = `
    const Database = require(${JSON.stringify(SQLITE_DRIVER)});
    const db = new Database(${JSON.stringify(path)});
    db.pragma('busy_timeout = 10000');
    for (const sql of ${JSON.stringify(begin)}) db.prepare(sql)[sql.trim().toUpperCase().startsWith('SELECT') ? 'get' : 'run']();
    process.stdout.write('holding\\n');
    process.stdin.once('data', () => {
      db.exec('COMMIT');
      db.close();
      process.exit(0);
    });
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('holding\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the outside process exited (${code}) before holding`)));
  });
  return {
    child,
    async release() {
      if (child.exitCode === null) child.stdin.write('go\n');
      await exited;
    },
  };
}
