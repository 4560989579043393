/**
 * Direct messages, blocking, search and pins in the widget, on a 390 px phone: a DM opened from the list of
 * people reaches the other side's DM list with its unread count; a block hides the blocked user's next message
 * while others' still arrive; a search hit and a pin jump to their message, paging back through history for it.
 * Authors show with their display name and https avatar (the frames are given profile fields on the way in).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';
import { expectStatus, expectUnique, joinAsGuest, publish, renderedIds, send, W } from './widget.js';

const PHONE = 390;
const OLD_NEWS = 'The quarterly report is out, see the wiki';
const RULES = 'House rules: be kind, no spam';
const FILLERS = 55;
const DM_TEXT = 'Hi alice, a private question for you';
const HIDDEN = 'alice should never read this line';
const VISIBLE = 'carol says the build is green';
const BROKEN = 'https://avatars.invalid/frank.png';

async function admin(baseUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${baseUrl}/api/v1/apps/1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TEST_ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function publishMessage(baseUrl: string, username: string, text: string): Promise<number> {
  const body = (await admin(baseUrl, 'POST', '/rooms/lobby/messages', { username, text })) as {
    message: { id: number };
  };
  return body.message.id;
}

function title(page: Page) {
  return page.locator('parley-chat header h2');
}

function tool(page: Page, name: string | RegExp) {
  return page.locator('parley-chat header').getByRole('button', { name });
}

/** The message with `id` has the focus and is within the visible part of the list. */
async function focusedInView(page: Page, id: number): Promise<boolean> {
  return page.locator(W.root).evaluate((el, want) => {
    const root = el.shadowRoot;
    const item = root?.querySelector(`[data-msg-id="${want}"]`)?.getBoundingClientRect();
    const log = root?.querySelector('.log')?.getBoundingClientRect();
    const focused = root?.activeElement?.getAttribute('data-msg-id') === String(want);
    return focused && !!log && !!item && item.top >= log.top - 1 && item.bottom <= log.bottom + 1;
  }, id);
}

/** Nothing sticks out sideways: the box fits the phone, its header's parts and an open panel fit the box. */
async function fitsWidth(page: Page): Promise<void> {
  const box = await page.locator(W.root).evaluate((el) => {
    const root = el.shadowRoot;
    const chat = root?.querySelector('.chat')?.getBoundingClientRect();
    const parts = [...(root?.querySelectorAll('header > *, header .tools > *, .panel') ?? [])];
    return {
      width: chat?.width ?? Infinity,
      left: chat?.left ?? -1,
      right: chat?.right ?? 0,
      overflow: parts
        .filter((e) => e.getBoundingClientRect().right > (chat?.right ?? 0) + 0.5)
        .map((e) => e.className || e.tagName),
      scrolls:
        (root?.querySelector('.log')?.scrollWidth ?? 0) > (root?.querySelector('.log')?.clientWidth ?? 0),
    };
  });
  expect(box.width).toBeLessThanOrEqual(PHONE);
  expect(box.left).toBeGreaterThanOrEqual(0);
  expect(box.overflow).toEqual([]);
  expect(box.scrolls).toBe(false);
}

describe.skipIf(SKIP_E2E)('e2e: DMs, blocking, search and pins', () => {
  let server: TestServer;
  let browser: Browser;
  let oldNewsId = 0;
  let rulesId = 0;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
    await admin(server.url, 'PATCH', '', { settings: { guestDms: true } });
    // An old message, out of the widget's first page of history, and a pinned one a little later.
    oldNewsId = await publishMessage(server.url, 'carol', OLD_NEWS);
    rulesId = await publishMessage(server.url, 'carol', RULES);
    await admin(server.url, 'PUT', `/rooms/lobby/pins/${rulesId}`);
    for (let i = 1; i <= FILLERS; i++) await publish(server.url, 'carol', `Small talk ${i}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('DMs from the people list, blocks, and jumps to search hits and pins', async () => {
    const a = await openPage(browser, `${server.url}/`, { width: PHONE, height: 760 });
    await joinAsGuest(a.page, 'alice');
    const b = await openPage(browser, `${server.url}/`, { height: 700 });
    await joinAsGuest(b.page, 'bob');
    await a.page.locator(W.count, { hasText: '2' }).waitFor();
    await fitsWidth(a.page);

    // 1. Bob opens a DM with alice from the people online and writes in it.
    await tool(b.page, '2 online: show who').click();
    await b.page.getByRole('button', { name: 'Send a direct message to alice' }).click();
    await title(b.page).filter({ hasText: '@alice' }).waitFor();
    await expectStatus(b.page, 'Connected');
    expect(await b.page.locator(W.composer).getAttribute('placeholder')).toBe('Message @alice');
    await send(b.page, DM_TEXT);
    await b.page.locator(W.message, { hasText: DM_TEXT }).waitFor();

    // Alice's DM button counts it at once (dm_message), before she opens her list of DMs.
    await tool(a.page, 'Direct messages, 1 unread').waitFor();
    // Alice finds it in her DM list, one unread, and reads it; back in the lobby the count is gone.
    await tool(a.page, /^Direct messages/).click();
    const row = a.page.locator('parley-chat .panel [data-dm=bob]');
    await row.locator('.badge', { hasText: '1 unread' }).waitFor();
    await fitsWidth(a.page);
    await screenshot(a.page, 'dm-list-phone', 'parley-chat');
    await row.click();
    await title(a.page).filter({ hasText: '@bob' }).waitFor();
    await a.page.locator(W.message, { hasText: DM_TEXT }).waitFor();
    await tool(a.page, /^Direct messages/).click();
    await a.page.getByRole('button', { name: 'Back to #lobby' }).click();
    await title(a.page).filter({ hasText: 'lobby' }).waitFor();
    await expectStatus(a.page, 'Connected');
    await tool(a.page, /^Direct messages/).click();
    await row.waitFor();
    expect(await row.locator('.badge').count()).toBe(0);
    // Escape closes a panel and gives the focus back to its button.
    await a.page.keyboard.press('Escape');
    await a.page.locator('parley-chat .panel').waitFor({ state: 'detached' });

    // 2. Alice blocks bob: his next lobby message never reaches her; carol's after it does.
    await tool(b.page, /^Direct messages/).click();
    await b.page.getByRole('button', { name: 'Back to #lobby' }).click();
    await title(b.page).filter({ hasText: 'lobby' }).waitFor();
    await expectStatus(b.page, 'Connected');
    await tool(a.page, /online: show who$/).click();
    await a.page.getByRole('button', { name: /^Block bob/ }).click();
    await a.page.getByRole('button', { name: 'Unblock bob' }).waitFor();
    await fitsWidth(a.page);
    await screenshot(a.page, 'members-phone', 'parley-chat');
    await a.page.keyboard.press('Escape');
    await send(b.page, HIDDEN);
    await b.page.locator(W.message, { hasText: HIDDEN }).waitFor();
    await publish(server.url, 'carol', VISIBLE);
    await a.page.locator(W.message, { hasText: VISIBLE }).waitFor();
    await b.page.locator(W.message, { hasText: VISIBLE }).waitFor();
    expect(await a.page.locator(W.message, { hasText: HIDDEN }).count()).toBe(0);

    // 3. Search: the old message is not loaded; choosing the hit pages back to it and shows it.
    expect(await a.page.locator(`parley-chat [data-msg-id="${oldNewsId}"]`).count()).toBe(0);
    await tool(a.page, 'Search messages').click();
    await expect
      .poll(() => a.page.locator(W.root).evaluate((el) => el.shadowRoot?.activeElement?.id ?? ''))
      .toBe('search-q');
    await a.page.keyboard.type('quarterly rep');
    await a.page.keyboard.press('Enter');
    const hit = a.page.locator(`parley-chat .panel [data-hit="${oldNewsId}"]`);
    await hit.locator('mark', { hasText: 'quarterly' }).waitFor();
    expect(await hit.getAttribute('aria-label')).toBe('Message from carol in #lobby: go to it');
    await fitsWidth(a.page);
    await screenshot(a.page, 'search-phone', 'parley-chat');
    await hit.click();
    await expect.poll(() => focusedInView(a.page, oldNewsId), { timeout: 10_000 }).toBe(true);

    // 4. Pins: the room's pinned message, pinned by the operator, jumps to its place too.
    await a.page.locator('parley-chat .log').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await tool(a.page, 'Pinned messages').click();
    const pin = a.page.locator(`parley-chat .panel [data-hit="${rulesId}"]`);
    await pin.filter({ hasText: RULES }).waitFor();
    expect(await pin.getAttribute('aria-label')).toBe('Pinned message from carol: go to it');
    await fitsWidth(a.page);
    await screenshot(a.page, 'pins-phone', 'parley-chat');
    await pin.click();
    await expect.poll(() => focusedInView(a.page, rulesId), { timeout: 10_000 }).toBe(true);

    for (const page of [a.page, b.page]) expectUnique(await renderedIds(page));
    expect([...a.dialogs, ...b.dialogs]).toEqual([]);
    expect([...a.errors, ...b.errors]).toEqual([]);
    await a.context.close();
    await b.context.close();
  });

  it('shows display names and https avatars, falling back to the initial', async () => {
    const a = await openPage(browser, `${server.url}/`, { width: PHONE, height: 760 });
    // Profiles as a server with them sends them: added to every UserRef of frank (https) and dave (http).
    await a.page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      const upstream = ws.connectToServer();
      upstream.onMessage((frame) =>
        ws.send(
          typeof frame === 'string'
            ? frame
                .replaceAll(
                  '"username":"frank"',
                  `"username":"frank","displayName":"Frank Example","avatarUrl":"${BROKEN}"`,
                )
                .replaceAll(
                  '"username":"dave"',
                  '"username":"dave","displayName":"Dave","avatarUrl":"http://a.invalid/d.png"',
                )
            : frame,
        ),
      );
    });
    await joinAsGuest(a.page, 'ann');
    await publish(server.url, 'frank', 'Profile check one');
    await publish(server.url, 'dave', 'Profile check two');
    const frank = a.page.locator(W.message, { hasText: 'Profile check one' });
    await frank.locator('.author', { hasText: 'Frank Example' }).waitFor();
    const img = frank.locator('.avatar img');
    expect(await img.getAttribute('src')).toBe(BROKEN);
    expect(await img.getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(await img.getAttribute('alt')).toBe("Frank Example's avatar");
    // The image cannot load: it hides, and the initial under it shows.
    await expect.poll(() => img.evaluate((el) => (el as unknown as { hidden: boolean }).hidden)).toBe(true);
    expect(await frank.locator('.avatar').textContent()).toContain('F');
    // No image over plain http: the initial only.
    const dave = a.page.locator(W.message, { hasText: 'Profile check two' });
    await dave.locator('.author', { hasText: 'Dave' }).waitFor();
    expect(await dave.locator('.avatar img').count()).toBe(0);
    expect(a.errors.filter((e) => !e.includes('ERR_NAME_NOT_RESOLVED'))).toEqual([]);
    await a.context.close();
  });
});
