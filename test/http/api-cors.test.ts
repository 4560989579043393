import { afterEach, describe, expect, it } from 'vitest';
import { appIdOfPath } from '../../src/http/cors.js';
import { createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function preflight(harness: HttpHarness, url: string, origin: string, method = 'POST') {
  return harness.call('OPTIONS', url, {
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  });
}

describe('CORS', () => {
  it('allows any origin when the server list is null, reflecting it', async () => {
    h = await createHttpHarness({ allowedOrigins: null });
    const pre = await preflight(h, '/api/v1/apps/1/rooms', 'https://anywhere.example', 'PATCH');
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://anywhere.example');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('PATCH');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('DELETE');
    expect(String(pre.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    expect(pre.headers['access-control-max-age']).toBe('600');

    const get = await h.call('GET', '/api/v1/apps/1/rooms', {
      headers: { origin: 'https://anywhere.example' },
    });
    expect(get.statusCode).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe('https://anywhere.example');
    expect(String(get.headers['vary'])).toContain('Origin');
  });

  it('refuses an origin outside the server list with 403 origin_not_allowed, preflight included', async () => {
    h = await createHttpHarness({ allowedOrigins: ['https://good.example'] });
    const ok = await preflight(h, '/api/v1/apps', 'https://good.example');
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://good.example');

    const denied = await preflight(h, '/api/v1/apps', 'https://evil.example');
    expect(denied.statusCode).toBe(403);
    expect(errorOf(denied).code).toBe('origin_not_allowed');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();

    const get = await h.call('GET', '/api/v1/apps/1/rooms', { headers: { origin: 'https://evil.example' } });
    expect(get.statusCode).toBe(403);
    expect(errorOf(get).code).toBe('origin_not_allowed');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();

    // A public write is refused before it runs.
    const reg = await h.call('POST', '/api/v1/apps/1/register', {
      headers: { origin: 'https://evil.example' },
      body: { username: 'eve', password: 'eve-password' },
    });
    expect(reg.statusCode).toBe(403);
    await expect(h.engine.login(1, 'eve', 'eve-password')).rejects.toMatchObject({ code: 'unauthorized' });

    // No Origin (a server, curl): not a browser, not affected.
    expect((await h.call('GET', '/api/v1/apps/1/rooms')).statusCode).toBe(200);
  });

  it("narrows by the app's own allowedOrigins under /api/v1/apps/:app/", async () => {
    h = await createHttpHarness({
      allowedOrigins: ['https://shop.example', 'https://blog.example', 'https://admin.example'],
    });
    await h.call('PATCH', '/api/v1/apps/1', {
      admin: true,
      body: { settings: { allowedOrigins: ['https://shop.example'] } },
    });

    const shop = await preflight(h, '/api/v1/apps/1/register', 'https://shop.example');
    expect(shop.statusCode).toBe(204);
    expect(shop.headers['access-control-allow-origin']).toBe('https://shop.example');
    const blog = await preflight(h, '/api/v1/apps/1/register', 'https://blog.example');
    expect(blog.statusCode).toBe(403);
    expect(errorOf(blog).code).toBe('origin_not_allowed');
    const blogGet = await h.call('GET', '/api/v1/apps/1/rooms', {
      headers: { origin: 'https://blog.example' },
    });
    expect(blogGet.statusCode).toBe(403);
    // Percent-encoding the app id does not get around it.
    const encoded = await h.call('GET', '/api/v1/apps/%31/rooms', {
      headers: { origin: 'https://blog.example' },
    });
    expect(encoded.statusCode).toBe(403);

    // An app cannot widen the server's list.
    await h.call('PATCH', '/api/v1/apps/1', {
      admin: true,
      body: { settings: { allowedOrigins: ['https://shop.example', 'https://elsewhere.example'] } },
    });
    const wider = await h.call('GET', '/api/v1/apps/1/rooms', {
      headers: { origin: 'https://elsewhere.example' },
    });
    expect(wider.statusCode).toBe(403);

    // Other apps, and the app resource itself, follow the server list only (so the app can always be fixed).
    const app2 = (await h.engine.createApp({ name: 'two' })).id;
    expect(
      (await h.call('GET', `/api/v1/apps/${app2}/rooms`, { headers: { origin: 'https://blog.example' } }))
        .statusCode,
    ).toBe(200);
    const fix = await h.call('PATCH', '/api/v1/apps/1', {
      admin: true,
      headers: { origin: 'https://admin.example' },
      body: { settings: { allowedOrigins: null } },
    });
    expect(fix.statusCode).toBe(200);
    expect(
      (await h.call('GET', '/api/v1/apps/1/rooms', { headers: { origin: 'https://blog.example' } }))
        .statusCode,
    ).toBe(200);

    // An unknown app narrows nothing; the route answers not_found.
    expect(
      (await h.call('GET', '/api/v1/apps/999/rooms', { headers: { origin: 'https://blog.example' } }))
        .statusCode,
    ).toBe(404);
  });

  it('finds the app id of a path', () => {
    expect(appIdOfPath('/api/v1/apps/12/rooms?x=1')).toBe(12);
    expect(appIdOfPath('/api/v1/apps/%31%32/rooms')).toBe(12);
    expect(appIdOfPath('/api/v1/apps/12')).toBeNull();
    expect(appIdOfPath('/api/v1/apps')).toBeNull();
    expect(appIdOfPath('/api/v1/apps/0/rooms')).toBeNull();
    expect(appIdOfPath('/api/v1/apps/%E0%A4%A/rooms')).toBeNull();
  });
});
