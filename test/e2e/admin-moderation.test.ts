/** The console's moderation screens: the queue, slow mode per room, the word filter and a user's strikes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ParleyClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, ClientPool, NO_FLOOD, patchApp, register } from '../native/helpers.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';

describe.skipIf(SKIP_E2E)('e2e: the console moderates', () => {
  let server: TestServer;
  let browser: Browser;
  const pool = new ClientPool();

  beforeAll(async () => {
    server = await startTestServer();
    // Accounts made by the test are seconds old: they count as established reporters at once here.
    await patchApp(server, { ...NO_FLOOD, reports: { hideAfter: 5, establishedAfterHours: 0 } });
    browser = await launch();
  });

  afterAll(async () => {
    pool.closeAll();
    await browser?.close();
    await server?.close();
  });

  async function as(username: string): Promise<ParleyClient> {
    const client = pool.client(server, 'ws', { token: await register(server, username) });
    await client.connect();
    await client.join('lobby');
    return client;
  }

  it('resolves a report with a ban, sets slow mode, tests a filter rule and shows a strike', async () => {
    const ann = await as('ann');
    const ben = await as('ben');
    const troll = await as('troll');
    await ann.send('lobby', 'hello all');
    const sent = await troll.send('lobby', 'buy <b>cheap</b> pills');
    if (sent.kind !== 'message') throw new Error('expected a message');
    const id = sent.message.id;
    await ann.report('lobby', id, 'spam', 'ads again');
    await ben.report('lobby', id, 'abuse');
    // A message the filter holds for review enters the queue too.
    await patchApp(server, {
      filter: { rules: [{ phrase: 'promo', action: 'hold' }], links: 'anyone', linkMinAccountAgeHours: 0 },
    });
    const held = await ben.send('lobby', 'promo code inside');
    if (held.kind !== 'message') throw new Error('expected a held message');

    const admin = await openPage(browser, `${server.url}/admin`, { width: 1280, height: 1000 });
    const page = admin.page;
    await page.locator('parley-admin input[name=key]').fill(server.adminKey);
    await page.locator('parley-admin input[name=key]').press('Enter');
    await page.locator('pa-settings input[name=name]').waitFor();

    // The queue: the message as text, its context, the reporters with reasons, the author.
    await page.getByRole('tab', { name: 'Queue' }).click();
    const entry = page.locator(`pa-queue article[data-entry="${id}"]`);
    await entry.waitFor();
    expect(await entry.locator(`li[data-context="${id}"] .text`).textContent()).toBe(
      'buy <b>cheap</b> pills',
    );
    expect(await entry.locator('li[data-context] .text').allTextContents()).toContain('hello all');
    expect(await entry.locator('li[data-reporter=ann]').textContent()).toContain('ads again');
    expect(await entry.locator('li[data-reporter=ben]').textContent()).toContain('abuse');
    expect(await entry.locator('[data-author=troll]').textContent()).toContain('clean');
    const heldEntry = page.locator(`pa-queue article[data-entry="${held.message.id}"]`);
    expect(await heldEntry.locator('[data-reason=held]').textContent()).toBe('Held by the filter');
    await screenshot(page, 'admin-queue');
    // The search narrows the queue: words in the message, then a reason.
    const queue = page.locator('pa-queue');
    await queue.getByLabel('Words').fill('promo');
    await queue.getByRole('button', { name: 'Search' }).click();
    await entry.waitFor({ state: 'detached' });
    await heldEntry.waitFor();
    await queue.getByLabel('Words').fill('');
    await queue.getByLabel('Queue reason').selectOption('spam');
    await queue.getByRole('button', { name: 'Search' }).click();
    await heldEntry.waitFor({ state: 'detached' });
    await entry.waitFor();

    await entry.getByLabel('Ban minutes').fill('60');
    await entry.getByLabel('Reason (optional)').fill('spammer');
    await entry.getByRole('button', { name: 'Ban', exact: true }).click();
    await entry.waitFor({ state: 'detached' });
    const { bans } = await api<{ bans: { reason: string; expiresAt: number | null }[] }>(
      server,
      'GET',
      '/api/v1/apps/1/bans',
    );
    expect(bans.map((b) => b.reason)).toEqual(['spammer']);
    await page.locator('pa-queue').getByRole('button', { name: 'Resolved' }).click();
    await page.locator(`pa-queue article[data-entry="${id}"] [data-resolution=ban]`).waitFor();

    // Slow mode on the lobby, from the rooms view, seen by the API.
    await page.getByRole('tab', { name: 'Rooms & messages' }).click();
    await page.getByLabel('Slow mode of lobby in seconds (0: off)').fill('30');
    await page.getByRole('button', { name: 'Save slow mode of lobby' }).click();
    await page.locator('pa-rooms p.ok', { hasText: 'Slow mode in lobby: 30 s.' }).waitFor();
    const { rooms } = await api<{ rooms: { name: string; slowModeSeconds?: number }[] }>(
      server,
      'GET',
      '/api/v1/apps/1/rooms',
    );
    expect(rooms.find((r) => r.name === 'lobby')?.slowModeSeconds).toBe(30);

    // A filter rule, saved, and the tester's refusal.
    await page.getByRole('tab', { name: 'Filter' }).click();
    await page.locator('pa-filter').getByLabel('Phrase').fill('casino');
    await page.locator('pa-filter').getByRole('button', { name: 'Add rule' }).click();
    await page.locator('pa-filter tr[data-rule=casino]').waitFor();
    await page.locator('pa-filter').getByRole('button', { name: 'Save filter' }).click();
    await page.locator('pa-filter p.ok', { hasText: 'Filter saved.' }).waitFor();
    const { apps } = await api<{ apps: { settings: { filter: { rules: unknown[] } } }[] }>(
      server,
      'GET',
      '/api/v1/apps',
    );
    expect(apps[0]?.settings.filter.rules).toEqual([
      { phrase: 'promo', action: 'hold' },
      { phrase: 'casino', action: 'reject', match: 'word' },
    ]);
    await page.locator('pa-filter').getByLabel('Text').fill('Visit the CASINO tonight');
    await page.locator('pa-filter').getByRole('button', { name: 'Test' }).click();
    const verdict = page.locator('pa-filter [data-verdict=reject]');
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain('Refused (“casino”)');
    await screenshot(page, 'admin-filter');

    // The author's page: the strike of the upheld report, the ban in their record, and a shadow mute.
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Profile of troll' }).click();
    const standing = page.locator('pa-user-moderation [data-user-moderation=troll]');
    await standing.locator('tr[data-strike=report]').waitFor();
    await standing.locator('li[data-record=ban]').waitFor();
    await standing.getByRole('button', { name: 'Shadow mute', exact: true }).click();
    await standing.locator('p.ok', { hasText: 'troll shadow-muted until lifted.' }).waitFor();
    await screenshot(page, 'admin-user-moderation');
    await standing.getByRole('button', { name: 'Lift shadow mute' }).click();
    await standing.locator('p.ok', { hasText: 'Shadow mute of troll lifted.' }).waitFor();
    await standing.locator('li[data-record=unshadow_mute]').waitFor();

    expect(admin.errors).toEqual([]);
    await admin.context.close();
  });
});
