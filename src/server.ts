import { randomBytes } from 'node:crypto';
import { HttpGuestVerifier } from './auth/guestVerifier.js';
import { HttpSiteCaller } from './outbound/siteCaller.js';
import { HttpLinkPreviewer } from './outbound/linkPreviewer.js';
import { openFileStore } from './files/open.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Server as SocketIoServer } from 'socket.io';
import { Authenticator } from './auth/authenticator.js';
import { passwordHashesComputed } from './auth/passwords.js';
import { createLocalBus } from './bus/local.js';
import { createRedisBus } from './bus/redis.js';
import { LocalCounters } from './bus/localCounters.js';
import { createRedisCounters } from './bus/redisCounters.js';
import type { Counters } from './engine/ports/counters.js';
import type { Redis } from 'ioredis';
import type { Bus } from './engine/ports/bus.js';
import type { ServerConfig } from './config/types.js';
import { isOriginAllowed, isOwnOrigin } from './core/apps.js';
import { systemClock, type Clock } from './core/clock.js';
import { ParleyError } from './core/errors.js';
import type { EngineApi } from './engine/api.js';
import { createEngine } from './engine/engine.js';
import { attachNativeSocketIo } from './gateways/native/socketio.js';
import { createNativeWsGateway } from './gateways/native/ws.js';
import { DIALECTS } from './gateways/dialects.js';
import type { GatewayDeps, SocketIoAttachment, WsGatewayFactory } from './gateways/types.js';
import { attachUpgradeRouter } from './gateways/upgrade.js';
import { cutOffClosedTransports } from './gateways/kernel/engineIo.js';
import { CLOSE_HANDSHAKE_GRACE_MS } from './gateways/wsHost.js';
import { buildHttpApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { createLogger, type Logger } from './log.js';
import { openPostgresStore } from './store/postgres/index.js';
import { openSqliteStore } from './store/sqlite/index.js';
import type { Store } from './engine/ports/store.js';
import { connectionGate, isPollingHandshake } from './gateways/connectionAdmission.js';

export interface RunningServer {
  /** Where clients reach the server, e.g. http://127.0.0.1:3000 (localhost when bound to every interface). */
  url: string;
  /** The bound port (the real one when the config asked for port 0). */
  port: number;
  adminKey: string;
  engine: EngineApi;
  /**
   * The HTTP server the API, socket.io and the WebSocket gateways are attached to. Without `listen`, it never
   * listens: library mode (src/library.ts) emits the host server's requests and upgrades on it.
   */
  httpServer: HttpServer;
  /** Graceful stop: refuse new connections, close every connection with `shutdown`, flush, close storage. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Defaults to a new logger at config.logLevel. */
  logger?: Logger;
  /** Defaults to the system clock; tests move time with their own. */
  clock?: Clock;
  /** False: do not listen (library mode); `url` is then empty and `port` 0. Default true. */
  listen?: boolean;
  /**
   * The path the server is reached under (library mode's prefix, `/chat`); the URLs it hands out (file links)
   * start with it. Default '' (the root).
   */
  pathPrefix?: string;
}

/** The upgrade router tries these in order; the first whose path matches gets the connection. */
export const WS_GATEWAYS: readonly WsGatewayFactory[] = [
  createNativeWsGateway,
  ...DIALECTS.flatMap((d) => (d.ws ? [d.ws] : [])),
];
export const SOCKET_IO_ATTACHMENTS: readonly SocketIoAttachment[] = [
  attachNativeSocketIo,
  ...DIALECTS.flatMap((d) => (d.socketIo ? [d.socketIo] : [])),
];

export const DB_FILE = 'parley.db';
export const ADMIN_KEY_FILE = 'admin.key';

/**
 * The admin key: from the config, else from `admin.key` in the data directory, else a new one written there
 * (mode 0600). `generated` is true only on the start that created it.
 */
export async function resolveAdminKey(config: ServerConfig): Promise<{ key: string; generated: boolean }> {
  if (config.adminKey !== null) return { key: config.adminKey, generated: false };
  const file = join(config.dataDir, ADMIN_KEY_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length > 0) return { key: stored, generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(24).toString('base64url');
  // 'w' rather than 'wx': an empty file left by an interrupted first start is replaced.
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'w' });
  return { key, generated: true };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Start Parley: storage, engine, HTTP API, socket.io and the plain WebSocket gateways on one port. */
export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const { key: adminKey, generated } = await resolveAdminKey(config);
  if (generated) {
    // Not through the logger: the logger would redact it, and it must never be in a log.
    // On stderr, apart from the JSON log lines of stdout, and marked: it is for the person starting Parley.
    process.stderr.write(
      `parley admin key: ${adminKey} (shown only this once; saved in ${join(config.dataDir, ADMIN_KEY_FILE)})\n`,
    );
  }

  const store = await openStore(config, logger);
  const bus = openBus(config, logger);
  const clock = opts.clock ?? systemClock;
  const counters = openCounters(config, logger, clock);
  const cleanups: (() => Promise<void>)[] = [() => store.close(), () => bus.close(), () => counters.close()];
  const cleanUp = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        logger.error({ err }, 'cleanup after a failed start failed');
      }
    }
  };

  try {
    const files = openFileStore(config, adminKey);
    cleanups.push(async () => files.close());
    const metrics = createMetrics();
    const authenticator = new Authenticator({
      directory: store.directory,
      clock,
      tokenTtlSeconds: config.engine.tokenTtlSeconds,
      guestTokenTtlSeconds: config.engine.guestTokenTtlSeconds,
      revocations: store.tokens,
    });
    const engine = createEngine({
      store,
      bus,
      clock,
      logger: logger.child({ component: 'engine' }),
      metrics: metrics.engine,
      config: config.engine,
      authenticator,
      counters,
      guestVerifier: new HttpGuestVerifier(),
      siteCaller: new HttpSiteCaller(),
      linkPreviewer: new HttpLinkPreviewer({
        allowPrivateAddresses: config.linkPreviewsAllowPrivateAddresses === true,
      }),
      files: { store: files.store, urlKey: files.urlKey, urlPrefix: opts.pathPrefix ?? '' },
    });
    cleanups.push(async () => void (await engine.shutdown()));
    await engine.bootstrap();
    metrics.watchStorage(() => engine.storageHealth());
    metrics.watchPasswordHashes(passwordHashesComputed);

    let ready = false;
    const app = buildHttpApp({
      engine,
      config,
      logger,
      adminKey,
      redis: counters.client,
      registry: metrics.registry,
      live: metrics.live,
      // /readyz: ready once listening, not while shutting down, and only while storage can commit and answers.
      ready: async () => {
        if (!ready) throw new ParleyError('unavailable', 'The server is starting or shutting down');
        const storage = engine.storageHealth();
        if (!storage.healthy) {
          // The driver's own text (storage.reason) may name hosts and paths: it goes to the log, not to callers.
          const since = new Date(storage.since).toISOString();
          throw new ParleyError('unavailable', `Storage cannot commit (since ${since}); probing`);
        }
        await store.ping();
      },
    });
    cleanups.push(() => app.close());

    const originAllowed = (origin: string | undefined) =>
      isOriginAllowed(origin, config.allowedOrigins, null);
    const gate = connectionGate(config);
    const io = new SocketIoServer(app.server, {
      maxHttpBufferSize: config.maxFrameBytes,
      pingInterval: config.heartbeatMs,
      pingTimeout: config.heartbeatMs,
      // An engine.io session that never joins a namespace is closed like a connection that never signs in.
      connectTimeout: config.authTimeoutMs,
      destroyUpgrade: false,
      serveClient: false,
      cors: {
        origin: (origin, callback) => callback(null, originAllowed(origin)),
      },
      allowRequest: (req, callback) => {
        // A long-polling handshake from Parley's own pages: same-origin, as in the upgrade router.
        if (isOwnOrigin(req.headers.origin, req.headers.host)) delete req.headers.origin;
        const allowed = originAllowed(req.headers.origin);
        if (!allowed)
          logger.info({ origin: req.headers.origin }, 'socket.io connection refused: origin not allowed');
        if (!allowed) return callback('origin_not_allowed', false);
        // WebSocket upgrades were admitted by the router; a long-polling handshake is held to the rates here.
        const refused = isPollingHandshake(req) ? gate.refusesPolling(req) : null;
        callback(refused, refused === null);
      },
    });
    cleanups.push(() => io.close());
    cutOffClosedTransports(io.engine, CLOSE_HANDSHAKE_GRACE_MS);

    const deps: GatewayDeps = { engine, config, logger };
    for (const dialect of DIALECTS) dialect.http?.(app, deps);
    const socketIoProtocols = SOCKET_IO_ATTACHMENTS.map((attach) => attach(io, deps));
    const wsGateways = WS_GATEWAYS.map((create) => create(deps));
    // engine.io's upgrade listener answers a refused upgrade with 400; the router checks the Origin first
    // (403, as everywhere else) and hands engine.io the rest.
    const engineIoUpgrades = app.server.listeners('upgrade') as ((...args: unknown[]) => void)[];
    for (const listener of engineIoUpgrades) app.server.off('upgrade', listener);
    const router = attachUpgradeRouter(app.server, {
      gateways: wsGateways,
      allowedOrigins: config.allowedOrigins,
      logger,
      gate,
      passthrough: (req, socket, head) => {
        for (const listener of engineIoUpgrades) listener.call(app.server, req, socket, head);
      },
    });
    cleanups.push(async () => {
      router.detach();
      await Promise.allSettled([...wsGateways, ...socketIoProtocols].map((g) => g.close()));
    });

    let port = 0;
    let url = '';
    if (opts.listen === false) {
      await app.ready();
      ready = true;
      logger.info('parley started (library mode)');
    } else {
      await app.listen({ port: config.port, host: config.host });
      port = (app.server.address() as AddressInfo).port;
      url = `http://${urlHost(config.host)}:${port}`;
      ready = true;
      logger.info({ port, host: config.host }, 'parley started');
    }

    let closing: Promise<void> | null = null;
    const close = () => {
      closing ??= (async () => {
        const started = Date.now();
        const failedSteps: string[] = [];
        const step = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
          try {
            return await fn();
          } catch (err) {
            failedSteps.push(name);
            logger.error({ err, step: name }, 'shutdown step failed');
            return undefined;
          }
        };
        logger.info('parley shutting down');
        ready = false;
        // 1. Stop accepting: no new TCP connections, no new upgrades on kept-alive ones.
        router.stopAccepting();
        app.server.close();
        app.server.closeIdleConnections();
        // 2. Every connection is told `shutdown` (1001 / disconnect_reason) by its gateway.
        await step('gateways', () =>
          Promise.all([...wsGateways, ...socketIoProtocols].map((gateway) => gateway.close())),
        );
        // 3. The engine ends what is left and waits for pending writes.
        const drained = await step('engine', () => engine.shutdown());
        await step('socket.io', () => io.close());
        router.detach();
        // 4. HTTP, then storage last: nothing writes after this.
        await step('http', () => app.close());
        await step('bus', () => bus.close());
        await step('counters', () => counters.close());
        await step('store', () => store.close());
        // The last line: what the stop drained, how long it took, and what went wrong on the way.
        logger.info({ ...drained, failedSteps, ms: Date.now() - started }, 'parley stopped');
      })();
      return closing;
    };

    return { url, port, adminKey, engine, httpServer: app.server, close };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** How often the SQLite WAL is checkpointed in the background. */
const CHECKPOINT_INTERVAL_MS = 1000;

/** PostgreSQL when a database URL is set (cluster mode), else SQLite in the data directory. */
async function openStore(config: ServerConfig, logger: Logger): Promise<Store> {
  if (config.databaseUrl) {
    return openPostgresStore({
      connectionString: config.databaseUrl,
      ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
    });
  }
  return openSqliteStore({
    path: join(config.dataDir, DB_FILE),
    synchronous: config.sqliteSynchronous,
    backgroundCheckpointMs: CHECKPOINT_INTERVAL_MS,
    onCheckpointError: (message) => logger.warn({ err: message }, 'sqlite background checkpoint failed'),
    writer: config.sqliteWriter,
    onWriterError: (err) => logger.error({ err }, 'sqlite message writer stopped; restarting it'),
  });
}

/** The Redis bus when a Redis URL is set (cluster mode), else the in-process one. */
function openBus(config: ServerConfig, logger: Logger): Bus & { close(): Promise<void> } {
  if (config.redisUrl)
    return createRedisBus({ url: config.redisUrl, logger: logger.child({ component: 'bus' }) });
  return { ...createLocalBus(), close: async () => {} };
}

/**
 * Where limits are counted: Redis, shared by the cluster, when a Redis URL is set (so that a user spread over
 * several nodes has the budget of one), else this node's memory.
 */
function openCounters(
  config: ServerConfig,
  logger: Logger,
  clock: Clock,
): Counters & { client: Redis | null; close(): Promise<void> } {
  if (config.redisUrl)
    return createRedisCounters({
      url: config.redisUrl,
      clock,
      logger: logger.child({ component: 'limits' }),
    });
  const local = new LocalCounters(clock);
  return Object.assign(local, { client: null, close: async () => {} });
}
