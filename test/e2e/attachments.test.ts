/**
 * Files in the widget (docs/attachments.md): a user picks an image in the composer, watches it upload and sends
 * it; another reader's widget shows its thumbnail, loaded from its signed URL, which opens the image in a
 * lightbox. Refused uploads (a type, a size) are told as the widget tells other refusals.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEFAULT_ATTACHMENTS } from '../../src/core/attachments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { png } from '../helpers/uploads.js';
import { patchApp } from '../native/helpers.js';
import { launch, openPage, SKIP_E2E, type ChatPage } from './browser.js';
import { startSite, type Site } from './site.js';
import { joinAsGuest, messageWithText, W } from './widget.js';

const FILE_INPUT = 'parley-chat .attach input[type=file]';

/**
 * Every state an upload of the composer's tray was drawn in, in order (recorded from before the pick), with the
 * size its progress bar measures against. Page scripts as text: the tests are compiled without the DOM's types.
 */
const RECORD_UPLOAD_STATES = `(() => {
  const root = document.querySelector('parley-chat').shadowRoot;
  const seen = (window.uploadStates = []);
  new MutationObserver(() => {
    for (const item of root.querySelectorAll('.upload')) {
      const state = item.getAttribute('data-state') + ':' + (item.querySelector('progress')?.max ?? '');
      if (seen.at(-1) !== state) seen.push(state);
    }
  }).observe(root, { subtree: true, childList: true, attributes: true });
})()`;

/** The class of the element that has the focus inside the widget. */
const FOCUSED = `document.querySelector('parley-chat').shadowRoot.activeElement?.className ?? ''`;

describe.skipIf(SKIP_E2E)('e2e: attachments', () => {
  let server: TestServer;
  let browser: Browser;
  let site: Site;
  let ann: ChatPage;
  let bob: ChatPage;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
    site = await startSite(
      () => `<!doctype html><html lang="en"><head><title>Files</title></head><body>
        <script src="${server.url}/widget.js" data-app="1" data-room="lobby" async></script>
      </body></html>`,
    );
    ann = await openPage(browser, site.url);
    await joinAsGuest(ann.page, 'file_ann');
    bob = await openPage(browser, site.url);
    await joinAsGuest(bob.page, 'file_bob');
  });

  afterAll(async () => {
    await browser?.close();
    await site?.server.close();
    await server?.close();
  });

  it('an image picked in the composer uploads with its progress, is sent, and opens in a lightbox', async () => {
    const image = Buffer.from(await png(900, 600));
    await ann.page.evaluate(RECORD_UPLOAD_STATES);
    await ann.page
      .locator(FILE_INPUT)
      .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: image });
    await ann.page.locator('parley-chat .upload[data-state=ready]', { hasText: 'sunset.png' }).waitFor();
    const states = (await ann.page.evaluate('window.uploadStates')) as string[];
    // The bar is drawn before the request ends, against the file's size; then the upload is ready to send.
    expect(states[0]).toMatch(/^uploading:\d+$/);
    expect(Number(states[0]?.split(':')[1])).toBeGreaterThanOrEqual(image.length);
    expect(states.at(-1)).toBe('ready:');

    await ann.page.locator(W.composer).fill('look at this');
    await ann.page.locator(W.composer).press('Enter');
    await expect.poll(() => ann.page.locator('parley-chat .upload').count()).toBe(0);

    const message = messageWithText(bob.page, 'look at this');
    await message.waitFor();
    const thumb = message.locator('.files .thumb img');
    await thumb.waitFor();
    await expect
      .poll(() =>
        thumb.evaluate((img) => {
          const picture = img as unknown as { complete: boolean; naturalWidth: number };
          return picture.complete ? picture.naturalWidth : 0;
        }),
      )
      .toBe(320);
    expect(await thumb.getAttribute('alt')).toBe('sunset.png');
    const href = await message.locator('.files .thumb').getAttribute('href');
    expect(href).toMatch(new RegExp(`^${server.url}/api/v1/files/\\w+/file\\?exp=\\d+&sig=`));
    await messageWithText(ann.page, 'look at this').locator('.files .thumb img').waitFor();

    await thumb.click();
    const lightbox = bob.page.locator('parley-chat .lightbox[role=dialog]');
    await lightbox.waitFor();
    expect(await lightbox.locator('img').getAttribute('src')).toBe(href);
    await expect
      .poll(() =>
        lightbox.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBe(900);
    const focused = () => bob.page.evaluate(FOCUSED);
    expect(await focused()).toBe('close');
    await bob.page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
    // The focus is back where the reader was: on the thumbnail.
    expect(await focused()).toBe('thumb');
    expect(ann.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it('a file of a type the app does not take is refused with a clear notice, and nothing is sent', async () => {
    await patchApp(server, { attachments: { ...DEFAULT_ATTACHMENTS, types: ['image/'] } });
    try {
      await ann.page
        .locator(FILE_INPUT)
        .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('plain words') });
      const notice = ann.page.locator('parley-chat .notice.error[role=alert]');
      await notice.filter({ hasText: 'This chat does not take files like notes.txt.' }).waitFor();
      expect(await ann.page.locator('parley-chat .upload').count()).toBe(0);
    } finally {
      await patchApp(server, { attachments: DEFAULT_ATTACHMENTS });
    }
  });

  it("a file over the app's limit is refused with the limit, and nothing waits to be sent", async () => {
    await patchApp(server, { attachments: { ...DEFAULT_ATTACHMENTS, maxBytes: 2_000_000 } });
    try {
      await ann.page
        .locator(FILE_INPUT)
        .setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: randomBytes(3_000_000) });
      const notice = ann.page.locator('parley-chat .notice.error[role=alert]');
      await notice.filter({ hasText: 'big.zip is too large (at most 1.9 MB).' }).waitFor();
      expect(await ann.page.locator('parley-chat .upload').count()).toBe(0);
    } finally {
      await patchApp(server, { attachments: DEFAULT_ATTACHMENTS });
    }
  });

  it('a file dropped on the widget and an image pasted into the composer upload too, and can be removed', async () => {
    // What a drop and a paste hand the page: files in a DataTransfer (a script, since the test drives no mouse).
    await ann.page.evaluate(`(() => {
      const widget = document.querySelector('parley-chat');
      const composer = widget.shadowRoot.querySelector('textarea');
      const carrying = (name) => {
        const data = new DataTransfer();
        data.items.add(new File(['dropped words'], name, { type: 'text/plain' }));
        return data;
      };
      composer.dispatchEvent(new DragEvent('drop', { dataTransfer: carrying('dropped.txt'), bubbles: true, composed: true }));
      composer.dispatchEvent(new ClipboardEvent('paste', { clipboardData: carrying('pasted.txt'), bubbles: true, composed: true }));
    })()`);
    for (const name of ['dropped.txt', 'pasted.txt']) {
      await ann.page.locator('parley-chat .upload[data-state=ready]', { hasText: name }).waitFor();
    }
    await ann.page.locator('parley-chat .upload button[aria-label="Remove dropped.txt"]').click();
    await ann.page.locator('parley-chat .upload', { hasText: 'dropped.txt' }).waitFor({ state: 'detached' });
    // Only the file still in the tray goes, with no text.
    await ann.page.locator(W.composer).press('Enter');
    const sent = ann.page.locator(`${W.message} .files .chip.file`, { hasText: 'pasted.txt' });
    await sent.waitFor();
    await bob.page.locator(`${W.message} .files .chip.file`, { hasText: 'pasted.txt' }).waitFor();
    expect(await ann.page.locator(`${W.message} .files .chip.file`, { hasText: 'dropped.txt' }).count()).toBe(
      0,
    );
  });
});
