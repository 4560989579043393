/**
 * Link previews in the widget: a message with a link to a page of the test's own shows a preview card in
 * another reader's widget, its image loaded lazily and without a referrer. The server runs with the test-only
 * setting that lets it fetch from loopback (docs/link-previews.md, "For tests").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { html, startPageServer, type PageServer } from '../helpers/pageServer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launch, openPage, SKIP_E2E } from './browser.js';
import { startSite, type Site } from './site.js';
import { joinAsGuest, messageWithText, send } from './widget.js';

const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe.skipIf(SKIP_E2E)('e2e: link previews', () => {
  let server: TestServer;
  let browser: Browser;
  let site: Site;
  let pages: PageServer;
  const imageReferers: (string | undefined)[] = [];

  beforeAll(async () => {
    server = await startTestServer({ linkPreviewsAllowPrivateAddresses: true });
    browser = await launch();
    pages = await startPageServer({
      '/story': html(
        `<title>Fallback</title>
         <meta property="og:title" content="A story worth reading">
         <meta property="og:description" content="It begins on a quiet morning.">
         <meta property="og:site_name" content="Story Site">
         <meta property="og:image" content="/cover.png">`,
      ),
      '/cover.png': (req, res) => {
        imageReferers.push(req.headers.referer);
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(PIXEL);
      },
    });
    site = await startSite(
      () => `<!doctype html><html lang="en"><head><title>Chat</title></head><body>
        <script src="${server.url}/widget.js" data-app="1" async></script>
      </body></html>`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await site?.server.close();
    await pages?.close();
    await server?.close();
  });

  it("shows a preview card under a message with a link, in another reader's widget", async () => {
    const a = await openPage(browser, `${site.url}/`);
    const b = await openPage(browser, `${site.url}/`);
    await joinAsGuest(a.page, 'preview_ann');
    await joinAsGuest(b.page, 'preview_bob');

    const link = `${pages.url}/story`;
    await send(a.page, `have a look: ${link}`);
    const card = messageWithText(b.page, 'have a look').locator('a.preview');
    await card.waitFor();
    expect(await card.locator('.p-title').textContent()).toBe('A story worth reading');
    expect(await card.locator('.p-desc').textContent()).toBe('It begins on a quiet morning.');
    expect(await card.locator('.p-site').textContent()).toBe('Story Site');
    expect(await card.getAttribute('href')).toBe(link);
    const image = card.locator('img');
    expect(await image.getAttribute('src')).toBe(`${pages.url}/cover.png`);
    expect(await image.getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(await image.getAttribute('loading')).toBe('lazy');
    // The author's widget shows it too, and the image left without saying where it was shown.
    await messageWithText(a.page, 'have a look').locator('a.preview').waitFor();
    await image.evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    expect(imageReferers.length).toBeGreaterThan(0);
    expect(imageReferers.every((referer) => referer === undefined)).toBe(true);
    for (const p of [a, b]) expect(p.errors).toEqual([]);
  });
});
