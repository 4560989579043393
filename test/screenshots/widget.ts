/**
 * The widget for the docs: the launcher closed with its unread badge and open, and the inline box in Spanish and
 * in Japanese. Starts a server and a site of its own, has other clients chat, and saves the pictures to
 * docs/images/. Rerun it after changing the widget (`npm run screenshots` runs it with the dashboard's):
 *
 *   npm run build:web && node --import tsx test/screenshots/widget.ts
 *
 * Needs chromium (see test/e2e/browser.ts) and, for the Japanese picture, a CJK font (Debian: fonts-noto-cjk).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launch, openPage } from '../e2e/browser.js';
import { startSite } from '../e2e/site.js';
import { messageWithText, W } from '../e2e/widget.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/server.js';
import { ClientPool, NO_FLOOD, patchApp } from '../native/helpers.js';

const DIR = join(REPO_ROOT, 'docs', 'images');

function page(server: TestServer, lang: string, attributes: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1"><title>Our shop</title>
    <style>body { font: 16px/1.5 Georgia, serif; max-width: 720px; margin: 40px auto; padding: 0 16px; color: #222 }
      #chat { max-width: 460px; height: 560px }</style></head>
    <body><h1>Our shop</h1><p>Handmade notebooks, shipped worldwide. Questions? Ask in the chat.</p>
    <div id="chat"></div>
    <script src="${server.url}/widget.js" data-app="1" data-room="lobby" data-target="#chat" ${attributes} async></script>
  </body></html>`;
}

/** Joins as a guest in any language (the e2e helper waits for the English status). */
async function joinChat(target: Page, nickname: string): Promise<void> {
  await target.locator(W.nickname).fill(nickname);
  await target.locator(W.nickname).press('Enter');
  await target.locator(W.composer).waitFor();
}

async function save(target: Page, name: string, selector?: string): Promise<void> {
  const path = join(DIR, `${name}.png`);
  if (selector) await target.locator(selector).first().screenshot({ path });
  else await target.screenshot({ path });
  console.log(`saved ${path}`);
}

async function main(): Promise<void> {
  const server = await startTestServer();
  const pool = new ClientPool();
  const browser = await launch();
  let html = '';
  const site = await startSite(() => html);
  try {
    await patchApp(server, NO_FLOOD);
    await mkdir(DIR, { recursive: true });
    const ada = pool.client(server, 'ws', { guest: 'ada' });
    await ada.connect();
    await ada.join('lobby');
    await ada.send('lobby', 'Hi! Do you ship to Canada?');

    // The launcher: a reader who chatted before, the box closed, then messages arriving.
    html = page(server, 'en', 'data-mode="launcher"');
    const shop = await openPage(browser, site.url, { width: 1100, height: 760 });
    await shop.page.locator('parley-chat .launcher').click();
    await joinChat(shop.page, 'grace');
    await shop.page.locator('parley-chat .launcher').click();
    await shop.page.locator('parley-chat .launcher[aria-expanded="false"]').waitFor();
    for (const text of ['We do, 5-7 days.', 'Tracking included.', 'Anything else?']) {
      await ada.send('lobby', text);
    }
    await shop.page.locator('parley-chat .l-badge', { hasText: '3' }).waitFor();
    await save(shop.page, 'launcher-closed');
    await shop.page.locator('parley-chat .launcher').click();
    await messageWithText(shop.page, 'Anything else?').waitFor();
    await save(shop.page, 'launcher-open');

    // The inline box in two languages.
    for (const lang of ['es', 'ja']) {
      html = page(server, lang, '');
      const reader = await openPage(browser, site.url, { width: 1100, height: 760 });
      await joinChat(reader.page, `reader_${lang}`);
      await messageWithText(reader.page, 'Anything else?').waitFor();
      await save(reader.page, `widget-${lang}`, '#chat');
    }
  } finally {
    pool.closeAll();
    await browser.close();
    site.server.close();
    await server.close();
  }
}

await main();
