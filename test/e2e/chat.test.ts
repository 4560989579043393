/** Two people chat through the widget on the demo page, each in their own browser context. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';
import { expectUnique, joinAsGuest, messageWithText, publish, renderedIds, send, W } from './widget.js';

describe.skipIf(SKIP_E2E)('e2e: the chat widget', () => {
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

  it('lets two browser contexts chat: presence, typing, markdown, mentions, edits and deletions', async () => {
    const a = await openPage(browser, `${server.url}/`);
    await screenshot(a.page, 'welcome');
    await joinAsGuest(a.page, 'alice');
    const b = await openPage(browser, `${server.url}/`, { colorScheme: 'dark' });
    await joinAsGuest(b.page, 'bob');

    await a.page.locator(W.count, { hasText: '2' }).waitFor();
    await b.page.locator(W.count, { hasText: '2' }).waitFor();
    // The demo page passes its theme on through window.Parley.setTheme.
    expect(await b.page.locator(W.root).getAttribute('data-theme')).toBe('dark');
    expect(await a.page.locator(W.root).getAttribute('data-theme')).toBe('light');

    await b.page.locator(W.composer).pressSequentially('Hel');
    await a.page.locator(W.typing, { hasText: 'bob is typing…' }).waitFor();
    await send(b.page, 'Hello @alice, **welcome** to `Parley`!');
    const greeting = messageWithText(a.page, 'Hello');
    await greeting.waitFor();
    expect(await greeting.locator('strong').textContent()).toBe('welcome');
    expect(await greeting.locator('code').textContent()).toBe('Parley');
    expect(await greeting.locator('.mention.me').textContent()).toBe('@alice');
    await a.page.locator(W.typing, { hasText: 'typing' }).waitFor({ state: 'detached' });
    // Screen readers hear what others write.
    expect(await a.page.locator('parley-chat [aria-live=polite]').textContent()).toContain(
      'bob: Hello @alice',
    );

    await send(a.page, 'Hi bob! Nice to meet you.');
    await messageWithText(b.page, 'Hi bob!').waitFor();
    await send(a.page, 'This one will go away');
    await messageWithText(b.page, 'This one will go away').waitFor();

    // Edit one's own message, from the keyboard (Up in the empty composer edits the last one).
    await a.page.locator(W.composer).press('ArrowUp');
    const editor = a.page.locator('parley-chat .editor textarea');
    expect(await editor.inputValue()).toBe('This one will go away');
    await editor.press('Escape');
    const hi = messageWithText(a.page, 'Hi bob!');
    await hi.hover();
    await hi.getByRole('button', { name: 'Edit' }).click();
    await editor.fill('Hi bob! Nice to meet you (edited).');
    await editor.press('Enter');
    const edited = messageWithText(b.page, 'Nice to meet you (edited).');
    await edited.waitFor();
    await edited.locator('.edited').waitFor();

    // Delete one's own message, with a confirmation.
    const doomed = messageWithText(a.page, 'This one will go away');
    await doomed.hover();
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await b.page.locator(W.message, { hasText: 'Message deleted' }).waitFor();
    await a.page.locator(W.message, { hasText: 'Message deleted' }).waitFor();

    // Nobody may edit or delete someone else's message (reply and react are offered to everyone).
    const others = messageWithText(b.page, 'Nice to meet you');
    expect(await others.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await others.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await others.getByRole('button', { name: 'Reply' }).count()).toBe(1);

    await a.page.locator(W.count).click();
    await a.page.locator('parley-chat #members li', { hasText: 'bob' }).waitFor();
    await screenshot(a.page, 'chat-light');
    await a.page.locator(W.count).click();
    await b.page.locator(W.composer).pressSequentially('Typing something…');
    await a.page.locator(W.typing, { hasText: 'bob is typing…' }).waitFor();
    await screenshot(a.page, 'chat-light-widget', 'parley-chat');
    await screenshot(b.page, 'chat-dark');

    for (const page of [a.page, b.page]) expectUnique(await renderedIds(page));
    expect([...a.dialogs, ...b.dialogs]).toEqual([]);
    expect([...a.errors, ...b.errors]).toEqual([]);
    await a.context.close();
    await b.context.close();
  });

  it('renders hostile markup inert: no script runs, no image loads, no javascript: link', async () => {
    const a = await openPage(browser, `${server.url}/`);
    await joinAsGuest(a.page, 'mallory');
    const payloads = [
      '<img src=x onerror=alert(1)>',
      '[click me](javascript:alert(1))',
      '<script>alert(2)</script><svg onload=alert(3)>',
      '[x](JaVaScRiPt:alert(4)) <a href="javascript:alert(5)">a</a>',
    ];
    for (const text of payloads) await send(a.page, text);
    await publish(
      server.url,
      'eve',
      '<iframe src="javascript:alert(6)"></iframe> ![i](x" onerror="alert(7))',
    );
    await messageWithText(a.page, '<iframe').waitFor();
    await messageWithText(a.page, 'JaVaScRiPt:alert(4)').waitFor();
    const b = await openPage(browser, `${server.url}/`);
    await joinAsGuest(b.page, 'victim');
    await messageWithText(b.page, '<img src=x onerror=alert(1)>').waitFor();
    await b.page.waitForTimeout(300);

    for (const { page, dialogs } of [a, b]) {
      // Playwright's CSS selectors pierce the widget's shadow root.
      const count = (selector: string) => page.locator(selector).count();
      // The widget's links only: the demo page's own navigation is relative (it may be served under a prefix).
      const hrefs = await page
        .locator('parley-chat a[href]')
        .evaluateAll((links) => links.map((l) => l.getAttribute('href')));
      const found = {
        img: await count('img'),
        script: await count('parley-chat script'),
        iframe: await count('iframe'),
        svg: await count('parley-chat .body svg'),
        handlers: await count('[onerror], [onload], [onclick]'),
        badHrefs: hrefs.filter((h) => h !== null && !/^(https?:|mailto:|\/)/i.test(h)),
      };
      expect(found).toEqual({ img: 0, script: 0, iframe: 0, svg: 0, handlers: 0, badHrefs: [] });
      expect(dialogs).toEqual([]);
      // The text is shown as text.
      await messageWithText(page, '<script>alert(2)</script>').waitFor();
    }
    await screenshot(b.page, 'xss-inert', 'parley-chat');
    await a.context.close();
    await b.context.close();
  });

  it('keeps a guest the same user across reloads (resume token in localStorage)', async () => {
    const a = await openPage(browser, `${server.url}/`);
    await joinAsGuest(a.page, 'returning');
    await send(a.page, 'first visit');
    await messageWithText(a.page, 'first visit').waitFor();
    await a.page.reload();
    await a.page.locator(W.composer).waitFor();
    expect(await a.page.locator('parley-chat .footer strong').textContent()).toBe('returning');
    // Still the author of that message: its actions are offered.
    const mine = messageWithText(a.page, 'first visit');
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit' }).waitFor();
    await a.context.close();
  });
});
