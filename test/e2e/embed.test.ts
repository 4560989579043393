/**
 * The widget on somebody else's site (another origin, hostile CSS): a read-only guest, Parley's own accounts
 * behind the sign-in button, and a token handed over by the host page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, screenshot, SKIP_E2E } from './browser.js';
import { startSite, type Site } from './site.js';
import { messageWithText, send, W } from './widget.js';

async function admin(server: TestServer, method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A shop's page: loud CSS of its own, the widget for app 2, and (optionally) its own sign-in. */
function shopPage(server: TestServer, extraScript = ''): string {
  return `<!doctype html><html><head><title>Shop</title><style>
      * { font-family: serif !important; color: rgb(255, 0, 0) !important; }
      p, li, button { margin: 40px !important; background: yellow !important; }
    </style></head><body>
    <h1>Our shop</h1><p>Questions? Ask below.</p>
    <div id="chat" style="max-width: 420px"></div>
    <script src="${server.url}/widget.js" data-app="2" data-room="support" data-target="#chat" data-label="Support" data-theme="dark" async></script>
    <script>${extraScript}</script>
  </body></html>`;
}

describe.skipIf(SKIP_E2E)('e2e: embedding on another site', () => {
  let server: TestServer;
  let browser: Browser;
  let shop: Site;
  let hostScript = '';

  beforeAll(async () => {
    server = await startTestServer();
    shop = await startSite(() => shopPage(server, hostScript));
    browser = await launch();
    await admin(server, 'POST', '/apps', { name: 'Shop', settings: { guestsCanWrite: false } });
    await admin(server, 'POST', '/apps/2/rooms', { name: 'support', topic: 'We answer within minutes' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    shop?.server.close();
  });

  it('reads as a guest, then signs up with a Parley account to write; the page CSS stays outside', async () => {
    hostScript = '';
    const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${shop.url}/products`);
    await page.locator('#chat parley-chat').waitFor();
    expect(await page.locator('parley-chat').getAttribute('data-theme')).toBe('dark');

    await page.locator(W.nickname).fill('window-shopper');
    await page.locator(W.nickname).press('Enter');
    await page.locator(W.composer).waitFor();
    await send(page, 'Can guests write here?');
    await page.locator(W.blocked, { hasText: 'Guests can read this room' }).waitFor();

    // Nobody on the page handles parley:signin, so the widget offers Parley's own accounts.
    await page.locator(W.blocked).getByRole('button', { name: 'Sign in' }).click();
    await page.locator('parley-chat').getByRole('button', { name: 'Create account' }).first().click();
    await page.locator('parley-chat input[name=username]').fill('buyer');
    await page.locator('parley-chat input[name=password]').fill('correct horse');
    await page.locator('parley-chat input[name=password]').press('Enter');
    await page.locator(W.composer).waitFor();
    await send(page, 'Do you ship to **Norway**?');
    await messageWithText(page, 'Do you ship to').waitFor();
    expect(await page.locator('parley-chat .footer strong').textContent()).toBe('buyer');

    // The shop's CSS does not reach inside the widget.
    const style = await page
      .locator('parley-chat .body p')
      .first()
      .evaluate((p) => {
        const cs = p.ownerDocument.defaultView?.getComputedStyle(p);
        return {
          color: cs?.color,
          font: cs?.fontFamily,
          margin: cs?.marginTop,
          background: cs?.backgroundColor,
        };
      });
    expect(style.color).not.toBe('rgb(255, 0, 0)');
    expect(style.font).not.toBe('serif');
    expect(style.margin).toBe('0px');
    expect(style.background).not.toBe('rgb(255, 255, 0)');
    await screenshot(page, 'embed-shop-dark');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('signs in with a token the host site hands over after its own sign-in (parley:signin, parley:token)', async () => {
    const { token } = (await admin(server, 'POST', '/apps/2/tokens', { username: 'site-user' })) as {
      token: string;
    };
    hostScript = `
      document.addEventListener('parley:signin', (event) => {
        event.preventDefault();               // the shop signs people in itself
        window.signInRequests = (window.signInRequests || 0) + 1;
        setTimeout(() => window.dispatchEvent(new CustomEvent('parley:token', { detail: { token: ${JSON.stringify(token)} } })), 50);
      });`;
    const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
    const page = await context.newPage();
    await page.goto(`${shop.url}/`);
    await page.locator('parley-chat').getByRole('button', { name: 'Sign in' }).click();
    await page.locator(W.composer).waitFor();
    expect(await page.evaluate('window.signInRequests')).toBe(1);
    expect(await page.locator('parley-chat .footer strong').textContent()).toBe('site-user');
    // Signed in by the site: the widget does not offer to sign out (the site owns the session).
    expect(await page.locator('parley-chat .footer button').count()).toBe(0);
    await send(page, 'Signed in by the shop');
    await messageWithText(page, 'Signed in by the shop').waitFor();
    await context.close();
  });
});
