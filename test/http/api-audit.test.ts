/**
 * The admin API's audit trail: every mutating admin route declares its action (enumerated, so that a new route
 * cannot forget), a success is recorded with the actor, the address and the bounded, secret-free changes, a
 * failure is not, and both listings page newest first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiRoutes } from '../../src/http/app.js';
import type { EngineAdmin } from '../../src/engine/api.js';
import { createHttpHarness, bodyOf, type HttpHarness } from './harness.js';
import { Registry } from 'prom-client';

const entry = z.object({
  id: z.number(),
  appId: z.number().nullable(),
  at: z.number(),
  actor: z.string(),
  address: z.string().nullable(),
  action: z.string(),
  changes: z.record(z.string(), z.unknown()),
});
const page = z.strictObject({ entries: z.array(entry), nextCursor: z.number().nullable() });

describe('every mutating admin route declares its audit action', () => {
  const routes = apiRoutes({
    engine: {} as EngineAdmin,
    ready: async () => {},
    registry: new Registry(),
  });

  it('admin routes that change something have an action; reads have none', () => {
    const mutating = routes.filter((r) => r.auth === 'admin' && r.method !== 'GET');
    expect(mutating.length).toBeGreaterThan(15);
    for (const route of mutating) {
      expect(route.audit, `${route.method} ${route.url} declares an audit action`).toMatch(
        /^[a-z]+\.[a-z_]+$/,
      );
    }
    for (const route of routes.filter((r) => r.method === 'GET')) {
      expect(route.audit, `${route.method} ${route.url} is a read`).toBeUndefined();
    }
  });

  it('action names are unique', () => {
    const names = routes.flatMap((r) => (r.audit === undefined ? [] : [r.audit]));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('the audit trail', () => {
  let h: HttpHarness;
  beforeEach(async () => {
    h = await createHttpHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function trail(url = '/api/v1/apps/1/audit') {
    const res = await h.call('GET', url, { admin: true });
    expect(res.statusCode).toBe(200);
    return bodyOf(res, page);
  }

  it('records a change with the operator, the address and its fields, never a secret', async () => {
    const created = await h.call('POST', '/api/v1/apps/1/users', {
      admin: true,
      body: { username: 'alice', password: 'correct horse battery', role: 'mod' },
    });
    expect(created.statusCode).toBe(201);
    const issued = await h.call('POST', '/api/v1/apps/1/tokens', {
      admin: true,
      body: { username: 'alice' },
    });
    const token = (issued.json() as { token: string; tokenId: string }).token;

    const { entries } = await trail();
    expect(entries.map((e) => e.action)).toEqual(['token.issue', 'user.create']);
    const [issue, create] = entries;
    expect(create).toMatchObject({
      appId: 1,
      actor: 'operator',
      address: '127.0.0.1',
      changes: { username: 'alice', password: '[redacted]', role: 'mod' },
    });
    expect(issue?.changes).toEqual({ username: 'alice' });
    expect(JSON.stringify(entries)).not.toContain('correct horse');
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it('records path parameters (a revoked token id) but not the app, and not failures', async () => {
    await h.engine.createUser(1, { username: 'bob' });
    const { tokenId } = await h.engine.issueToken(1, 'bob');
    const revoked = await h.call('DELETE', `/api/v1/apps/1/tokens/${tokenId}`, { admin: true });
    expect(revoked.statusCode).toBe(204);
    const missing = await h.call('DELETE', `/api/v1/apps/1/tokens/${tokenId}`, { admin: true });
    expect(missing.statusCode).toBe(404);
    const refused = await h.call('POST', '/api/v1/apps/1/users', { body: { username: 'eve' } });
    expect(refused.statusCode).toBe(401);

    const { entries } = await trail();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'token.revoke', changes: { tokenId } });
  });

  it('an app created is a server-wide entry, listed with every app entry by /api/v1/audit', async () => {
    const app = await h.call('POST', '/api/v1/apps', { admin: true, body: { name: 'second' } });
    expect(app.statusCode).toBe(201);
    const appId = (app.json() as { id: number }).id;
    await h.call('PATCH', `/api/v1/apps/${appId}`, { admin: true, body: { name: 'renamed' } });

    expect((await trail()).entries).toEqual([]);
    expect((await trail(`/api/v1/apps/${appId}/audit`)).entries.map((e) => e.action)).toEqual(['app.update']);
    const all = await trail('/api/v1/audit');
    expect(all.entries.map((e) => [e.action, e.appId])).toEqual([
      ['app.update', appId],
      ['app.create', null],
    ]);
    expect(all.entries[1]?.changes).toEqual({ name: 'second' });
  });

  it('pages newest first with before and limit', async () => {
    for (const name of ['r1', 'r2', 'r3', 'r4', 'r5']) {
      const res = await h.call('POST', '/api/v1/apps/1/rooms', { admin: true, body: { name } });
      expect(res.statusCode).toBe(201);
    }
    const first = await trail('/api/v1/apps/1/audit?limit=2');
    expect(first.entries.map((e) => e.changes['name'])).toEqual(['r5', 'r4']);
    expect(first.nextCursor).not.toBeNull();
    const second = await trail(`/api/v1/apps/1/audit?limit=2&before=${first.nextCursor}`);
    expect(second.entries.map((e) => e.changes['name'])).toEqual(['r3', 'r2']);
    const last = await trail(`/api/v1/apps/1/audit?limit=2&before=${second.nextCursor}`);
    expect(last.entries.map((e) => e.changes['name'])).toEqual(['r1']);
    expect(last.nextCursor).toBeNull();
  });

  it('an unknown app is not_found, a bad limit bad_request, and the trail needs the admin key', async () => {
    expect((await h.call('GET', '/api/v1/apps/99/audit', { admin: true })).statusCode).toBe(404);
    expect((await h.call('GET', '/api/v1/apps/1/audit?limit=0', { admin: true })).statusCode).toBe(400);
    expect((await h.call('GET', '/api/v1/apps/1/audit')).statusCode).toBe(401);
    expect((await h.call('GET', '/api/v1/audit')).statusCode).toBe(401);
  });
});
