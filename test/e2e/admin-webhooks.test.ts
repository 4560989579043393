/**
 * The console's Webhooks screen: an endpoint added, its delivery log showing a dead delivery (the receiver
 * answers 500), redelivered once the receiver is well (the same event id arrives), edited and removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, NO_FLOOD, patchApp } from '../native/helpers.js';
import { startReceiver, type Receiver } from '../webhooks/receiver.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';

const SECRET = 'console-webhook-secret-0123';

describe.skipIf(SKIP_E2E)('e2e: the admin console, webhooks', () => {
  let server: TestServer;
  let browser: Browser;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver(SECRET);
    server = await startTestServer({
      engine: { webhookRetryBaseMs: 20, webhookPollMs: 20, webhookTimeoutMs: 1000, webhookMaxAttempts: 2 },
    });
    await patchApp(server, NO_FLOOD);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  const status = (page: Page, text: string) =>
    page.locator('pa-webhooks [role=status]', { hasText: text }).waitFor();

  it('adds an endpoint, shows a dead delivery, redelivers it, edits and removes the endpoint', async () => {
    const { page } = await openPage(browser, `${server.url}/admin`, { width: 1280, height: 900 });
    await page.evaluate('window.confirm = () => true');
    await page.locator('parley-admin input[name=key]').fill(server.adminKey);
    await page.locator('parley-admin input[name=key]').press('Enter');
    await page.locator('pa-settings input[name=name]').waitFor();
    await page.getByRole('tab', { name: 'Webhooks' }).click();

    receiver.answer = () => 500;
    const form = page.locator('pa-webhooks form[data-webhook-form]');
    await form.locator('input[name=url]').fill(receiver.url);
    await form.locator('input[name=secret]').fill(SECRET);
    await form.locator('input[name=events]').fill('message.created');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await status(page, 'Webhook added.');
    const row = page.locator('pa-webhooks tr[data-webhook]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).not.toContain(SECRET);

    await api(server, 'POST', '/api/v1/apps/1/rooms/lobby/messages', {
      username: 'alice',
      text: 'hello hooks',
    });
    await row.getByRole('button', { name: 'Deliveries' }).click();
    const dead = page.locator('pa-webhooks tr[data-status=dead]');
    await expect
      .poll(async () => {
        await page.locator('pa-webhooks h3 + button', { hasText: 'Refresh' }).click();
        return dead.count();
      })
      .toBe(1);
    expect(receiver.received).toHaveLength(2);

    receiver.answer = () => 200;
    await dead.getByRole('button', { name: 'Redeliver' }).click();
    await status(page, 'queued again');
    const delivered = page.locator('pa-webhooks tr[data-status=delivered]');
    await expect
      .poll(async () => {
        await page.locator('pa-webhooks h3 + button', { hasText: 'Refresh' }).click();
        return delivered.count();
      })
      .toBe(1);
    expect(new Set(receiver.received.map((r) => r.eventId)).size).toBe(1);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    await screenshot(page, 'admin-webhooks');

    await row.getByRole('button', { name: 'Edit' }).click();
    await form.locator('input[name=events]').fill('message.created, moderation.*');
    await page.getByRole('button', { name: 'Save' }).click();
    await status(page, 'Webhook saved.');
    await expect.poll(() => row.textContent()).toContain('moderation.*');

    await row.getByRole('button', { name: 'Remove' }).click();
    await status(page, 'Webhook removed.');
    await expect.poll(() => row.count()).toBe(0);
    await page.context().close();
  });
});
