/**
 * Several engines in one process, as the nodes of a cluster: one shared in-memory SQLite store and the
 * in-process bus (whose intake validates every message as Redis's would). `engineCluster()` registers the
 * teardown with the test file's afterEach.
 */
import { afterEach } from 'vitest';
import { LocalBusHub } from '../../src/bus/local.js';
import type { Role } from '../../src/core/roles.js';
import type { Session } from '../../src/engine/api.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, RecordingSink, type TestEngine } from './engine.js';

export interface Connected {
  session: Session;
  sink: RecordingSink;
}

type EngineOptions = Omit<Parameters<typeof createTestEngine>[0] & object, 'store' | 'bus'>;

export interface EngineCluster {
  /**
   * `count` nodes on one fresh store; `options` as for createTestEngine (the heartbeat kept out of the way),
   * or a function of the node's index for options of each node's own.
   */
  start(count: number, options?: EngineOptions | ((index: number) => EngineOptions)): Promise<Engine[]>;
}

export function engineCluster(): EngineCluster {
  const nodes: TestEngine[] = [];
  let shared: Store | null = null;
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    await shared?.close();
    shared = null;
  });
  return {
    async start(count, options = {}) {
      const store = openSqliteStore({ path: ':memory:' });
      shared = store;
      const hub = new LocalBusHub();
      for (let i = 0; i < count; i++) {
        const own = typeof options === 'function' ? options(i) : options;
        const config = { clusterHeartbeatMs: 60_000, ...own.config };
        nodes.push(await createTestEngine({ ...own, store, bus: hub.connect(), config }));
      }
      return nodes.map((n) => n.engine);
    },
  };
}

/** An access token of `username` in app 1, creating the user (with `role`) the first time. */
export async function tokenOf(engine: Engine, username: string, role: Role = 'member'): Promise<string> {
  const existing = await engine.listUsers(1, { limit: 1000 });
  if (!existing.some((u) => u.username === username)) await engine.createUser(1, { username, role });
  return (await engine.issueToken(1, username)).token;
}

/** A native session of `username` (a user) or of a guest on `engine`, recording what it is told. */
export async function connect(
  engine: Engine,
  who: string | { user: string; role?: Role } | { guest: string },
): Promise<Connected> {
  const as = typeof who === 'string' ? { user: who } : who;
  const credentials =
    'guest' in as
      ? { kind: 'guest' as const, nickname: as.guest }
      : { kind: 'token' as const, token: await tokenOf(engine, as.user, as.role) };
  const principal = await engine.authenticate(1, credentials);
  const sink = new RecordingSink();
  return { session: engine.openSession(principal, sink, { transport: 'test', dialect: 'native' }), sink };
}
