/**
 * Files in the widget (docs/attachments.md): a user uploads an image and sends it; another reader's widget
 * shows its thumbnail, loaded from its signed URL, as a link to the image. (The upload itself is made over
 * HTTP here: the widget's own upload controls are not built yet.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ParleyClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { png, upload } from '../helpers/uploads.js';
import { register } from '../native/helpers.js';
import { launch, openPage, SKIP_E2E } from './browser.js';
import { startSite, type Site } from './site.js';
import { joinAsGuest, messageWithText } from './widget.js';

describe.skipIf(SKIP_E2E)('e2e: attachments', () => {
  let server: TestServer;
  let browser: Browser;
  let site: Site;
  let ann: ParleyClient | null = null;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
    site = await startSite(
      () => `<!doctype html><html lang="en"><head><title>Files</title></head><body>
        <script src="${server.url}/widget.js" data-app="1" data-room="lobby" async></script>
      </body></html>`,
    );
  });

  afterAll(async () => {
    ann?.close();
    await browser?.close();
    await site?.server.close();
    await server?.close();
  });

  it("a reader's widget shows the thumbnail of an image another user sent", async () => {
    const bob = await openPage(browser, site.url);
    await joinAsGuest(bob.page, 'file_bob');

    const token = await register(server, 'file_ann');
    const { body } = await upload(server, token, 'lobby', 'sunset.png', await png(900, 600), 'image/png');
    const id = body.attachment?.id ?? '';
    ann = new ParleyClient({ url: server.url, transport: 'ws', app: 1, credentials: { token } });
    await ann.connect();
    await ann.join('lobby');
    await ann.send('lobby', 'look at this', { attachments: [id] });

    const message = messageWithText(bob.page, 'look at this');
    await message.waitFor();
    const thumb = message.locator('.files .thumb img');
    await thumb.waitFor();
    await expect
      .poll(() =>
        thumb.evaluate((img) => {
          const image = img as unknown as { complete: boolean; naturalWidth: number };
          return image.complete ? image.naturalWidth : 0;
        }),
      )
      .toBe(320);
    expect(await thumb.getAttribute('alt')).toBe('sunset.png');
    const href = await message.locator('.files .thumb').getAttribute('href');
    expect(href).toMatch(new RegExp(`^${server.url}/api/v1/files/${id}/file\\?exp=\\d+&sig=`));
    expect(bob.errors).toEqual([]);
  });
});
