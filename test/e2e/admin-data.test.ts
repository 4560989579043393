/**
 * The console's data protection on a user's page, in Chromium: "Export data" downloads the user's JSON, and
 * "Erase user" works only once the username is typed, after which the user is gone and the record is listed.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, ClientPool, NO_FLOOD, patchApp, register } from '../native/helpers.js';
import { launch, openPage, SKIP_E2E } from './browser.js';

describe.skipIf(SKIP_E2E)('e2e: export and erase a user in the admin console', () => {
  let server: TestServer;
  let browser: Browser;
  const pool = new ClientPool();

  beforeAll(async () => {
    server = await startTestServer();
    await patchApp(server, NO_FLOOD);
    browser = await launch();
  });

  afterAll(async () => {
    pool.closeAll();
    await browser?.close();
    await server?.close();
  });

  it('exports the JSON, then erases after the username is typed', async () => {
    const token = await register(server, 'dora');
    const client = pool.client(server, 'ws', { token });
    await client.connect();
    await client.join('lobby');
    await client.send('lobby', 'dora writes');

    const { page } = await openPage(browser, `${server.url}/admin`, { width: 1200, height: 900 });
    await page.locator('parley-admin input[name=key]').fill(server.adminKey);
    await page.locator('parley-admin input[name=key]').press('Enter');
    await page.locator('pa-settings input[name=name]').waitFor();
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Profile of dora' }).click();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export data' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('parley-app1-dora.json');
    const doc = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      user: { username: string };
      messages: { text: string }[];
    };
    expect(doc.user.username).toBe('dora');
    expect(doc.messages.map((m) => m.text)).toEqual(['dora writes']);

    const erase = page.getByRole('button', { name: 'Erase user' });
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel('Confirm the username to erase').fill('dor');
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel('Confirm the username to erase').fill('dora');
    await erase.click();
    await page.locator('pa-users p[role=status]', { hasText: 'dora was erased.' }).waitFor();
    expect(await page.locator('pa-users tr[data-user=dora]').count()).toBe(0);

    const listed = await api<{ erasures: { messages: string; counts: { messages: number } }[] }>(
      server,
      'GET',
      '/api/v1/apps/1/erasures',
    );
    expect(listed.erasures[0]).toMatchObject({ messages: 'delete', counts: { messages: 1 } });
  });
});
