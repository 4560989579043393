/**
 * The console's Bots screen: a bot created with a command, its API key shown once and working, a new key
 * (the old one refused from then on), and the bot deleted (its key refused too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { NO_FLOOD, patchApp } from '../native/helpers.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';

describe.skipIf(SKIP_E2E)('e2e: the admin console, bots', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    await patchApp(server, NO_FLOOD);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const status = (page: Page, text: string) =>
    page.locator('pa-bots [role=status]', { hasText: text }).waitFor();

  /** What the server answers the bot posting in the lobby with this key. */
  const postAs = async (key: string, text: string): Promise<number> => {
    const res = await fetch(`${server.url}/api/v1/apps/1/bot/rooms/lobby/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    await res.arrayBuffer();
    return res.status;
  };

  const shownKey = async (page: Page): Promise<string> => {
    const input = page.locator('pa-bots [data-bot-key] input');
    await input.waitFor();
    return input.inputValue();
  };

  it('creates a bot with its key shown once, gives it a new key, deletes it', async () => {
    const { page } = await openPage(browser, `${server.url}/admin`, { width: 1280, height: 900 });
    await page.evaluate('window.confirm = () => true');
    await page.locator('parley-admin input[name=key]').fill(server.adminKey);
    await page.locator('parley-admin input[name=key]').press('Enter');
    await page.locator('pa-settings input[name=name]').waitFor();
    await page.getByRole('tab', { name: 'Bots' }).click();

    const form = page.locator('pa-bots form[data-bot-form]');
    await form.locator('input[name=username]').fill('helper');
    await form.locator('input[name=displayName]').fill('Helper Bot');
    await form.locator('textarea[name=commands]').fill('/weather Tells the weather');
    await page.getByRole('button', { name: 'Create bot' }).click();
    await status(page, 'Bot helper created.');
    const row = page.locator('pa-bots tr[data-bot=helper]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('/weather');
    const first = await shownKey(page);
    expect(first).toMatch(/^pb_/);
    expect(await postAs(first, 'hello from the bot')).toBe(201);
    await screenshot(page, 'admin-bots');

    await row.getByRole('button', { name: 'New key' }).click();
    await status(page, 'New key for helper.');
    await expect.poll(() => shownKey(page)).not.toBe(first);
    const second = await shownKey(page);
    expect(await postAs(first, 'old key')).toBe(401);
    expect(await postAs(second, 'new key')).toBe(201);

    await row.getByRole('button', { name: 'Delete' }).click();
    await status(page, 'Bot helper deleted.');
    await expect.poll(() => row.count()).toBe(0);
    expect(await page.locator('pa-bots [data-bot-key]').count()).toBe(0);
    expect(await postAs(second, 'gone')).toBe(401);
    await page.context().close();
  });
});
