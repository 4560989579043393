/**
 * Guest verification in the widget (docs/widget.md, docs/moderation.md "Guest verification"): an app that asks
 * new guests for a token gets the provider's widget in the welcome form, and the guest joins with the token it
 * yields; a refused token gets a fresh challenge. A page may answer `parley:verification` itself. The provider's
 * script is served by the test in the service's place (the same explicit-render API), and the verify endpoint
 * is the test's own, on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, openPage, SKIP_E2E } from './browser.js';
import { expectStatus, W } from './widget.js';

/** Turnstile's explicit-render API as far as the widget uses it: render with a callback, reset. */
const FAKE_TURNSTILE = `(() => {
  const onload = new URL(document.currentScript.src).searchParams.get('onload');
  window.__resets = 0;
  window.turnstile = {
    render(el, opts) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'I am human';
      button.dataset.sitekey = opts.sitekey;
      button.onclick = () => opts.callback(window.__nextToken);
      el.append(button);
      return 'w1';
    },
    reset() { window.__resets += 1; },
  };
  window[onload]();
})();`;

describe.skipIf(SKIP_E2E)('e2e: guest verification in the widget', () => {
  let server: TestServer;
  let browser: Browser;
  let verifier: Server;
  const presented: { secret: string | null; response: string | null }[] = [];

  async function setVerification(provider: string): Promise<void> {
    const { port } = verifier.address() as AddressInfo;
    const res = await fetch(`${server.url}/api/v1/apps/1`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        settings: {
          guestVerification: {
            provider,
            verifyUrl: `http://127.0.0.1:${port}/siteverify`,
            secret: 'verify-secret',
            siteKey: 'site-key-1',
          },
        },
      }),
    });
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    verifier = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        presented.push({ secret: form.get('secret'), response: form.get('response') });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ success: form.get('response') === 'good-token' }));
      });
    });
    await new Promise<void>((resolve) => verifier.listen(0, '127.0.0.1', resolve));
    server = await startTestServer();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => verifier?.close(resolve));
  });

  it("shows the provider's widget, retries a refused token and joins with a good one", async () => {
    await setVerification('turnstile');
    presented.length = 0;
    const { page, errors } = await openPage(browser, `${server.url}/`);
    await page.route('https://challenges.cloudflare.com/**', (route) =>
      route.fulfill({ contentType: 'text/javascript', body: FAKE_TURNSTILE }),
    );
    await page.locator(W.nickname).fill('verified_vi');
    await page.locator(W.nickname).press('Enter');
    const human = page.getByRole('button', { name: 'I am human' });
    await human.waitFor();
    expect(await human.getAttribute('data-sitekey')).toBe('site-key-1');
    await page.locator('parley-chat .welcome', { hasText: 'confirm you are a person' }).waitFor();
    // The widget's first try carried no token: the service has not been asked yet.
    expect(presented).toEqual([]);

    await page.evaluate("window.__nextToken = 'bad-token'");
    await human.click();
    await page.locator('parley-chat .welcome', { hasText: 'did not pass' }).waitFor();
    expect(await page.evaluate('window.__resets')).toBe(1);
    // The nickname the guest typed is still the one the next try uses.
    await page.evaluate("window.__nextToken = 'good-token'");
    await human.click();
    await page.locator(W.composer).waitFor();
    await expectStatus(page, 'Connected');
    await page.locator('parley-chat .footer', { hasText: 'verified_vi' }).waitFor();
    expect(presented).toEqual([
      { secret: 'verify-secret', response: 'bad-token' },
      { secret: 'verify-secret', response: 'good-token' },
    ]);
    // The service's widget is gone from the page once the guest is in.
    expect(await human.count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('lets the host page answer parley:verification with its own token', async () => {
    await setVerification('custom');
    presented.length = 0;
    const { page } = await openPage(browser, `${server.url}/`);
    await page.evaluate(`document.addEventListener('parley:verification', (event) => {
      if (event.detail.provider !== 'custom' || event.detail.nickname !== 'hosted_hal') return;
      event.preventDefault();
      event.target.verify('good-token');
    })`);
    await page.locator(W.nickname).fill('hosted_hal');
    await page.locator(W.nickname).press('Enter');
    await page.locator(W.composer).waitFor();
    await expectStatus(page, 'Connected');
    expect(presented).toEqual([{ secret: 'verify-secret', response: 'good-token' }]);
  });
});
