/** Moderation from the admin console at /admin takes effect in the widget. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launch, openPage, screenshot, SKIP_E2E, type ChatPage } from './browser.js';
import { joinAsGuest, messageWithText, send, W } from './widget.js';

describe.skipIf(SKIP_E2E)('e2e: the admin console', () => {
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

  async function signIn(): Promise<ChatPage> {
    const admin = await openPage(browser, `${server.url}/admin`, { width: 1280, height: 900 });
    await admin.page.locator('parley-admin input[name=key]').fill('not-the-key-0123456789');
    await admin.page.locator('parley-admin input[name=key]').press('Enter');
    await admin.page.locator('parley-admin [role=alert]', { hasText: 'not right' }).waitFor();
    await admin.page.locator('parley-admin input[name=key]').fill(server.adminKey);
    await admin.page.locator('parley-admin input[name=key]').press('Enter');
    await admin.page.locator('pa-settings input[name=name]').waitFor();
    return admin;
  }

  async function tab(admin: ChatPage, name: string): Promise<void> {
    await admin.page.getByRole('tab', { name }).click();
  }

  it('mutes, deletes a message and kicks, and the widget follows; the record lists it all', async () => {
    const alice = await openPage(browser, `${server.url}/`);
    await joinAsGuest(alice.page, 'alice');
    const bob = await openPage(browser, `${server.url}/`);
    await joinAsGuest(bob.page, 'bob');
    await send(alice.page, 'Buy cheap watches!!!');
    await messageWithText(bob.page, 'Buy cheap watches').waitFor();

    const admin = await signIn();
    await screenshot(admin.page, 'admin-settings');
    // The key is kept for the tab: a reload stays signed in.
    await admin.page.reload();
    await admin.page.locator('pa-settings input[name=name]').waitFor();

    // Settings: edit and save.
    await admin.page.locator('pa-settings input[name=maxMessageLength]').fill('1500');
    await admin.page.getByRole('button', { name: 'Save settings' }).click();
    await admin.page.locator('pa-settings [role=status]', { hasText: 'Settings saved.' }).waitFor();
    const app = (await (
      await fetch(`${server.url}/api/v1/apps/1`, { headers: { authorization: `Bearer ${server.adminKey}` } })
    ).json()) as { settings: { maxMessageLength: number } };
    expect(app.settings.maxMessageLength).toBe(1500);

    // Online: mute alice for 10 minutes.
    await tab(admin, 'Online');
    const row = admin.page.locator('pa-online tr[data-user=alice]');
    await row.waitFor();
    await row.locator('select[name=minutes]').selectOption('10');
    await row.getByRole('button', { name: 'Mute' }).click();
    await admin.page.locator('pa-online [role=status]', { hasText: 'alice muted for 10 min' }).waitFor();
    await alice.page.locator(W.blocked, { hasText: 'You are muted until' }).waitFor();
    expect(await alice.page.locator(W.composer).count()).toBe(0);
    await screenshot(admin.page, 'admin-online');

    // Rooms & messages: delete the spam.
    await tab(admin, 'Rooms & messages');
    const spam = admin.page.locator('pa-rooms tr[data-message-id]', { hasText: 'Buy cheap watches' });
    await spam.getByRole('button', { name: 'Delete' }).click();
    await admin.page.locator('pa-rooms [role=status]', { hasText: 'deleted' }).waitFor();
    await bob.page.locator(W.message, { hasText: 'Message deleted' }).waitFor();
    await alice.page.locator(W.message, { hasText: 'Message deleted' }).waitFor();
    expect(await messageWithText(bob.page, 'Buy cheap watches').count()).toBe(0);
    await screenshot(admin.page, 'admin-rooms');

    // Moderation: kick alice by name.
    await tab(admin, 'Moderation');
    await admin.page.locator('pa-moderation select[name=action]').selectOption('kick');
    await admin.page.locator('pa-moderation input[name=username]').fill('alice');
    await admin.page.locator('pa-moderation input[name=reason]').fill('spam');
    await admin.page.getByRole('button', { name: 'Apply' }).click();
    await alice.page.locator(W.banner, { hasText: 'A moderator removed you from the chat.' }).waitFor();
    await alice.page.locator(W.status, { hasText: 'Offline' }).waitFor();
    await screenshot(alice.page, 'widget-kicked', 'parley-chat');
    await admin.page.locator('pa-moderation td', { hasText: 'alice' }).first().waitFor();
    await screenshot(admin.page, 'admin-moderation');

    // The record: newest first.
    await tab(admin, 'Record');
    await admin.page.locator('pa-record tr[data-kind=kick]').waitFor();
    const kinds = await admin.page.$$eval('pa-record tr[data-kind]', (rows) =>
      rows.map((r) => r.getAttribute('data-kind')),
    );
    expect(kinds).toEqual(['kick', 'delete_message', 'mute']);
    expect(await admin.page.locator('pa-record tr[data-kind=mute]').textContent()).toContain('alice');
    await screenshot(admin.page, 'admin-record');

    expect([...alice.errors, ...bob.errors]).toEqual([]);
    // The one failed request is the wrong key tried on purpose.
    expect(admin.errors.filter((e) => !e.includes('401 (Unauthorized)'))).toEqual([]);
    for (const p of [alice, bob, admin]) await p.context.close();
  });

  it('serves the console with a strict content security policy and the widget with revalidation', async () => {
    const admin = await fetch(`${server.url}/admin`);
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const widget = await fetch(`${server.url}/widget.js`);
    expect(widget.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(widget.headers.get('cache-control')).toBe('no-cache');
    const again = await fetch(`${server.url}/widget.js`, {
      headers: { 'if-none-match': widget.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
  });
});
