/**
 * Library mode in an express app: `parley.handler` mounted as middleware (before the site's body parser, which
 * would otherwise read Parley's request bodies), `attach` with `requests: false` for the upgrades.
 */
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createParley } from '../../src/library.js';
import { once } from '../helpers/wait.js';
import { libraryModeSuite, parleyOptions, PREFIX, siteAnswer, siteWebSockets } from './suite.js';
import { makeTempDir } from '../helpers/server.js';
import { rm } from 'node:fs/promises';

function site(): express.Express {
  const app = express();
  app.post('/echo', express.json(), (req, res) => {
    res.json(req.body);
  });
  return app;
}

describe('library mode in an express app', () => {
  libraryModeSuite(async (options) => {
    const parley = await createParley(options);
    const app = site();
    app.use(parley.handler);
    app.use(express.json());
    app.use(siteAnswer);
    const server = createServer(app);
    siteWebSockets(server);
    parley.attach(server, { requests: false });
    return { server, parley };
  });

  it('works mounted on its prefix too, and leaves the site its body parser', async () => {
    const dataDir = await makeTempDir('parley-library-');
    const parley = await createParley(parleyOptions(dataDir));
    const app = site();
    app.use(PREFIX, parley.handler);
    app.use(siteAnswer);
    const server = createServer(app).listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await (await fetch(`${origin}${PREFIX}/healthz`)).json()).toEqual({ status: 'ok' });
      const bare = await fetch(`${origin}${PREFIX}`, { redirect: 'manual' });
      expect(bare.headers.get('location')).toBe(`${PREFIX}/`);
      const registered = await fetch(`${origin}${PREFIX}/api/v1/apps/1/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'mounted', password: 'mounted-password' }),
      });
      expect(registered.status).toBe(201);
      const echoed = await fetch(`${origin}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ site: true }),
      });
      expect(await echoed.json()).toEqual({ site: true });
      expect(await (await fetch(`${origin}/`)).text()).toBe('site');
    } finally {
      await parley.close();
      await new Promise((resolve) => server.close(resolve));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
