/**
 * Conversations in the widget: replies (the Reply button, the reply bar, the quote that jumps to its parent),
 * reactions (the picker, chips toggled by click, live counts) and the unread badge, which a read in another tab
 * of the same user clears.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';
import { expectStatus, expectUnique, joinAsGuest, publish, renderedIds, send, W } from './widget.js';

const PARENT = 'Can anyone review my patch before Friday?';
const REPLY = 'Sure, I will send notes tonight.';
const FILLERS = 25;

/** The message whose own body (not a quote of it) holds `text`. */
function messageWithBody(page: Page, text: string) {
  return page.locator(W.message).filter({ has: page.locator('.body', { hasText: text }) });
}

function badge(page: Page) {
  return page.locator('parley-chat header .badge');
}

/** Scrolls the message list away from the bottom and waits until the widget knows it. */
async function scrollAway(page: Page): Promise<void> {
  await page.locator('parley-chat .log').evaluate((el) => el.scrollTo({ top: 0 }));
  await expect.poll(() => atBottom(page)).toBe(false);
}

/** Whether the widget counts its reader as at the bottom of the list (where it marks the room read). */
function atBottom(page: Page): Promise<boolean> {
  return page.locator(W.root).evaluate((el) => (el as unknown as { atBottom: boolean }).atBottom);
}

describe.skipIf(SKIP_E2E)('e2e: replies, reactions and the unread badge', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('replies with a quote that jumps to its parent, reacts live, and clears the badge across tabs', async () => {
    const a = await openPage(browser, `${server.url}/`, { height: 640 });
    await joinAsGuest(a.page, 'alice');
    const b = await openPage(browser, `${server.url}/`, { height: 640 });
    await joinAsGuest(b.page, 'bob');
    await a.page.locator(W.count, { hasText: '2' }).waitFor();

    // 1. Replies. Other talk goes in between, so that bob's message is out of sight when the reply comes.
    await send(b.page, PARENT);
    await messageWithBody(a.page, PARENT).waitFor();
    for (let i = 1; i <= FILLERS; i++) await publish(server.url, 'carol', `Unrelated chatter ${i}`);
    await messageWithBody(a.page, `Unrelated chatter ${FILLERS}`).waitFor();
    await messageWithBody(b.page, `Unrelated chatter ${FILLERS}`).waitFor();

    const parentForAlice = messageWithBody(a.page, PARENT);
    await parentForAlice.hover();
    await parentForAlice.getByRole('button', { name: 'Reply to bob' }).click();
    const bar = a.page.locator('parley-chat .replybar');
    await bar.waitFor();
    expect(await bar.textContent()).toMatch(/Replying to\s+bob:\s+Can anyone review my patch/);
    // The composer has the focus: typing goes straight into the reply.
    await a.page.keyboard.type(REPLY);
    await a.page.keyboard.press('Enter');
    await bar.waitFor({ state: 'detached' });

    const reply = messageWithBody(b.page, REPLY);
    await reply.waitFor();
    const quote = reply.locator('button.quote');
    await quote.waitFor();
    expect(await quote.getAttribute('aria-label')).toBe('Go to the message from bob this replies to');
    expect(await quote.locator('.q-author').textContent()).toBe('bob');
    expect((await quote.locator('.q-text').textContent())?.trim()).toBe(PARENT);
    // Alice sees her own reply quoted the same way.
    await messageWithBody(a.page, REPLY).locator('.quote .q-author', { hasText: 'bob' }).waitFor();

    const parentForBob = messageWithBody(b.page, PARENT);
    const parentId = await parentForBob.getAttribute('data-msg-id');
    expect(parentId).not.toBeNull();
    const parentInView = () =>
      b.page.locator(W.root).evaluate((el, id) => {
        const root = el.shadowRoot;
        const log = root?.querySelector('.log')?.getBoundingClientRect();
        const item = root?.querySelector(`[data-msg-id="${id}"]`)?.getBoundingClientRect();
        return !!log && !!item && item.top >= log.top - 1 && item.bottom <= log.bottom + 1;
      }, parentId);
    expect(await parentInView()).toBe(false);
    await quote.click();
    await expect
      .poll(() =>
        b.page
          .locator(W.root)
          .evaluate((el) => el.shadowRoot?.activeElement?.getAttribute('data-msg-id') ?? null),
      )
      .toBe(parentId);
    await expect.poll(parentInView).toBe(true);
    await screenshot(b.page, 'reply-jumped', 'parley-chat');

    // 2. Reactions: alice picks one, bob adds his by clicking the chip, both see the count.
    await parentForAlice.hover();
    await parentForAlice.getByRole('button', { name: 'Add a reaction to the message from bob' }).click();
    const picker = parentForAlice.getByRole('group', { name: 'Pick a reaction' });
    await picker.waitFor();
    expect(await picker.getByRole('button').count()).toBe(9); // eight emoji and Close
    await picker.getByRole('button', { name: 'party' }).click();
    await picker.waitFor({ state: 'detached' });

    const bobChip = parentForBob.locator('.chip', { hasText: '🎉' });
    await bobChip.and(b.page.locator('[aria-label="🎉 1 reaction: press to add yours"]')).waitFor();
    expect(await bobChip.getAttribute('aria-pressed')).toBe('false');
    expect(await bobChip.locator('.n').textContent()).toBe('1');
    await bobChip.click();
    await bobChip.and(b.page.locator('[aria-label="🎉 2 reactions, yours: press to remove"]')).waitFor();
    expect(await bobChip.getAttribute('aria-pressed')).toBe('true');
    expect(await bobChip.locator('.n').textContent()).toBe('2');
    const aliceChip = parentForAlice.locator('.chip', { hasText: '🎉' });
    await aliceChip.and(a.page.locator('[aria-label="🎉 2 reactions, yours: press to remove"]')).waitFor();
    expect(await aliceChip.getAttribute('aria-pressed')).toBe('true');
    await screenshot(a.page, 'reactions', 'parley-chat');

    // 3. Unread. A second tab of bob's (same browser context: the same guest, resumed from localStorage).
    const tab2 = await b.context.newPage();
    const tab2Errors: string[] = [];
    tab2.on('pageerror', (err) => tab2Errors.push(err.message));
    tab2.on('console', (msg) => {
      if (msg.type() === 'error') tab2Errors.push(msg.text());
    });
    await tab2.goto(`${server.url}/`);
    await tab2.locator(W.composer).waitFor();
    await expectStatus(tab2, 'Connected');
    expect(await tab2.locator('parley-chat .footer strong').textContent()).toBe('bob');
    await messageWithBody(tab2, REPLY).waitFor();

    // Both tabs read back in the history, away from the bottom: neither marks the room read.
    await b.page.bringToFront();
    await b.page.locator('parley-chat .log').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await scrollAway(b.page);
    await scrollAway(tab2);
    for (let i = 1; i <= 3; i++) await send(a.page, `Are you there, bob? (${i})`);
    for (const page of [b.page, tab2]) {
      await messageWithBody(page, 'Are you there, bob? (3)').waitFor({ state: 'attached' });
      await badge(page).filter({ hasText: '3 unread' }).waitFor();
      expect(await badge(page).locator('[aria-hidden=true]').textContent()).toBe('3');
    }
    await screenshot(tab2, 'unread-badge', 'parley-chat');

    // Bob goes down to the new messages in the first tab: it reads, and the second tab's badge clears though
    // that tab is still scrolled up.
    await b.page.bringToFront();
    await b.page.locator('parley-chat button.jump', { hasText: '3 new messages' }).click();
    await badge(b.page).waitFor({ state: 'detached' });
    await badge(tab2).waitFor({ state: 'detached' });
    expect(await atBottom(tab2)).toBe(false);

    for (const page of [a.page, b.page, tab2]) expectUnique(await renderedIds(page));
    expect([...a.dialogs, ...b.dialogs]).toEqual([]);
    expect([...a.errors, ...b.errors, ...tab2Errors]).toEqual([]);
    await a.context.close();
    await b.context.close();
  });
});
