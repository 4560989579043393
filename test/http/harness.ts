import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { z } from 'zod';
import { defaultConfig } from '../../src/config/load.js';
import type { ServerConfig } from '../../src/config/types.js';
import type { Engine } from '../../src/engine/engine.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { LiveStats } from '../../src/http/liveStats.js';
import { createTestEngine, type TestEngine } from '../helpers/engine.js';

export const ADMIN_KEY = 'http-test-admin-key-0123456789';
export const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` } as const;

export interface HttpHarness {
  app: FastifyInstance;
  engine: Engine;
  testEngine: TestEngine;
  config: ServerConfig;
  /** inject() with a JSON body, optionally as the admin. */
  call(method: InjectOptions['method'], url: string, opts?: CallOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  admin?: boolean;
  headers?: Record<string, string>;
}

export interface HarnessOptions {
  allowedOrigins?: string[] | null;
  ready?: () => Promise<void>;
  registry?: Registry;
  /** The console's feed, as createMetrics() makes it. */
  live?: LiveStats;
  testEngine?: TestEngine;
  logger?: Logger;
  /** The built web assets to serve (default dist/web). */
  webRoot?: string;
  /** Server settings over the defaults. */
  config?: Partial<ServerConfig>;
  /** The cluster's Redis, as the composition passes it in cluster mode. */
  redis?: Redis;
}

/** The HTTP app as the composition builds it, on a real engine over in-memory SQLite; only inject(), no socket. */
export async function createHttpHarness(opts: HarnessOptions = {}): Promise<HttpHarness> {
  const testEngine = opts.testEngine ?? (await createTestEngine());
  const config: ServerConfig = {
    ...defaultConfig(),
    logLevel: 'silent',
    adminKey: ADMIN_KEY,
    allowedOrigins: opts.allowedOrigins === undefined ? null : opts.allowedOrigins,
    ...opts.config,
  };
  const app = buildHttpApp({
    engine: testEngine.engine,
    config,
    logger: opts.logger ?? pino({ level: 'silent' }),
    adminKey: ADMIN_KEY,
    registry: opts.registry ?? new Registry(),
    ready: opts.ready ?? (async () => {}),
    ...(opts.webRoot === undefined ? {} : { webRoot: opts.webRoot }),
    ...(opts.redis === undefined ? {} : { redis: opts.redis }),
    ...(opts.live === undefined ? {} : { live: opts.live }),
  });
  return {
    app,
    engine: testEngine.engine,
    testEngine,
    config,
    call: (method, url, callOpts = {}) => {
      const headers: Record<string, string> = { ...(callOpts.admin ? ADMIN : {}), ...callOpts.headers };
      const inject: InjectOptions = { method, url, headers };
      if (callOpts.body !== undefined) inject.payload = callOpts.body as InjectOptions['payload'];
      return app.inject(inject);
    },
    close: async () => {
      await app.close();
      await testEngine.close();
    },
  };
}

/** The JSON body parsed with a response schema: fails the test when the server answers something undocumented. */
export function bodyOf<T>(res: LightMyRequestResponse, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(res.json());
  if (!parsed.success) {
    throw new Error(`response does not match its schema: ${parsed.error.message}\n${res.body}`);
  }
  return parsed.data;
}

export interface ErrorJson {
  error: { code: string; status: number; message: string; details?: Record<string, unknown> };
}

export function errorOf(res: LightMyRequestResponse): ErrorJson['error'] {
  return (res.json() as ErrorJson).error;
}
