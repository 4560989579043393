/** History: scrolling up loads older pages; the next visit shows an unread divider. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';
import {
  expectUnique,
  joinAsGuest,
  messageWithText,
  publish,
  renderedIds,
  renderedSeqs,
  W,
} from './widget.js';

const SEEDED = 120;

describe.skipIf(SKIP_E2E)('e2e: history and unread', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
    for (let i = 1; i <= SEEDED; i++) {
      await publish(server.url, i % 3 === 0 ? 'carol' : 'dave', `Seeded message number ${i}`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads older pages when scrolled to the top, keeping the reader in place', async () => {
    const { page, context, errors } = await openPage(browser, `${server.url}/`);
    await joinAsGuest(page, 'reader');
    await messageWithText(page, 'Seeded message number 120').waitFor();
    expect((await renderedSeqs(page)).length).toBe(50);

    const log = page.locator('parley-chat .log');
    for (let round = 0; round < 10; round++) {
      if ((await page.locator('parley-chat .marker', { hasText: 'Beginning of #lobby' }).count()) > 0) break;
      const before = (await renderedSeqs(page))[0];
      await log.evaluate((el) => el.scrollTo({ top: 0 }));
      await expect.poll(async () => (await renderedSeqs(page))[0]).toBeLessThan(before ?? Infinity);
      // The reader stays where they were: the view is not at the very top after older messages went in.
      expect(await log.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    }
    await page.locator('parley-chat .marker', { hasText: 'Beginning of #lobby' }).waitFor();
    const seqs = await renderedSeqs(page);
    expect(seqs).toEqual(Array.from({ length: SEEDED }, (_, i) => i + 1));
    expectUnique(await renderedIds(page));
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await screenshot(page, 'history-top', 'parley-chat');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows an unread divider before what arrived since the last visit', async () => {
    const first = await openPage(browser, `${server.url}/`);
    await joinAsGuest(first.page, 'returner');
    await messageWithText(first.page, 'Seeded message number 120').waitFor();
    // Scrolled to the bottom on join: everything is read.
    await first.page.waitForTimeout(200);
    await first.page.close();

    for (let i = 1; i <= 3; i++) await publish(server.url, 'carol', `While you were away ${i}`);
    const page = await first.context.newPage();
    await page.goto(`${server.url}/`);
    await messageWithText(page, 'While you were away 3').waitFor();
    const order = await page.$$eval('parley-chat ol > li', (items) =>
      items.map((li) => (li.classList.contains('unread') ? 'divider' : (li.textContent ?? '').trim())),
    );
    const divider = order.indexOf('divider');
    expect(divider).toBeGreaterThan(0);
    expect(order[divider - 1]).toContain('Seeded message number 120');
    expect(order[divider + 1]).toContain('While you were away 1');
    await page.locator(W.composer).waitFor();
    await screenshot(page, 'unread-divider', 'parley-chat');
    await first.context.close();
  });
});
