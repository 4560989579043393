/**
 * Moderating from the widget: a moderator signed in with a Parley account opens a message's "more" menu and
 * pins it, deletes another, mutes its author in the room and finally bans them; the guest's widget follows each
 * step (the deletion, the muted composer, the ban's closing banner). Members get no menu.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { launch, openPage, SKIP_E2E } from './browser.js';
import { expectStatus, joinAsGuest, messageWithText, send, W } from './widget.js';

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

async function menuItem(page: Page, text: string, item: string): Promise<void> {
  const message = messageWithText(page, text);
  await message.hover();
  await message.getByRole('button', { name: 'More actions' }).click();
  await message.getByRole('menuitem', { name: item }).click();
}

describe.skipIf(SKIP_E2E)('e2e: moderating from the widget', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
    const res = await fetch(`${server.url}/api/v1/apps/1/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'kim', password: 'moderator-pass' }),
    });
    expect(res.status).toBe(201);
    await call(server, 'PATCH', '/users/kim', { role: 'mod' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('pins, deletes, mutes and bans from a message menu', async () => {
    const m = await openPage(browser, `${server.url}/`);
    await m.page.locator('parley-chat .welcome').getByRole('button', { name: 'Sign in' }).click();
    await m.page.locator('parley-chat input[name=username]').fill('kim');
    await m.page.locator('parley-chat input[name=password]').fill('moderator-pass');
    await m.page.locator('parley-chat input[name=password]').press('Enter');
    await expectStatus(m.page, 'Connected');
    const g = await openPage(browser, `${server.url}/`);
    await joinAsGuest(g.page, 'spammer');
    await send(g.page, 'welcome everyone');
    await send(g.page, 'buy cheap watches');
    await messageWithText(m.page, 'buy cheap watches').waitFor();
    // A member has no menu on others' messages.
    expect(
      await messageWithText(g.page, 'welcome everyone').getByRole('button', { name: 'More actions' }).count(),
    ).toBe(0);

    await menuItem(m.page, 'welcome everyone', 'Pin to the room');
    await m.page.locator('parley-chat .notice', { hasText: 'Pinned.' }).waitFor();
    const pins = (await call(server, 'GET', '/rooms/lobby/pins')) as {
      pins: { message: { text: string } }[];
    };
    expect(pins.pins.map((p) => p.message.text)).toEqual(['welcome everyone']);

    await menuItem(m.page, 'buy cheap watches', 'Delete message');
    await messageWithText(m.page, 'buy cheap watches').getByRole('button', { name: 'Delete' }).click();
    await g.page.locator(`${W.message} .deleted`).waitFor();

    await menuItem(m.page, 'welcome everyone', 'Mute author for 10 minutes');
    await g.page.locator(W.blocked, { hasText: 'You are muted' }).waitFor();

    await menuItem(m.page, 'welcome everyone', 'Ban author for a day');
    await g.page.locator(W.banner, { hasText: 'You are banned from this chat.' }).waitFor();
    expect(m.errors).toEqual([]);
  });

  it('reports a message, counts down slow mode, and shows a held message to its author and mods only', async () => {
    await call(server, 'PATCH', '', {
      settings: {
        filter: { rules: [{ phrase: 'casino', action: 'hold' }], links: 'anyone', linkMinAccountAgeHours: 0 },
      },
    });
    const m = await openPage(browser, `${server.url}/`);
    await m.page.locator('parley-chat .welcome').getByRole('button', { name: 'Sign in' }).click();
    await m.page.locator('parley-chat input[name=username]').fill('kim');
    await m.page.locator('parley-chat input[name=password]').fill('moderator-pass');
    await m.page.locator('parley-chat input[name=password]').press('Enter');
    await expectStatus(m.page, 'Connected');
    const a = await openPage(browser, `${server.url}/`);
    await joinAsGuest(a.page, 'amy');
    const b = await openPage(browser, `${server.url}/`);
    await joinAsGuest(b.page, 'bob');

    // Amy reports bob's message from its menu; it is in the moderators' queue.
    await send(b.page, 'visit my shop');
    await menuItem(a.page, 'visit my shop', 'Report as spam');
    await a.page.locator('parley-chat .notice', { hasText: 'Reported to the moderators.' }).waitFor();
    const queue = (await call(server, 'GET', '/reports?status=open')) as {
      entries: { message: { text: string }; reports: { reason: string }[] }[];
    };
    expect(queue.entries.map((e) => [e.message.text, e.reports.map((r) => r.reason)])).toContainEqual([
      'visit my shop',
      ['spam'],
    ]);

    // A held message: its author and the moderator see it marked; amy never sees it.
    await send(b.page, 'casino night tonight');
    await messageWithText(b.page, 'casino night tonight')
      .locator('.held', { hasText: 'Held for review' })
      .waitFor();
    await messageWithText(m.page, 'casino night tonight').locator('.held').waitFor();
    await send(b.page, 'after the held one');
    await messageWithText(a.page, 'after the held one').waitFor();
    expect(await messageWithText(a.page, 'casino night').count()).toBe(0);

    // Slow mode: after a send the composer counts down and the send button waits.
    await call(server, 'PATCH', '/rooms/lobby', { slowModeSeconds: 30 });
    await send(a.page, 'first under slow mode');
    await a.page.locator('parley-chat form.composer .slow', { hasText: /send again in \d+ s/ }).waitFor();
    expect(await a.page.locator('parley-chat button.send').isDisabled()).toBe(true);
    // The moderator is exempt.
    await send(m.page, 'mods are exempt');
    await messageWithText(a.page, 'mods are exempt').waitFor();
    expect(await m.page.locator('parley-chat form.composer .slow').count()).toBe(0);
    for (const p of [m, a, b]) expect(p.errors).toEqual([]);
  });
});
