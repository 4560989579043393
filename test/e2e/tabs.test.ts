/**
 * One connection per browser across tabs: the widget in several tabs of one site (pages of one browser context)
 * holds one connection to the server, whichever tab a message is written in; each tab shows its own room and the
 * connection is in the union of them; when the tab holding the connection closes, another tab takes it over and
 * the messages keep flowing, none lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sessionsOn } from '../cluster/drivers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api } from '../native/helpers.js';
import { launch, openPage, SKIP_E2E } from './browser.js';
import { startSite, type Site } from './site.js';
import { expectStatus, expectUnique, joinAsGuest, messageWithText, renderedSeqs, send, W } from './widget.js';

describe.skipIf(SKIP_E2E)('e2e: one connection across tabs', () => {
  let server: TestServer;
  let browser: Browser;
  let site: Site;
  /** The room the site's next page shows. */
  let room = 'lobby';

  beforeAll(async () => {
    server = await startTestServer();
    await api(server, 'POST', '/api/v1/apps/1/rooms', { name: 'side' });
    browser = await launch();
    site = await startSite(
      () => `<!doctype html><html lang="en"><head><title>Site</title></head><body>
        <script src="${server.url}/widget.js" data-app="1" data-room="${room}" async></script>
      </body></html>`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await site?.server.close();
    await server?.close();
  });

  const errors: string[] = [];

  async function tab(context: BrowserContext, showing: string): Promise<Page> {
    room = showing;
    const page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${site.url}/${showing}`);
    return page;
  }

  async function connected(page: Page): Promise<void> {
    await page.locator(W.composer).waitFor();
    await expectStatus(page, 'Connected');
  }

  const sessions = (count: number, label: string) =>
    waitFor(async () => (await sessionsOn(server)) === count, { label, timeoutMs: 15_000 });

  it('holds one connection for all the tabs and hands it over when its tab closes', async () => {
    const reader = await browser.newContext();
    const first = await tab(reader, 'lobby');
    await joinAsGuest(first, 'tabby');
    const second = await tab(reader, 'lobby');
    const third = await tab(reader, 'side');
    for (const page of [second, third]) await connected(page);
    await sessions(1, 'one connection for three tabs');

    room = 'lobby';
    const lobbyWatcher = await openPage(browser, `${site.url}/lobby`);
    await joinAsGuest(lobbyWatcher.page, 'watcher');
    room = 'side';
    const sideWatcher = await openPage(browser, `${site.url}/side`);
    await joinAsGuest(sideWatcher.page, 'sider');
    await sessions(3, 'the tabs and two other readers');

    // A message written in a tab that does not hold the connection reaches every tab of the room and the others.
    await send(second, 'from the second tab');
    for (const page of [first, second, lobbyWatcher.page]) {
      await messageWithText(page, 'from the second tab').waitFor();
    }
    await send(third, 'from the side tab');
    await messageWithText(sideWatcher.page, 'from the side tab').waitFor();
    expect(await messageWithText(third, 'from the second tab').count()).toBe(0);
    expect(await messageWithText(first, 'from the side tab').count()).toBe(0);

    // The connection is in the union of the tabs' rooms: the side room is left once no tab shows it.
    await sideWatcher.page.locator(W.count, { hasText: '2' }).waitFor();
    await lobbyWatcher.page.locator(W.count, { hasText: '2' }).waitFor();
    await third.close();
    await sideWatcher.page.locator(W.count, { hasText: '1' }).waitFor();
    expect(await lobbyWatcher.page.locator(W.count).textContent()).toContain('2');

    // The tab holding the connection closes while the room talks on: the second tab takes over and misses nothing.
    await send(lobbyWatcher.page, 'before the handover');
    await messageWithText(second, 'before the handover').waitFor();
    await first.close();
    for (let i = 1; i <= 3; i++) await send(lobbyWatcher.page, `during the handover ${i}`);
    await messageWithText(second, 'during the handover 3').waitFor({ timeout: 15_000 });
    await sessions(3, 'one connection for the tabs again');
    await send(second, 'after the handover');
    await messageWithText(lobbyWatcher.page, 'after the handover').waitFor();

    const seqs = await renderedSeqs(second);
    expectUnique(seqs);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    expect([...errors, ...lobbyWatcher.errors, ...sideWatcher.errors]).toEqual([]);
    await reader.close();
  });
});
