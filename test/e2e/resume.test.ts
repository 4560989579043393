/** The widget rides out a server restart: it reconnects, resumes, and shows every message exactly once. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makeTempDir, startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';
import {
  expectStatus,
  expectUnique,
  joinAsGuest,
  messageWithText,
  publish,
  renderedIds,
  send,
  W,
} from './widget.js';

async function serverIds(url: string): Promise<number[]> {
  const res = await fetch(`${url}/api/v1/apps/1/rooms/lobby/messages?limit=200`, {
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
  });
  const body = (await res.json()) as { messages: { id: number }[] };
  return body.messages.map((m) => m.id);
}

describe.skipIf(SKIP_E2E)('e2e: reconnect and resume', () => {
  let dataDir: string;
  let server: TestServer | null = null;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = await makeTempDir('parley-e2e-');
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reconnects after a restart on the same port and data, with no duplicates and nothing lost', async () => {
    server = await startTestServer({ dataDir });
    const { port } = server;
    const a = await openPage(browser, `${server.url}/`);
    await joinAsGuest(a.page, 'steady');
    const b = await openPage(browser, `${server.url}/`);
    await joinAsGuest(b.page, 'witness');
    for (let i = 1; i <= 3; i++) await send(a.page, `before restart ${i}`);
    await messageWithText(b.page, 'before restart 3').waitFor();

    await server.close();
    server = null;
    await expectStatus(a.page, 'Reconnecting…');
    await screenshot(a.page, 'reconnecting', 'parley-chat');
    // Written while the server is away: held, then sent once after the reconnect.
    await send(a.page, 'sent while offline');

    server = await startTestServer({ dataDir, port });
    for (let i = 1; i <= 3; i++) await publish(server.url, 'newsbot', `after restart ${i}`);

    for (const page of [a.page, b.page]) {
      await expectStatus(page, 'Connected', 30_000);
      await messageWithText(page, 'sent while offline').waitFor();
      await messageWithText(page, 'after restart 3').waitFor();
    }
    await a.page.waitForTimeout(500);
    const expected = await serverIds(server.url);
    expect(expected).toHaveLength(7);
    for (const page of [a.page, b.page]) {
      const ids = await renderedIds(page);
      expectUnique(ids);
      expect(ids).toEqual(expected);
    }
    expect(await a.page.locator('parley-chat .pending').count()).toBe(0);
    // Still the same guest after the restart.
    expect(await a.page.locator('parley-chat .footer strong').textContent()).toBe('steady');
    await b.page.locator(W.count, { hasText: '2' }).waitFor();
    await screenshot(a.page, 'resumed', 'parley-chat');
    await a.context.close();
    await b.context.close();
  });
});
