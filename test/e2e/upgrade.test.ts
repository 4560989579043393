/**
 * A guest signs in without leaving the room: from the widget's footer, creating an account turns the guest into
 * that user on the same WebSocket (the server's `upgrade`). The other reader sees one rename in the people list
 * (no leave and join), the new name on the next message, and the account is remembered for the next visit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, openPage, SKIP_E2E } from './browser.js';
import { expectStatus, joinAsGuest, send, W } from './widget.js';

describe.skipIf(SKIP_E2E)('e2e: a guest signs in in place', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
    const res = await fetch(`${server.url}/api/v1/apps/1`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { linkGuestMessages: true } }),
    });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('creates an account from the footer and stays on the same connection and room', async () => {
    const a = await openPage(browser, `${server.url}/`);
    await joinAsGuest(a.page, 'alice');
    const v = await openPage(browser, `${server.url}/`, { width: 390, height: 760 });
    const sockets: string[] = [];
    v.page.on('websocket', (ws) => sockets.push(ws.url()));
    await joinAsGuest(v.page, 'visitor');
    await a.page.locator(W.count, { hasText: '2' }).waitFor();
    await send(v.page, 'hello as a guest');
    await a.page.locator(W.message, { hasText: 'hello as a guest' }).waitFor();
    expect(sockets).toHaveLength(1);

    await v.page.getByRole('button', { name: 'Sign in to keep your name' }).click();
    await v.page
      .locator('parley-chat .welcome')
      .getByRole('button', { name: 'Create account' })
      .first()
      .click();
    await v.page.locator('parley-chat input[name=username]').fill('vera');
    await v.page.locator('parley-chat input[name=password]').fill('correct horse');
    await v.page.locator('parley-chat input[name=password]').press('Enter');

    await v.page.locator('parley-chat .footer', { hasText: 'Chatting as vera' }).waitFor();
    await expectStatus(v.page, 'Connected');
    // The earlier message is still in the list: the room was never left.
    await v.page.locator(W.message, { hasText: 'hello as a guest' }).waitFor();
    expect(await v.page.getByRole('button', { name: 'Sign in to keep your name' }).count()).toBe(0);

    // The other reader sees the rename, not a leave: still two online, vera among them, visitor gone.
    await a.page.locator('parley-chat header').getByRole('button', { name: '2 online: show who' }).click();
    const people = a.page.locator('parley-chat .panel');
    await people.getByText('vera').first().waitFor();
    expect(await people.getByText('visitor', { exact: true }).count()).toBe(0);

    await send(v.page, 'hello as vera');
    const seen = a.page.locator(W.message, { hasText: 'hello as vera' });
    await seen.waitFor();
    expect(await seen.textContent()).toContain('vera');
    // One WebSocket the whole time: signing in did not reconnect.
    expect(sockets).toHaveLength(1);

    // The account is remembered: a reload comes back as vera, not as a guest.
    await v.page.reload();
    await v.page.locator('parley-chat .footer', { hasText: 'Chatting as vera' }).waitFor();
    expect(v.errors).toEqual([]);
    expect(a.errors).toEqual([]);
    await a.context.close();
    await v.context.close();
  });
});
