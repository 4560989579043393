/**
 * Nothing wider than the screen, on a phone (390 px) and a desktop (1280 px): the demo page with its inline box,
 * a launcher closed and open, and the admin console. On the phone the people panel leaves the conversation in
 * sight, and a refused nickname stays in its field to be corrected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';
import { startSite, type Site } from './site.js';
import { joinAsGuest, W } from './widget.js';

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 800 },
  { name: 'desktop', width: 1280, height: 900 },
] as const;

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The page scrolls sideways by nothing, and the box (if any) lies within the viewport's width. */
async function expectNoOverflow(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );
  expect(
    scrollWidth,
    `${what}: page width ${scrollWidth} in a ${innerWidth} px viewport`,
  ).toBeLessThanOrEqual(innerWidth);
}

async function boxOf(page: Page, selector: string): Promise<Box> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not displayed`);
  return { left: box.x, top: box.y, right: box.x + box.width, bottom: box.y + box.height };
}

function expectWithinWidth(box: Box, width: number, what: string): void {
  expect(box.left, `${what}: left edge`).toBeGreaterThanOrEqual(0);
  expect(box.right, `${what}: right edge`).toBeLessThanOrEqual(width);
}

function expectWithin(box: Box, viewport: { width: number; height: number }, what: string): void {
  expectWithinWidth(box, viewport.width, what);
  expect(box.top, `${what}: top edge`).toBeGreaterThanOrEqual(0);
  expect(box.bottom, `${what}: bottom edge`).toBeLessThanOrEqual(viewport.height);
}

describe.skipIf(SKIP_E2E)('e2e: layout on a phone and a desktop', () => {
  let server: TestServer;
  let browser: Browser;
  let site: Site;

  beforeAll(async () => {
    server = await startTestServer();
    site = await startSite(
      () => `<!doctype html><html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>Launcher</title></head>
        <body><p>A page with a launcher.</p>
        <script src="${server.url}/widget.js" data-app="1" data-room="lobby" data-mode="launcher" async></script>
      </body></html>`,
    );
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    site?.server.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`the demo page and its inline box fit a ${viewport.width} px ${viewport.name}`, async () => {
      const { page, context } = await openPage(browser, `${server.url}/`, viewport);
      await page.locator(W.nickname).waitFor();
      await expectNoOverflow(page, 'welcome');
      expectWithinWidth(await boxOf(page, W.root), viewport.width, 'the box');
      await joinAsGuest(page, `fit${viewport.width}`);
      await expectNoOverflow(page, 'chat');
      expectWithinWidth(await boxOf(page, W.root), viewport.width, 'the box');

      await page.locator(W.count).click();
      await page.locator('parley-chat #members li').first().waitFor();
      await expectNoOverflow(page, 'people panel');
      const panel = await boxOf(page, 'parley-chat #members');
      const main = await boxOf(page, 'parley-chat .main');
      expectWithinWidth(panel, viewport.width, 'the people panel');
      if (viewport.name === 'phone') {
        // A sheet over the lower part: at least 40% of the conversation stays in sight above it.
        expect(panel.bottom).toBeCloseTo(main.bottom, 0);
        expect(panel.top - main.top).toBeGreaterThanOrEqual(0.4 * (main.bottom - main.top) - 1);
        await screenshot(page, 'phone-people-sheet', 'parley-chat');
      }
      await context.close();
    });

    it(`a launcher, closed and open, fits a ${viewport.width} px ${viewport.name}`, async () => {
      const { page, context } = await openPage(browser, site.url, viewport);
      const button = page.locator('parley-chat .launcher');
      await button.waitFor();
      await expectNoOverflow(page, 'launcher closed');
      expectWithin(await boxOf(page, 'parley-chat .launcher'), viewport, 'the button');

      await button.click();
      await page.locator(W.nickname).waitFor();
      await joinAsGuest(page, `launch${viewport.width}`);
      await expectNoOverflow(page, 'launcher open');
      const box = await boxOf(page, 'parley-chat .chat');
      expectWithin(box, viewport, 'the open box');
      if (viewport.name === 'phone') {
        // The whole screen, closed from its header.
        expect(box).toEqual({ left: 0, top: 0, right: viewport.width, bottom: viewport.height });
        await screenshot(page, 'phone-launcher-open');
        await page.locator('parley-chat .l-close').click();
        await page.locator('parley-chat .launcher[aria-expanded="false"]').waitFor();
      } else {
        expect(box.right - box.left).toBe(380);
      }
      await context.close();
    });

    it(`the admin console fits a ${viewport.width} px ${viewport.name}`, async () => {
      const { page, context } = await openPage(browser, `${server.url}/admin`, viewport);
      await page.locator('parley-admin input[name=key]').waitFor();
      await expectNoOverflow(page, 'admin sign-in');
      await page.locator('parley-admin input[name=key]').fill(TEST_ADMIN_KEY);
      await page.locator('parley-admin input[name=key]').press('Enter');
      await page.getByRole('tab').first().waitFor();
      await expectNoOverflow(page, 'admin');
      await screenshot(page, `admin-${viewport.name}`);
      await context.close();
    });
  }

  it('keeps the nickname in its field when it is refused', async () => {
    // A registered user's name: a guest may not take it.
    const res = await fetch(`${server.url}/api/v1/apps/1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'registered' }),
    });
    expect(res.ok).toBe(true);
    const { page, context } = await openPage(browser, `${server.url}/`, { width: 390, height: 800 });
    await page.locator(W.nickname).fill('registered');
    await page.locator(W.nickname).press('Enter');
    await page.locator('parley-chat .welcome [role=alert]', { hasText: 'belongs to someone else' }).waitFor();
    expect(await page.locator(W.nickname).inputValue()).toBe('registered');
    // Corrected in place, not retyped.
    await page.locator(W.nickname).press('End');
    await page.locator(W.nickname).pressSequentially('_2');
    await page.locator(W.nickname).press('Enter');
    await page.locator(W.composer).waitFor();
    expect(await page.locator('parley-chat .footer strong').textContent()).toBe('registered_2');
    await context.close();
  });
});
