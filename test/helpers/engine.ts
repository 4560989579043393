import pino, { type Logger } from 'pino';
import { Authenticator } from '../../src/auth/authenticator.js';
import { HttpGuestVerifier } from '../../src/auth/guestVerifier.js';
import { HttpSiteCaller } from '../../src/outbound/siteCaller.js';
import { createLocalBus } from '../../src/bus/local.js';
import { LocalCounters } from '../../src/bus/localCounters.js';
import type { Counters } from '../../src/engine/ports/counters.js';
import type { LinkPreviewer } from '../../src/engine/ports/linkPreviewer.js';
import type { Bus } from '../../src/engine/ports/bus.js';
import type { Clock } from '../../src/core/clock.js';
import type { Disconnect } from '../../src/core/disconnect.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../src/engine/config.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { SessionSink } from '../../src/engine/api.js';
import { noopMetrics, type EngineMetrics } from '../../src/engine/ports/metrics.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/engine/ports/store.js';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface TestEngine {
  engine: Engine;
  store: Store;
  clock: Clock;
  close(): Promise<void>;
}

/** A real engine on an in-memory SQLite store, bootstrapped (app 1 with its lobby). */
export async function createTestEngine(
  opts: {
    config?: Partial<EngineConfig>;
    clock?: Clock;
    bus?: Bus;
    store?: Store;
    logger?: Logger;
    counters?: Counters;
    metrics?: EngineMetrics;
    linkPreviewer?: LinkPreviewer;
  } = {},
): Promise<TestEngine> {
  const store = opts.store ?? openSqliteStore({ path: ':memory:' });
  const clock = opts.clock ?? { now: () => Date.now() };
  const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, presenceGraceMs: 0, ...opts.config };
  const engine = createEngine({
    store,
    bus: opts.bus ?? createLocalBus(),
    clock,
    logger: opts.logger ?? pino({ level: 'silent' }),
    metrics: opts.metrics ?? noopMetrics,
    config,
    counters: opts.counters ?? new LocalCounters(clock),
    guestVerifier: new HttpGuestVerifier(),
    siteCaller: new HttpSiteCaller(),
    ...(opts.linkPreviewer ? { linkPreviewer: opts.linkPreviewer } : {}),
    authenticator: new Authenticator({
      directory: store.directory,
      clock,
      tokenTtlSeconds: config.tokenTtlSeconds,
      guestTokenTtlSeconds: config.guestTokenTtlSeconds,
      revocations: store.tokens,
    }),
  });
  await engine.bootstrap();
  return {
    engine,
    store,
    clock,
    close: async () => {
      await engine.shutdown();
      if (!opts.store) await store.close();
    },
  };
}

/** A sink that records what it is given, for engine tests without a gateway. */
export class RecordingSink implements SessionSink {
  readonly events: EngineEvent[] = [];
  terminated: Disconnect | null = null;
  buffered = 0;
  private waiters: { match: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];

  deliver(event: EngineEvent): void {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  terminate(reason: Disconnect): void {
    this.terminated = reason;
  }

  /** The usernames told online (or offline) across the app-wide presence batches received, in order. */
  toldPresence(online: boolean): string[] {
    return this.of('online_changed').flatMap((e) => (online ? e.online : e.offline).map((u) => u.username));
  }

  /** Resolves with the presence batch that tells `username` online (or offline). */
  nextPresence(username: string, online: boolean): Promise<Extract<EngineEvent, { type: 'online_changed' }>> {
    return this.next('online_changed', (e) =>
      (online ? e.online : e.offline).some((u) => u.username === username),
    );
  }

  of<T extends EngineEvent['type']>(type: T): Extract<EngineEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  }

  /** Resolves with the first event (already received or still to come) that matches. */
  next<T extends EngineEvent['type']>(
    type: T,
    match: (e: Extract<EngineEvent, { type: T }>) => boolean = () => true,
  ): Promise<Extract<EngineEvent, { type: T }>> {
    const test = (e: EngineEvent): e is Extract<EngineEvent, { type: T }> =>
      e.type === type && match(e as never);
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) =>
      this.waiters.push({ match: test, resolve: resolve as (e: EngineEvent) => void }),
    );
  }
}

export type LogRecord = Record<string, unknown> & { level: number; msg: string };

/** A logger that keeps what it is given, so that a test can wait for a warning rather than sleep. */
export class LogRecorder {
  readonly records: LogRecord[] = [];
  readonly logger: Logger;
  private waiters: { match: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }[] = [];

  constructor() {
    this.logger = pino(
      { level: 'debug' },
      {
        write: (line: string) => {
          const record = JSON.parse(line) as LogRecord;
          this.records.push(record);
          this.waiters = this.waiters.filter((w) => {
            if (!w.match(record)) return true;
            w.resolve(record);
            return false;
          });
        },
      },
    );
  }

  /** Resolves with the first record (already logged or still to come) whose message is `msg`. */
  next(msg: string, match: (r: LogRecord) => boolean = () => true): Promise<LogRecord> {
    const test = (r: LogRecord) => r.msg === msg && match(r);
    const seen = this.records.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match: test, resolve }));
  }
}
