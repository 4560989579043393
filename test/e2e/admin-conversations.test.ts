/** The admin console's search across the app, a room's pins and a user's profile. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';

async function call(server: TestServer, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${server.url}/api/v1/apps/1${path}`, {
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

async function post(server: TestServer, room: string, username: string, text: string): Promise<number> {
  const body = (await call(server, 'POST', `/rooms/${room}/messages`, { username, text })) as {
    message: { id: number };
  };
  return body.message.id;
}

describe.skipIf(SKIP_E2E)('e2e: the console finds messages, lists pins and shows profiles', () => {
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

  it('searches every room, private ones too; shows a room’s pins and a user’s profile form', async () => {
    await call(server, 'POST', '/rooms', { name: 'staff', visibility: 'private' });
    const inLobby = await post(server, 'lobby', 'dana', 'Budget meeting moved to Thursday');
    const inStaff = await post(server, 'staff', 'erin', 'Budget <draft> & numbers are ready');
    await post(server, 'lobby', 'dana', 'Something else entirely');
    await call(server, 'PUT', `/rooms/lobby/pins/${inLobby}`);

    const admin = await openPage(browser, `${server.url}/admin`, { width: 1280, height: 900 });
    await admin.page.locator('parley-admin input[name=key]').fill(server.adminKey);
    await admin.page.locator('parley-admin input[name=key]').press('Enter');
    await admin.page.locator('pa-settings input[name=name]').waitFor();

    // Search: both rooms, newest first, the matches marked and the text shown as text.
    await admin.page.getByRole('tab', { name: 'Search' }).click();
    await admin.page.locator('pa-search input[name=q]').fill('budg');
    await admin.page.locator('pa-search input[name=q]').press('Enter');
    await admin.page.locator(`pa-search tr[data-hit="${inStaff}"]`).waitFor();
    const hits = await admin.page.$$eval('pa-search tr[data-hit]', (rows) =>
      rows.map((r) => Number(r.getAttribute('data-hit'))),
    );
    expect(hits).toEqual([inStaff, inLobby]);
    const staffHit = admin.page.locator(`pa-search tr[data-hit="${inStaff}"]`);
    expect(await staffHit.locator('mark').textContent()).toBe('Budget');
    expect(await staffHit.locator('td.text').textContent()).toContain('Budget <draft> & numbers');
    // One room only.
    await admin.page.locator('pa-search select[name=room]').selectOption('lobby');
    await admin.page.getByRole('button', { name: 'Search', exact: true }).click();
    await admin.page.locator(`pa-search tr[data-hit="${inStaff}"]`).waitFor({ state: 'detached' });
    expect(await admin.page.locator('pa-search tr[data-hit]').count()).toBe(1);
    await screenshot(admin.page, 'admin-search');

    // The lobby's pins, under its messages.
    await admin.page.getByRole('tab', { name: 'Rooms & messages' }).click();
    const pin = admin.page.locator(`pa-pins li[data-pin="${inLobby}"]`);
    await pin.waitFor();
    expect(await pin.textContent()).toContain('pinned by the operator');

    // A profile: the facts, and the form to change the display name and the avatar.
    await admin.page.getByRole('tab', { name: 'Users' }).click();
    await admin.page.getByRole('button', { name: 'Profile of dana' }).click();
    const profile = admin.page.locator('pa-users [data-profile=dana]');
    await profile.waitFor();
    expect(await profile.locator('h2').textContent()).toBe('dana');
    expect(await profile.locator('.facts').textContent()).toContain('external');
    await profile.locator('input[name=displayName]').waitFor();
    await profile.locator('input[name=avatarUrl]').waitFor();
    await screenshot(admin.page, 'admin-profile');

    expect(admin.errors).toEqual([]);
    await admin.context.close();
  });
});
