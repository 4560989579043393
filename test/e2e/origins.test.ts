/**
 * Origins locked down to the site that embeds Parley: Parley's own pages still work on their own origin. The
 * demo page loads its styles and module scripts, its widget connects (WebSocket and, the handshake being the
 * same, long-polling), and the admin console signs in and reads the API; another origin is still refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, openPage, SKIP_E2E } from './browser.js';
import { joinAsGuest, send, W } from './widget.js';

describe.skipIf(SKIP_E2E)('e2e: allowedOrigins locked to the embedding site', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ allowedOrigins: ['https://shop.example'] });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves /, /admin and /widget.js to their own origin, and refuses others', async () => {
    const demo = await openPage(browser, `${server.url}/`);
    const failed: string[] = [];
    demo.page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
    await joinAsGuest(demo.page, 'visitor');
    await send(demo.page, 'hello from the demo page');
    await demo.page.locator(W.message, { hasText: 'hello from the demo page' }).waitFor();
    // The page is styled: its stylesheet (an asset of its own origin) was loaded and applied.
    expect(await demo.page.evaluate('document.styleSheets.length')).toBeGreaterThan(0);

    const admin = await openPage(browser, `${server.url}/admin`);
    admin.page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
    await admin.page.locator('parley-admin input[name=key]').fill(TEST_ADMIN_KEY);
    await admin.page.locator('parley-admin input[name=key]').press('Enter');
    await admin.page.locator('pa-settings input[name=name]').waitFor();
    expect(failed).toEqual([]);
    expect([...demo.errors, ...admin.errors]).toEqual([]);

    // Another origin is refused as before, on the API and on the widget script's API calls alike.
    const res = await fetch(`${server.url}/api/v1/apps`, {
      headers: { origin: 'https://evil.example', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(res.status).toBe(403);
    const allowed = await fetch(`${server.url}/api/v1/apps`, {
      headers: { origin: 'https://shop.example', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    await demo.context.close();
    await admin.context.close();
  });
});
