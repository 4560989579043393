import type { EngineConfig } from '../engine/config.js';

/** Everything a server is started with; see src/config/load.ts for the sources (flags > env > file). */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** The admin key from PARLEY_ADMIN_KEY; when null one is generated on first start and kept in dataDir. */
  adminKey: string | null;
  /** Server-wide allowed browser origins; null allows any. Apps can narrow this, never widen it. */
  allowedOrigins: string[] | null;
  /**
   * Reverse proxies whose X-Forwarded-For names the client (addresses, CIDRs, or loopback, linklocal,
   * uniquelocal); empty: the peer's own address is the client's.
   */
  trustedProxies: string[];
  /** Open connections one client address may hold on this node (loopback peers are not counted). */
  connectionsPerAddress: number;
  /** New connections one client address may open a second on this node, in bursts of five seconds' worth. */
  newConnectionsPerAddressPerSecond: number;
  /** New connections this node accepts a second from everyone, in bursts of five seconds' worth. */
  newConnectionsPerSecond: number;
  /**
   * Requests one client address may make a minute to the HTTP sign-in routes, across the cluster when it runs
   * with Redis (a coarse cap in front of the per-account and per-address sign-in limits; loopback exempt).
   */
  authRequestsPerAddressPerMinute: number;
  /** Largest inbound frame (bytes) on any WebSocket or socket.io connection. */
  maxFrameBytes: number;
  /** Ping interval; a connection that misses a pong within one more interval is dropped. */
  heartbeatMs: number;
  /** A connection that has not authenticated within this time is closed (auth_timeout). */
  authTimeoutMs: number;
  /** An HTTP request or upgrade whose headers are not all in within this time is cut off. */
  headersTimeoutMs: number;
  /** An HTTP request (headers and body) that is not all in within this time is cut off. */
  requestTimeoutMs: number;
  /** An idle kept-alive HTTP connection is closed after this time. */
  keepAliveTimeoutMs: number;
  /** A graceful shutdown (the CLI's SIGTERM or SIGINT) that takes longer is cut short. */
  shutdownTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SQLite synchronous mode: NORMAL survives a process crash; FULL also survives power loss. */
  sqliteSynchronous: 'NORMAL' | 'FULL';
  /** Where SQLite message appends run: a worker thread with group commit, or inline on the event loop. */
  sqliteWriter: 'worker' | 'inline';
  /** PostgreSQL instead of SQLite (cluster mode); null for the embedded default. */
  databaseUrl: string | null;
  /** The PostgreSQL schema for Parley's tables; null for the connection's default (public). */
  databaseSchema: string | null;
  /** The Redis bus between nodes instead of the in-process one; null for a single node. */
  redisUrl: string | null;
  /**
   * For tests only, and set only in code (no flag, variable or file key): link previews may fetch from
   * loopback and private addresses, so that tests can preview pages of their own servers. Never set it on a
   * server that others use: it opens the server's network to anyone who can post a link.
   */
  linkPreviewsAllowPrivateAddresses?: boolean;
  /** S3-compatible storage for uploaded files (docs/attachments.md); the bucket null: the data directory. */
  s3Bucket: string | null;
  s3Endpoint: string | null;
  s3Region: string;
  s3AccessKeyId: string | null;
  s3SecretAccessKey: string | null;
  s3ForcePathStyle: boolean;
  engine: EngineConfig;
}
