/**
 * The widget in the reader's language: `data-lang` on the script tag, the page's `<html lang>`, and two widgets
 * in different languages on one page, each keeping its own through renders of the other.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launch, SKIP_E2E } from './browser.js';

/** A host page per path, on its own origin; the widget comes from the Parley server. */
function pages(server: TestServer): Record<string, string> {
  const widget = `${server.url}/widget.js`;
  return {
    '/es': `<!doctype html><html><body>
      <script src="${widget}" data-room="lobby" data-lang="es" async></script></body></html>`,
    '/ja': `<!doctype html><html lang="ja-JP"><body>
      <script src="${widget}" data-room="lobby" async></script></body></html>`,
    '/two': `<!doctype html><html lang="en"><body>
      <parley-chat id="a" room="lobby" data-lang="de"></parley-chat>
      <parley-chat id="b" room="lobby" lang="ru"></parley-chat>
      <script src="${widget}" async></script></body></html>`,
  };
}

async function startHost(server: TestServer): Promise<{ url: string; server: Server }> {
  const http = createServer((req, res) => {
    const page = pages(server)[req.url ?? ''];
    if (page) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${(http.address() as AddressInfo).port}`, server: http };
}

async function join(page: Page, widget: string, nickname: string): Promise<void> {
  await page.locator(`${widget} input[name=nickname]`).fill(nickname);
  await page.locator(`${widget} input[name=nickname]`).press('Enter');
  await page.locator(`${widget} textarea#composer`).waitFor();
}

describe.skipIf(SKIP_E2E)('e2e: the widget in the reader’s language', () => {
  let server: TestServer;
  let host: { url: string; server: Server };
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    host = await startHost(server);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    host?.server.close();
  });

  /** A browser that prefers English, so that only the page's choice can change the language. */
  async function open(path: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${host.url}${path}`);
    return { page, errors, close: () => context.close() };
  }

  it('speaks Spanish with data-lang="es" on the script tag', async () => {
    const { page, errors, close } = await open('/es');
    const welcome = page.locator('parley-chat .welcome');
    await welcome.locator('h3', { hasText: 'Únete a la conversación' }).waitFor();
    expect(await welcome.locator('p').first().textContent()).toBe(
      'Elige un apodo para chatear en #lobby. No hace falta cuenta.',
    );
    expect(await welcome.locator('label').first().textContent()).toContain('Apodo');
    expect(await welcome.locator('input[name=nickname]').getAttribute('placeholder')).toBe('p. ej. ada_l');
    expect((await welcome.locator('button.primary').textContent())?.trim()).toBe('Empezar a chatear');
    expect((await welcome.locator('button.secondary').textContent())?.trim()).toBe('Iniciar sesión');
    await join(page, 'parley-chat', 'lector');
    await page.locator('parley-chat .status', { hasText: 'Conectado' }).waitFor();
    expect(await page.locator('parley-chat textarea#composer').getAttribute('placeholder')).toBe(
      'Escribe en #lobby',
    );
    expect(errors).toEqual([]);
    await close();
  });

  it('speaks Japanese on a page with <html lang="ja-JP">', async () => {
    const { page, errors, close } = await open('/ja');
    const welcome = page.locator('parley-chat .welcome');
    await welcome.locator('h3', { hasText: '会話に参加する' }).waitFor();
    expect((await welcome.locator('button.primary').textContent())?.trim()).toBe('チャットを始める');
    // A refused nickname is explained in Japanese too (built outside a render, from the element's language).
    await welcome.locator('input[name=nickname]').evaluate((input) => input.removeAttribute('pattern'));
    await welcome.locator('input[name=nickname]').fill('no spaces allowed');
    await welcome.locator('button.primary').click();
    await welcome
      .locator('[role=alert]', { hasText: '1〜32文字の英字、数字、_ . - を使ってください。' })
      .waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  it('keeps two widgets of one page in their own languages, and follows a changed data-lang', async () => {
    const { page, errors, close } = await open('/two');
    await page.locator('#a .welcome h3', { hasText: 'Mitreden' }).waitFor();
    await page.locator('#b .welcome h3', { hasText: 'Присоединяйтесь к разговору' }).waitFor();

    await join(page, '#a', 'leserin');
    await page.locator('#a .status', { hasText: 'Verbunden' }).waitFor();
    // B rendered again and again meanwhile (A's renders do not leak into it) and is still Russian.
    expect(await page.locator('#b .welcome h3').textContent()).toBe('Присоединяйтесь к разговору');
    await join(page, '#b', 'chitatel');
    await page.locator('#b .status', { hasText: 'Подключено' }).waitFor();

    // One message, drawn by both at once: each in its own words around it.
    await page.locator('#a textarea#composer').fill('hallo zusammen');
    await page.locator('#a textarea#composer').press('Enter');
    await page.locator('#b li.msg', { hasText: 'hallo zusammen' }).waitFor();
    await page.locator('#a li.msg', { hasText: 'hallo zusammen' }).waitFor();
    expect(await page.locator('#a textarea#composer').getAttribute('placeholder')).toBe(
      'Nachricht an #lobby',
    );
    expect(await page.locator('#b textarea#composer').getAttribute('placeholder')).toBe('Сообщение в #lobby');
    expect(await page.locator('#a .log').getAttribute('aria-label')).toBe('Nachrichtenverlauf');
    expect(await page.locator('#b .log').getAttribute('aria-label')).toBe('История сообщений');
    expect(await page.locator('#a .status').textContent()).toBe('Verbunden');
    expect(await page.locator('#b .status').textContent()).toBe('Подключено');

    await page.locator('#a').evaluate((el) => el.setAttribute('data-lang', 'fr'));
    await page.locator('#a .status', { hasText: 'Connecté' }).waitFor();
    expect(await page.locator('#a textarea#composer').getAttribute('placeholder')).toBe('Écrire dans #lobby');
    expect(await page.locator('#b .status').textContent()).toBe('Подключено');
    expect(errors).toEqual([]);
    await close();
  });
});
