/**
 * Page-scoped rooms in the widget (`data-room="auto"`, docs/protocol.md [proto.rooms.page]): readers of one
 * article chat together whatever fragment or tracking parameter their link carried, and another article has a
 * room of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launch, openPage, SKIP_E2E } from './browser.js';
import { startSite, type Site } from './site.js';
import { joinAsGuest, messageWithText, send, W } from './widget.js';

describe.skipIf(SKIP_E2E)('e2e: a room per page', () => {
  let server: TestServer;
  let browser: Browser;
  let site: Site;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
    site = await startSite(
      () => `<!doctype html><html lang="en"><head><title>Article</title></head><body>
        <article><h1>An article</h1><p>Text.</p></article>
        <script src="${server.url}/widget.js" data-app="1" data-room="auto" async></script>
      </body></html>`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await site?.server.close();
    await server?.close();
  });

  it('puts the readers of one page in one room and another page in another', async () => {
    const a = await openPage(browser, `${site.url}/posts/hello?utm_source=feed#comments`);
    const b = await openPage(browser, `${site.url}/posts/hello/`);
    const c = await openPage(browser, `${site.url}/posts/other`);
    await joinAsGuest(a.page, 'page_ann');
    await joinAsGuest(b.page, 'page_bob');
    await joinAsGuest(c.page, 'page_cid');
    expect(await a.page.locator('parley-chat h2').first().textContent()).toContain('this page');

    await send(a.page, 'first comment on hello');
    await messageWithText(b.page, 'first comment on hello').waitFor();
    await send(c.page, 'a comment on other');
    await b.page.locator(W.composer).waitFor();
    // The other article's room stays apart: its comment never reaches the first page, nor the reverse.
    await messageWithText(c.page, 'a comment on other').waitFor();
    expect(await messageWithText(b.page, 'a comment on other').count()).toBe(0);
    expect(await messageWithText(c.page, 'first comment on hello').count()).toBe(0);

    // The rooms exist for the operator, with the canonical URL as their topic.
    const res = await fetch(`${server.url}/api/v1/apps/1/rooms`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    const { rooms } = (await res.json()) as { rooms: { name: string; topic: string }[] };
    const topics = rooms.filter((r) => r.name.startsWith('page:')).map((r) => r.topic);
    expect(topics.sort()).toEqual([`${site.url}/posts/hello`, `${site.url}/posts/other`]);
    for (const p of [a, b, c]) expect(p.errors).toEqual([]);
  });
});
