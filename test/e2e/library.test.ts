/**
 * Library mode in a browser: a site's page embeds the widget from /chat/widget.js on the site's own server,
 * and the widget, the demo page at /chat/ and the admin console at /chat/admin all find their assets, the API
 * and the WebSocket under the prefix.
 */
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachParley, type Parley } from '../../src/library.js';
import { makeTempDir, TEST_ADMIN_KEY } from '../helpers/server.js';
import { once } from '../helpers/wait.js';
import { launch, openPage, SKIP_E2E, type ChatPage } from './browser.js';
import { joinAsGuest, send, W } from './widget.js';

const SITE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>A shop</title></head>
<body><h1>The shop</h1><script src="/chat/widget.js" data-app="1" data-room="lobby" async></script></body></html>`;

describe.skipIf(SKIP_E2E)('e2e: library mode under /chat', () => {
  let dataDir: string;
  let server: Server;
  let parley: Parley;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = await makeTempDir('parley-library-e2e-');
    server = createServer((req, res) => {
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(req.url === '/' ? SITE_PAGE : 'not here');
    });
    parley = await attachParley(server, {
      prefix: '/chat',
      dataDir,
      adminKey: TEST_ADMIN_KEY,
      logLevel: 'silent',
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await parley?.close();
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Every answer of 400 or more the page got, and its script errors. */
  function watch(chat: ChatPage): () => string[] {
    const failed: string[] = [];
    chat.page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
    return () => [...failed, ...chat.errors];
  }

  it("the widget on the site's page and the demo page at /chat/ talk to each other", async () => {
    const site = await openPage(browser, `${origin}/`);
    const siteProblems = watch(site);
    await joinAsGuest(site.page, 'shopper');

    const demo = await openPage(browser, `${origin}/chat/`);
    const demoProblems = watch(demo);
    await joinAsGuest(demo.page, 'visitor');
    // The demo page is styled (its stylesheet came from /chat/assets/) and its snippet names the prefix.
    expect(await demo.page.evaluate('document.styleSheets.length')).toBeGreaterThan(0);
    expect(await demo.page.locator('#snippet').textContent()).toContain(`${origin}/chat/widget.js`);

    await send(site.page, 'hello from the shop');
    await demo.page.locator(W.message, { hasText: 'hello from the shop' }).waitFor();
    await send(demo.page, 'hello from the demo');
    await site.page.locator(W.message, { hasText: 'hello from the demo' }).waitFor();
    expect([...siteProblems(), ...demoProblems()]).toEqual([]);
    await site.context.close();
    await demo.context.close();
  });

  it('the admin console at /chat/admin and /chat/admin/ signs in and reads the API under the prefix', async () => {
    for (const path of ['/chat/admin', '/chat/admin/']) {
      const admin = await openPage(browser, `${origin}${path}`);
      const problems = watch(admin);
      await admin.page.locator('parley-admin input[name=key]').fill(TEST_ADMIN_KEY);
      await admin.page.locator('parley-admin input[name=key]').press('Enter');
      await admin.page.locator('pa-settings input[name=name]').waitFor();
      expect(problems(), path).toEqual([]);
      await admin.context.close();
    }
  });
});
