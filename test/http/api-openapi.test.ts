import type { RouteOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, toOpenApiPath, type OpenApiDocument } from '../../src/http/openapi.js';
import { apiRoutes } from '../../src/http/app.js';
import { isWebRoute } from '../../src/http/routes/web.js';
import { Registry } from 'prom-client';
import { createHttpHarness, type HttpHarness } from './harness.js';

let h: HttpHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('OpenAPI', () => {
  it('documents exactly the routes fastify serves', async () => {
    h = await createHttpHarness();
    const registered: string[] = [];
    h.app.addHook('onRoute', (route: RouteOptions) => {
      // The web assets (widget, demo, admin console) are not part of the API.
      if (isWebRoute(route.url)) return;
      for (const method of [route.method].flat()) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        registered.push(`${method.toLowerCase()} ${toOpenApiPath(route.url)}`);
      }
    });
    await h.app.ready();

    const res = await h.call('GET', '/api/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(res.body) as OpenApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    expect(doc.servers).toEqual([{ url: '/', description: 'This Parley server' }]);

    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m} ${path}`),
    );
    expect(registered.length).toBeGreaterThan(30);
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('is well formed: unique operation ids, resolvable references, path parameters declared', async () => {
    h = await createHttpHarness();
    const doc = (await h.call('GET', '/api/v1/openapi.json')).json() as OpenApiDocument;
    const ids = new Set<string>();
    const refs: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (key === '$ref' && typeof child === 'string') refs.push(child);
          else collect(child);
        }
      }
    };
    collect(doc);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    expect(JSON.stringify(doc)).not.toContain('$defs');

    for (const [path, ops] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const id = op['operationId'] as string;
        expect(ids.has(id), id).toBe(false);
        ids.add(id);
        const params = ((op['parameters'] ?? []) as { name: string; in: string }[]).filter(
          (p) => p.in === 'path',
        );
        expect(params.map((p) => p.name).sort(), `${method} ${path}`).toEqual([...inPath].sort());
        expect(Object.keys(op['responses'] as object).length).toBeGreaterThan(1);
      }
    }
    const createApp = doc.paths['/api/v1/apps']?.['post'];
    expect(createApp?.['security']).toEqual([{ adminKey: [] }]);
    expect(doc.paths['/api/v1/apps/{app}/login']?.['post']?.['security']).toEqual([]);
    expect(JSON.stringify(createApp?.['requestBody'])).toContain('maxMessageLength');
  });

  it('is built from the same route list that is registered', () => {
    const routes = apiRoutes({ engine: {} as never, ready: async () => {}, registry: new Registry() });
    const doc = buildOpenApiDocument(routes);
    expect(Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0)).toBe(routes.length);
  });
});
