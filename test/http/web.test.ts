/** The web assets (widget, demo page, admin console) as the server serves them from dist/web. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CSP, IMMUTABLE, REVALIDATE } from '../../src/http/routes/web.js';
import { makeTempDir } from '../helpers/server.js';
import { createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let root: string;
let h: HttpHarness | null = null;

beforeAll(async () => {
  root = await makeTempDir('parley-web-');
  await mkdir(join(root, 'demo'));
  await mkdir(join(root, 'admin'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'widget.js'), '(function(){})();\n//# sourceMappingURL=widget.js.map\n');
  await writeFile(join(root, 'widget.js.map'), '{"version":3}');
  await writeFile(join(root, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
  await writeFile(join(root, 'admin', 'index.html'), '<!doctype html><title>admin</title>');
  await writeFile(join(root, 'assets', 'admin-Ab12_x.js'), 'export {};');
  await writeFile(join(root, 'assets', 'demo-Cd34.css'), 'body{}');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  await h?.close();
  h = null;
});

describe('web assets', () => {
  it('serves the widget, the pages and hashed assets with their types and caching', async () => {
    h = await createHttpHarness({ webRoot: root });
    const cases: [string, string, string][] = [
      ['/widget.js', 'text/javascript; charset=utf-8', REVALIDATE],
      ['/widget.js.map', 'application/json; charset=utf-8', REVALIDATE],
      ['/', 'text/html; charset=utf-8', REVALIDATE],
      ['/admin', 'text/html; charset=utf-8', REVALIDATE],
      ['/assets/admin-Ab12_x.js', 'text/javascript; charset=utf-8', IMMUTABLE],
      ['/assets/demo-Cd34.css', 'text/css; charset=utf-8', IMMUTABLE],
    ];
    for (const [url, type, cache] of cases) {
      const res = await h.call('GET', url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe(type);
      expect(res.headers['cache-control'], url).toBe(cache);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['etag'], url).toMatch(/^"[\w-]+"$/);
    }
    expect((await h.call('GET', '/')).body).toContain('<title>demo</title>');
    // `/admin/` is sent to `/admin`, relatively: the console's asset URLs are relative to Parley's root.
    const slash = await h.call('GET', '/admin/?x=1');
    expect([slash.statusCode, slash.headers['location']]).toEqual([308, '../admin?x=1']);
    expect((await h.call('HEAD', '/widget.js')).statusCode).toBe(200);
  });

  it('sends text assets in brotli or gzip, as the request accepts, each with its own validator', async () => {
    const big = `(function(){${'var chat = "parley";'.repeat(400)}})();\n`;
    await writeFile(join(root, 'assets', 'big-Zz99.js'), big);
    h = await createHttpHarness({ webRoot: root });
    const url = '/assets/big-Zz99.js';
    const br = await h.call('GET', url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(big);
    expect(br.rawPayload.length).toBeLessThan(big.length / 10);
    const gz = await h.call('GET', url, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(big);
    const plain = await h.call('GET', url, { headers: { 'accept-encoding': 'br;q=0, identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(big);
    expect(new Set([br, gz, plain].map((r) => r.headers['etag'])).size).toBe(3);
    const cached = await h.call('GET', url, {
      headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers['etag']) },
    });
    expect(cached.statusCode).toBe(304);
    // A small asset is not worth compressing.
    const small = await h.call('GET', '/assets/demo-Cd34.css', { headers: { 'accept-encoding': 'br' } });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('compresses API answers over 1 KiB', async () => {
    h = await createHttpHarness({ webRoot: root });
    const res = await h.call('GET', '/api/v1/openapi.json', { headers: { 'accept-encoding': 'br' } });
    expect(res.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(res.rawPayload).toString())).toMatchObject({ openapi: '3.1.0' });
  });

  it('answers 304 to a matching If-None-Match, and notices a rebuild', async () => {
    h = await createHttpHarness({ webRoot: root });
    const first = await h.call('GET', '/widget.js');
    const etag = String(first.headers['etag']);
    const again = await h.call('GET', '/widget.js', { headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    await writeFile(join(root, 'widget.js'), '(function(){ /* rebuilt */ })();\n');
    const rebuilt = await h.call('GET', '/widget.js', { headers: { 'if-none-match': etag } });
    expect(rebuilt.statusCode).toBe(200);
    expect(rebuilt.body).toContain('rebuilt');
  });

  it('guards the admin console with a content security policy and no framing', async () => {
    h = await createHttpHarness({ webRoot: root });
    const res = await h.call('GET', '/admin');
    expect(res.headers['content-security-policy']).toBe(ADMIN_CSP);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves nothing outside the assets directory', async () => {
    h = await createHttpHarness({ webRoot: root });
    for (const url of [
      '/assets/..%2Fwidget.js',
      '/assets/.hidden',
      '/assets/nope.js',
      '/assets/a%2F..%2F..%2Fpackage.json',
    ]) {
      const res = await h.call('GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(errorOf(res).code, url).toBe('not_found');
    }
  });

  it('says clearly that the assets are not built (503)', async () => {
    const empty = await makeTempDir('parley-web-empty-');
    try {
      h = await createHttpHarness({ webRoot: empty });
      for (const url of ['/', '/widget.js', '/admin', '/assets/x.js']) {
        const res = await h.call('GET', url);
        expect(res.statusCode, url).toBe(503);
        expect(errorOf(res).code).toBe('unavailable');
        expect(errorOf(res).message).toContain('npm run build');
      }
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
