/**
 * The widget as a launcher on a site of its own (`data-mode="launcher"`): the round button opens and closes the
 * box (click, keyboard, Escape), its badge counts what another client sent while it was closed; the unread
 * count in the tab's title; the notifications of a mention and a DM while the tab is hidden, with the browser's
 * permission asked from the bell only.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ParleyClient } from '../../src/client/index.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { installAttentionStubs, notifications, recorded, setHidden } from './attention.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';
import { startSite, type Site } from './site.js';
import { joinAsGuest, messageWithText, W } from './widget.js';

const TITLE = 'Launcher test';

function sitePage(server: TestServer, attributes: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1"><title>${TITLE}</title></head>
    <body><h1>A page with a launcher</h1><p>The chat opens from the corner.</p>
    <script src="${server.url}/widget.js" data-app="1" data-room="lobby" ${attributes} async></script>
  </body></html>`;
}

const L = {
  button: 'parley-chat .launcher',
  badge: 'parley-chat .l-badge',
  box: 'parley-chat .chat',
  close: 'parley-chat .l-close',
  bell: 'parley-chat .bell',
};

/** The class (or name) of what has the focus inside the widget. */
function focused(page: Page): Promise<string> {
  return page.locator(W.root).evaluate((el) => {
    const active = el.shadowRoot?.activeElement;
    return active?.getAttribute('name') || active?.id || active?.className || '';
  });
}

async function expectOpen(page: Page, open: boolean): Promise<void> {
  await page.locator(`${L.button}[aria-expanded="${open}"]`).waitFor();
  expect(await page.locator(L.box).isVisible()).toBe(open);
}

describe.skipIf(SKIP_E2E)('e2e: the launcher, the tab title and notifications', () => {
  let server: TestServer;
  let browser: Browser;
  let site: Site;
  let attributes = '';
  const clients: ParleyClient[] = [];

  /** Another client, a guest in the typed client, in the lobby. */
  async function other(nickname: string): Promise<ParleyClient> {
    const client = new ParleyClient({
      url: server.url,
      transport: 'ws',
      app: 1,
      credentials: { guest: nickname },
    });
    clients.push(client);
    await client.connect();
    await client.join('lobby');
    return client;
  }

  beforeAll(async () => {
    server = await startTestServer();
    // Guests may write to each other (the DM that is notified).
    const res = await fetch(`${server.url}/api/v1/apps/1`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { guestDms: true } }),
    });
    expect(res.status).toBe(200);
    site = await startSite(() => sitePage(server, attributes));
    browser = await launch();
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    site?.server.close();
  });

  it('opens and closes from its button, the keyboard and Escape; the badge counts what came while closed', async () => {
    attributes = 'data-mode="launcher"';
    const { page, context, errors } = await openPage(browser, site.url, { width: 1280, height: 800 });
    const button = page.locator(L.button);
    await button.waitFor();
    // Closed, in the bottom-right corner, named for screen readers.
    await expectOpen(page, false);
    expect(await button.getAttribute('aria-label')).toBe('Open chat');
    const corner = await button.boundingBox();
    expect(corner && 1280 - (corner.x + corner.width)).toBeLessThanOrEqual(40);
    expect(corner && 800 - (corner.y + corner.height)).toBeLessThanOrEqual(40);

    await button.click();
    await expectOpen(page, true);
    await expect.poll(() => focused(page)).toBe('nickname');
    await joinAsGuest(page, 'carol');
    await page.locator(W.composer).focus();
    await page.keyboard.press('Escape');
    await expectOpen(page, false);
    await expect.poll(() => focused(page)).toBe('launcher');

    const bob = await other('bob');
    await bob.send('lobby', 'Are you there?');
    await bob.send('lobby', 'Hello again');
    await page.locator(L.badge, { hasText: '2' }).waitFor();
    expect(await button.getAttribute('aria-label')).toBe('Open chat, 2 unread');
    // The launcher's count is in the tab's title too (on by default for the launcher).
    expect(await page.title()).toBe(`(2) ${TITLE}`);
    await screenshot(page, 'launcher-closed-badge');

    await button.press('Enter');
    await expectOpen(page, true);
    await messageWithText(page, 'Hello again').waitFor();
    expect(await page.locator(L.badge).count()).toBe(0);
    expect(await page.title()).toBe(TITLE);
    await screenshot(page, 'launcher-open');

    // Open, new messages do not count; the header's close button closes it too.
    await bob.send('lobby', 'Seen at once');
    await messageWithText(page, 'Seen at once').waitFor();
    await page.locator(L.close).click();
    await expectOpen(page, false);
    expect(await page.locator(L.badge).count()).toBe(0);

    // The next page of the site finds the box as the reader left it: open stays open, closed stays closed.
    await button.click();
    await expectOpen(page, true);
    await page.reload();
    await expectOpen(page, true);
    await messageWithText(page, 'Seen at once').waitFor();
    await page.locator(L.close).click();
    await page.reload();
    await page.locator(L.button).waitFor();
    await expectOpen(page, false);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sits in the bottom-left corner with data-position="bottom-left", its box above it', async () => {
    attributes = 'data-mode="launcher" data-position="bottom-left"';
    const { page, context } = await openPage(browser, site.url, { width: 1280, height: 800 });
    const button = page.locator(L.button);
    await button.click();
    await expectOpen(page, true);
    const corner = await button.boundingBox();
    const box = await page.locator(L.box).boundingBox();
    expect(corner && corner.x).toBeLessThanOrEqual(40);
    expect(corner && 800 - (corner.y + corner.height)).toBeLessThanOrEqual(40);
    expect(box && box.x).toBeLessThanOrEqual(40);
    expect(box && corner && box.y + box.height).toBeLessThanOrEqual(corner?.y ?? 0);
    await context.close();
  });

  it('counts in the title of a hidden tab where the page asks (inline box), and restores it when seen', async () => {
    attributes = 'data-title-unread="true"';
    const { page, context } = await openPage(browser, site.url);
    await installAttentionStubs(context);
    await page.reload();
    await joinAsGuest(page, 'erin');
    const dave = await other('dave');

    await setHidden(page, true);
    await dave.send('lobby', 'One while you were away');
    await dave.send('lobby', 'Two while you were away');
    await page.waitForFunction(`document.title === ${JSON.stringify(`(2) ${TITLE}`)}`);
    await setHidden(page, false);
    await page.waitForFunction(`document.title === ${JSON.stringify(TITLE)}`);

    // Without the attribute an inline box leaves the title alone (the demo page).
    const demo = await context.newPage();
    await demo.goto(`${server.url}/`);
    await joinAsGuest(demo, 'gina');
    const before = await demo.title();
    await setHidden(demo, true);
    await dave.send('lobby', 'Nobody counts this in the title');
    await messageWithText(demo, 'Nobody counts this').waitFor();
    expect(await demo.title()).toBe(before);
    await context.close();
  });

  it('asks for permission from the bell only, then notifies mentions and DMs while hidden, with a chime', async () => {
    attributes = 'data-mode="launcher" data-notify="sound,browser"';
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      permissions: ['notifications'],
    });
    await installAttentionStubs(context);
    const page = await context.newPage();
    await page.goto(site.url);
    await page.locator(L.button).click();
    await joinAsGuest(page, 'frank');
    // Nothing asked on load or on joining: only a click on the bell asks.
    expect(await recorded<boolean[]>(page, '__permissionAsks')).toEqual([]);
    const bell = page.locator(L.bell);
    expect(await bell.getAttribute('aria-pressed')).toBe('false');
    await bell.click();
    await page.locator(`${L.bell}[aria-pressed="true"]`).waitFor();
    expect(await recorded<boolean[]>(page, '__permissionAsks')).toEqual([true]);

    await page.locator(L.close).click();
    await setHidden(page, true);
    const bob = await other('bob2');
    await bob.send('lobby', 'Nothing for frank in this one');
    await bob.send('lobby', 'Hey @frank, a question for you');
    const [mention] = await notifications(page, 1);
    expect(mention).toMatchObject({
      title: 'bob2 mentioned you in #lobby',
      body: 'Hey @frank, a question for you',
    });
    expect(await recorded<number>(page, '__tones')).toBeGreaterThan(0);

    const dm = await bob.openDm('frank');
    await bob.join(dm.name);
    await bob.send(dm.name, 'Psst, in private');
    const shown = await notifications(page, 2);
    expect(shown.map((n) => n.title)).toEqual(['bob2 mentioned you in #lobby', 'bob2 sent you a message']);
    expect(shown[1]?.body).toBe('Psst, in private');
    await page.locator(L.badge, { hasText: '3' }).waitFor();

    // A click on the notification opens the box in the DM.
    await page.evaluate('window.__lastNotification.onclick()');
    await setHidden(page, false);
    await expectOpen(page, true);
    await messageWithText(page, 'Psst, in private').waitFor();

    // In sight, a mention is only shown.
    await bob.send(dm.name, 'Hey @frank, are you there?');
    await messageWithText(page, 'are you there?').waitFor();
    expect((await recorded<unknown[]>(page, '__notifications')).length).toBe(2);
    await context.close();
  });
});
