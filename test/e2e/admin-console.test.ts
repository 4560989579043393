/**
 * The console's screens for what the admin API offers (apps, settings with allowed origins and the site JWT,
 * users and roles, tokens, the audit trail), each used once, and the dashboard drawing live numbers, at a
 * desktop width and at a phone's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ParleyClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, ClientPool, NO_FLOOD, patchApp, register } from '../native/helpers.js';
import { launch, openPage, screenshot, SKIP_E2E } from './browser.js';

interface AppJson {
  id: number;
  name: string;
  settings: { allowedOrigins: string[] | null; jwt: { alg: string; secret?: string } | null };
}

/**
 * The elements, shadow roots included, that stick out past the viewport's right edge and are not inside
 * something that scrolls or clips them sideways (the tab bar, a wide table's wrapper).
 */
const STICKING_OUT = `(() => {
  const view = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement ?? el.getRootNode().host; p; p = p.parentElement ?? p.getRootNode().host) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.getBoundingClientRect().right > view + 0.5 && !clipped(el)) {
        found.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className) : ''));
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found.slice(0, 10);
})()`;

/** What a <pa-chart> holds: uPlot's data (times, then one array per series) and whether it drew. */
async function chartData(page: Page, id: string): Promise<{ data: (number | null)[][]; drawn: boolean }> {
  return page.locator(`pa-chart[data-chart=${id}]`).evaluate((el) => {
    const chart = el as unknown as { data: (number | null)[][]; plot: object | null };
    return {
      data: chart.data,
      drawn: chart.plot !== null && el.shadowRoot?.querySelector('canvas') !== null,
    };
  });
}

describe.skipIf(SKIP_E2E)('e2e: the admin console, complete', () => {
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

  async function signIn(width: number, height = 900): Promise<Page> {
    const { page } = await openPage(browser, `${server.url}/admin`, { width, height });
    // The console asks before it revokes; the test says yes.
    await page.evaluate('window.confirm = () => true');
    await page.locator('parley-admin input[name=key]').fill(server.adminKey);
    await page.locator('parley-admin input[name=key]').press('Enter');
    await page.locator('pa-settings input[name=name]').waitFor();
    return page;
  }

  const status = (page: Page, view: string, text: string) =>
    page.locator(`${view} [role=status]`, { hasText: text }).waitFor();

  it('creates an app, sets its origins and site JWT, makes a user a mod, issues and revokes a token, audits it', async () => {
    const page = await signIn(1280);

    // Apps: a new one, opened on its settings.
    await page.getByRole('tab', { name: 'Apps' }).click();
    await page.locator('pa-apps input[name=name]').fill('Second site');
    await page.getByRole('button', { name: 'Create app' }).click();
    await status(page, 'pa-apps', 'App Second site created.');
    const row = page.locator('pa-apps tr', { hasText: 'Second site' });
    const appId = Number(await row.getAttribute('data-app'));
    expect(appId).toBeGreaterThan(1);
    await row.getByRole('button', { name: 'Settings of Second site' }).click();
    await expect.poll(() => page.locator('pa-settings input[name=name]').inputValue()).toBe('Second site');
    await screenshot(page, 'admin-apps');

    // Settings: allowed origins.
    await page
      .locator('pa-settings textarea[name=allowedOrigins]')
      .fill('https://shop.example\nhttps://www.shop.example');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await status(page, 'pa-settings', 'Settings saved.');

    // The site JWT: a generated HS256 secret.
    await page.locator('pa-jwt select[name=alg]').selectOption('HS256');
    await page.locator('pa-jwt').getByRole('button', { name: 'Generate' }).click();
    const secret = await page.locator('pa-jwt input[name=secret]').inputValue();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'Save JWT settings' }).click();
    await status(page, 'pa-jwt', 'Site JWTs signed with HS256 accepted.');
    await screenshot(page, 'admin-jwt', 'pa-jwt');
    const saved = await api<AppJson>(server, 'GET', `/api/v1/apps/${appId}`);
    expect(saved.settings.allowedOrigins).toEqual(['https://shop.example', 'https://www.shop.example']);
    expect(saved.settings.jwt).toEqual({ alg: 'HS256', secret });

    // Users: carol, created a member, made a mod.
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.locator('pa-users input[name=username]').fill('carol');
    await page.locator('pa-users input[name=password]').fill('carol-password');
    await page.getByRole('button', { name: 'Create user' }).click();
    await status(page, 'pa-users', 'User carol created.');
    await page.getByLabel('Role of carol').selectOption('mod');
    await page.getByRole('button', { name: 'Change role' }).click();
    await status(page, 'pa-users', 'carol is now mod.');
    await page.locator('pa-users tr[data-user=carol]', { hasText: 'mod' }).waitFor();
    const users = await api<{ users: { username: string; role: string }[] }>(
      server,
      'GET',
      `/api/v1/apps/${appId}/users`,
    );
    expect(users.users.find((u) => u.username === 'carol')?.role).toBe('mod');

    // Tokens: one for dave, who connects with it; revoked, his connection is closed.
    await page.getByRole('tab', { name: 'Tokens' }).click();
    await page.locator('pa-tokens form').first().locator('input[name=username]').fill('dave');
    await page.locator('pa-tokens select[name=ttl]').selectOption({ label: '1 day' });
    await page.getByRole('button', { name: 'Issue token' }).click();
    await status(page, 'pa-tokens', 'Token issued for dave.');
    const token = await page.getByLabel('The new token').inputValue();
    const tokenRow = page.locator('pa-tokens tr[data-token]');
    await expect.poll(() => tokenRow.count()).toBe(1);
    const tokenId = await tokenRow.getAttribute('data-token');
    const dave = pool.client(server, 'ws', { token }, { app: appId });
    await dave.connect();
    const closed = new Promise<unknown>((resolve) => dave.on('disconnected', (e) => resolve(e)));
    await page.getByRole('button', { name: `Revoke ${tokenId ?? ''}` }).click();
    await status(page, 'pa-tokens', `Token ${tokenId ?? ''} revoked.`);
    expect(await closed).toMatchObject({ code: 4011, reason: 'revoked' });
    await expect.poll(() => tokenRow.count()).toBe(0);
    const left = await api<{ tokens: unknown[] }>(server, 'GET', `/api/v1/apps/${appId}/users/dave/tokens`);
    expect(left.tokens).toEqual([]);

    // Audit: the app's changes, then the server's (the app created).
    await page.getByRole('tab', { name: 'Audit' }).click();
    for (const action of ['token.revoke', 'token.issue', 'user.update', 'user.create', 'app.update']) {
      await page.locator(`pa-audit tr[data-audit="${action}"]`).first().waitFor();
    }
    expect(await page.locator('pa-audit tr[data-audit="app.create"]').count()).toBe(0);
    await page.getByLabel("Every app and the server's own changes").check();
    await page.locator('pa-audit tr[data-audit="app.create"]').waitFor();
    await screenshot(page, 'admin-audit');
    await page.context().close();
  });

  it('draws the dashboard from live numbers: connections and messages per second follow the traffic', async () => {
    const clients: ParleyClient[] = [];
    for (const name of ['erin', 'finn', 'gail']) {
      const client = pool.client(server, 'ws', { token: await register(server, name) });
      await client.connect();
      await client.join('lobby');
      clients.push(client);
    }
    const page = await signIn(1280, 1400);
    await page.getByRole('tab', { name: 'Dashboard' }).click();

    // Traffic until the charts show it: each client sends in turn, each send waiting for its ack.
    let sending = true;
    const traffic = (async () => {
      for (let i = 0; sending; i++) await clients[i % clients.length]?.send('lobby', `load ${i}`);
    })();
    try {
      await expect
        .poll(async () => (await chartData(page, 'messages')).data[1]?.some((v) => (v ?? 0) > 0), {
          timeout: 15_000,
        })
        .toBe(true);
      await expect
        .poll(async () => Math.max(...((await chartData(page, 'connections')).data[1] ?? []).map(Number)), {
          timeout: 15_000,
        })
        .toBeGreaterThanOrEqual(clients.length);
      await expect
        .poll(async () => (await chartData(page, 'ack')).data[3]?.some((v) => v !== null && v > 0), {
          timeout: 15_000,
        })
        .toBe(true);
      await expect
        .poll(async () => (await chartData(page, 'rooms')).data[1]?.some((v) => (v ?? 0) > 0), {
          timeout: 15_000,
        })
        .toBe(true);
    } finally {
      sending = false;
      await traffic;
    }
    for (const id of ['connections', 'messages', 'ack', 'fanout', 'loop', 'rooms']) {
      const chart = await chartData(page, id);
      expect(chart.drawn, id).toBe(true);
      expect(chart.data[0]?.length, id).toBeGreaterThan(0);
    }
    const out = (await chartData(page, 'messages')).data[2] ?? [];
    expect(out.some((v) => (v ?? 0) > 0)).toBe(true);
    await page.locator('pa-dashboard pa-chart[data-chart=rooms]', { hasText: '#lobby' }).waitFor();
    await screenshot(page, 'admin-dashboard');
    await page.context().close();
  });

  it('fits a 390 px phone: the dashboard and the tabs scroll inside, the page never sideways', async () => {
    const page = await signIn(390, 844);
    await page.getByRole('tab', { name: 'Dashboard' }).click();
    await expect
      .poll(async () => (await chartData(page, 'messages')).data[0]?.length ?? 0)
      .toBeGreaterThan(0);
    const widths = () =>
      page.evaluate(
        '({ page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth })',
      ) as Promise<{ page: number; view: number }>;
    const { page: pageWidth, view } = await widths();
    expect(await page.evaluate(STICKING_OUT)).toEqual([]);
    expect(pageWidth).toBeLessThanOrEqual(view);
    const chartWidth = await page
      .locator('pa-chart[data-chart=messages]')
      .evaluate((el) => el.getBoundingClientRect().right);
    expect(chartWidth).toBeLessThanOrEqual(view);
    await screenshot(page, 'admin-dashboard-390');
    // The last tab is reachable by scrolling the tab bar.
    await page.getByRole('tab', { name: 'Audit' }).click();
    await page.locator('pa-audit h2').waitFor();
    expect(await page.evaluate(STICKING_OUT)).toEqual([]);
    expect((await widths()).page).toBeLessThanOrEqual(view);
    await page.context().close();
  });
});
