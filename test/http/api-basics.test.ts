import { LocalCounters } from '../../src/bus/localCounters.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.js';
import { HttpGuestVerifier } from '../../src/auth/guestVerifier.js';
import { HttpSiteCaller } from '../../src/outbound/siteCaller.js';
import { createEngine } from '../../src/engine/engine.js';
import { createMetrics } from '../../src/http/metrics.js';
import { ADMIN_KEY, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('admin authentication', () => {
  it('refuses admin routes without the key, with a wrong key, or with another scheme', async () => {
    h = await createHttpHarness();
    const missing = await h.call('GET', '/api/v1/apps');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(errorOf(missing)).toMatchObject({ code: 'unauthorized', status: 401 });

    for (const authorization of [
      'Bearer wrong-key',
      `Bearer ${ADMIN_KEY}x`,
      `Bearer ${ADMIN_KEY.slice(0, -1)}`,
      `Basic ${ADMIN_KEY}`,
      ADMIN_KEY,
      'Bearer',
    ]) {
      const res = await h.call('GET', '/api/v1/apps', { headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(errorOf(res).code).toBe('unauthorized');
    }

    const ok = await h.call('GET', '/api/v1/apps', { headers: { authorization: `bearer ${ADMIN_KEY}` } });
    expect(ok.statusCode).toBe(200);
  });

  it('checks the key before validating the input', async () => {
    h = await createHttpHarness();
    const res = await h.call('POST', '/api/v1/apps/abc/users', { body: { nonsense: true } });
    expect(res.statusCode).toBe(401);
  });

  it('every admin route refuses a request without the key', async () => {
    h = await createHttpHarness();
    const adminRoutes: [string, string][] = [
      ['POST', '/api/v1/apps'],
      ['GET', '/api/v1/apps'],
      ['GET', '/api/v1/apps/1'],
      ['PATCH', '/api/v1/apps/1'],
      ['POST', '/api/v1/apps/1/users'],
      ['GET', '/api/v1/apps/1/users'],
      ['PATCH', '/api/v1/apps/1/users/bob'],
      ['POST', '/api/v1/apps/1/tokens'],
      ['POST', '/api/v1/apps/1/rooms'],
      ['PATCH', '/api/v1/apps/1/rooms/lobby'],
      ['DELETE', '/api/v1/apps/1/rooms/lobby'],
      ['POST', '/api/v1/apps/1/rooms/lobby/members'],
      ['GET', '/api/v1/apps/1/rooms/lobby/messages'],
      ['POST', '/api/v1/apps/1/rooms/lobby/messages'],
      ['DELETE', '/api/v1/apps/1/rooms/lobby/messages/1'],
      ['POST', '/api/v1/apps/1/mutes'],
      ['DELETE', '/api/v1/apps/1/mutes/bob'],
      ['GET', '/api/v1/apps/1/mutes'],
      ['POST', '/api/v1/apps/1/bans'],
      ['DELETE', '/api/v1/apps/1/bans/bob'],
      ['GET', '/api/v1/apps/1/bans'],
      ['POST', '/api/v1/apps/1/kicks'],
      ['GET', '/api/v1/apps/1/moderation'],
      ['GET', '/api/v1/apps/1/online'],
    ];
    for (const [method, url] of adminRoutes) {
      const res = await h.call(method as 'GET', url, {
        body: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    // The lobby is still there: nothing ran.
    expect((await h.engine.listRooms(1)).map((r) => r.name)).toEqual(['lobby']);
  });
});

describe('errors', () => {
  it('answers an unknown route with the catalogue not_found body', async () => {
    h = await createHttpHarness();
    const res = await h.call('GET', '/api/v1/nothing-here?x=1');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'not_found', status: 404, message: 'No route GET /api/v1/nothing-here' },
    });
  });

  it('refuses a body over 64 KiB with 413', async () => {
    h = await createHttpHarness();
    const res = await h.call('POST', '/api/v1/apps', { admin: true, body: { name: 'x'.repeat(70 * 1024) } });
    expect(res.statusCode).toBe(413);
    expect(errorOf(res)).toMatchObject({ code: 'frame_too_large', status: 413 });
  });

  it('refuses malformed JSON, a wrong content type, a missing body and unknown query parameters', async () => {
    h = await createHttpHarness();
    const badJson = await h.call('POST', '/api/v1/apps', {
      admin: true,
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.statusCode).toBe(400);
    expect(errorOf(badJson).code).toBe('bad_request');

    const text = await h.call('POST', '/api/v1/apps', {
      admin: true,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.statusCode).toBe(400);
    expect(errorOf(text).code).toBe('bad_request');

    const noBody = await h.call('POST', '/api/v1/apps', { admin: true });
    expect(noBody.statusCode).toBe(400);
    expect(errorOf(noBody).details).toMatchObject({ field: 'body' });

    const query = await h.call('GET', '/api/v1/apps?foo=1', { admin: true });
    expect(query.statusCode).toBe(400);
    expect(errorOf(query).details).toMatchObject({ field: 'foo', location: 'query' });

    const proto = await h.call('POST', '/api/v1/apps', {
      admin: true,
      body: '{"name":"x","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(proto.statusCode).toBe(400);
  });

  it('answers a URL the router cannot decode with bad_request', async () => {
    h = await createHttpHarness();
    const res = await h.call('GET', '/api/v1/apps/1/rooms/%E0%A4%A/messages', { admin: true });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('bad_request');
  });

  it('validates :app as a positive integer', async () => {
    h = await createHttpHarness();
    for (const app of ['0', '-1', 'abc', '1.5', '01', '1e3', '9999999999']) {
      const res = await h.call('GET', `/api/v1/apps/${app}`, { admin: true });
      expect(res.statusCode, app).toBe(400);
      expect(errorOf(res)).toMatchObject({
        code: 'bad_request',
        details: { field: 'app', location: 'params' },
      });
    }
    const missing = await h.call('GET', '/api/v1/apps/12345', { admin: true });
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).code).toBe('not_found');
  });

  it('logs no request at info', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    h = await createHttpHarness({ logger });
    await h.call('GET', '/api/v1/apps', { admin: true });
    expect(lines).toEqual([]);
  });

  it('answers 500 internal without the error text when the engine fails unexpectedly', async () => {
    h = await createHttpHarness();
    h.engine.listApps = async () => {
      throw new Error('secret database detail');
    };
    const res = await h.call('GET', '/api/v1/apps', { admin: true });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal', status: 500, message: 'Internal error' } });
  });
});

describe('logging', () => {
  it('never logs the Authorization header nor request bodies, whatever serializers the logger has', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace', serializers: { req: pino.stdSerializers.req } },
      { write: (line: string) => void lines.push(line) },
    );
    h = await createHttpHarness({ logger });
    await h.call('POST', '/api/v1/apps/1/register', {
      body: { username: 'logged', password: 'hunter2-secret' },
    });
    await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
      admin: true,
      body: { username: 'logged', text: 'private words' },
    });
    await h.call('GET', '/api/v1/apps?token=leaked-token', { admin: true });
    const log = lines.join('\n');
    // One line per request, at debug (20), with its method, URL and status.
    const requests = lines
      .map((l) => JSON.parse(l) as { msg: string; level: number })
      .filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(3);
    expect(requests.every((l) => l.level === 20)).toBe(true);
    expect(log).toContain('"statusCode":201');
    expect(log).toContain('/api/v1/apps/1/register');
    expect(log).not.toContain(ADMIN_KEY);
    expect(log).not.toContain('hunter2-secret');
    expect(log).not.toContain('private words');
    expect(log).not.toContain('leaked-token');
  });
});

describe('health, readiness and metrics', () => {
  it('/healthz is always ok', async () => {
    h = await createHttpHarness({ ready: () => Promise.reject(new Error('not yet')) });
    const res = await h.call('GET', '/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz follows ready()', async () => {
    let ready = false;
    h = await createHttpHarness({
      ready: async () => {
        if (!ready) throw new Error('starting');
      },
    });
    const down = await h.call('GET', '/readyz');
    expect(down.statusCode).toBe(503);
    expect(errorOf(down)).toMatchObject({ code: 'unavailable', status: 503 });
    ready = true;
    const up = await h.call('GET', '/readyz');
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ status: 'ok' });
  });

  it('/metrics serves the parley_ metrics and the default ones in the Prometheus text format', async () => {
    const metrics = createMetrics();
    h = await createHttpHarness({ registry: metrics.registry });
    // An engine that reports into these metrics, as the composition wires it.
    const { store } = h.testEngine;
    const clock = { now: () => Date.now() };
    const engine = createEngine({
      store,
      bus: { publish: () => {}, onMessage: () => {}, subscribe: async () => {}, unsubscribe: () => {} },
      clock,
      logger: pino({ level: 'silent' }),
      metrics: metrics.engine,
      config: h.engine.config,
      counters: new LocalCounters(clock),
      guestVerifier: new HttpGuestVerifier(),
      siteCaller: new HttpSiteCaller(),
      authenticator: new Authenticator({
        directory: store.directory,
        clock,
        tokenTtlSeconds: 3600,
        guestTokenTtlSeconds: 3600,
      }),
    });
    metrics.engine.sessionOpened('ws', 'native');
    metrics.engine.fanoutLatency(3);
    metrics.engine.slowConsumerDisconnected();
    let hashes = 0;
    metrics.watchPasswordHashes(() => hashes);
    hashes = 3;
    await engine.publish(1, 'lobby', { username: 'metrics-bot', text: 'hello' });

    const res = await h.call('GET', '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/^parley_connections\{transport="ws",dialect="native"\} 1$/m);
    expect(text).toMatch(/^parley_messages_in_total 1$/m);
    expect(text).toMatch(/^parley_messages_out_total \d+$/m);
    expect(text).toMatch(/^parley_slow_consumers_total 1$/m);
    expect(text).toMatch(/^parley_password_hashes_total 3$/m);
    expect(text).toMatch(/^parley_fanout_latency_seconds_bucket\{le="0.005"\} [12]$/m);
    expect(text).toMatch(/^parley_send_ack_latency_seconds_count 1$/m);
    for (const stat of ['p50', 'p99', 'max']) {
      expect(text).toMatch(new RegExp(`^parley_event_loop_delay_${stat}_seconds [0-9.e-]+$`, 'm'));
    }
    // A quantile label belongs to summaries only (Prometheus' own lint).
    expect(text).not.toMatch(/^parley_\w+\{[^}]*quantile=/m);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_cpu_user_seconds_total');
    await engine.shutdown();
  });

  it('each createMetrics() has its own registry', () => {
    const a = createMetrics();
    const b = createMetrics();
    expect(a.registry).not.toBe(b.registry);
    expect(a.registry).toBeInstanceOf(Registry);
    a.engine.messageIn(1, 'lobby');
    a.engine.sessionOpened('socketio', 'native');
    a.engine.sessionClosed('socketio', 'native');
  });
});
