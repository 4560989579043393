/**
 * The admin dashboard under load, for the docs: starts a server, has a few clients chat in two rooms for about
 * twenty seconds, and saves the dashboard to docs/images/admin-dashboard.png. Rerun it after changing the console:
 *
 *   npm run build:web && node --import tsx test/screenshots/admin-dashboard.ts
 *
 * Needs chromium (see test/e2e/browser.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParleyClient } from '../../src/client/index.js';
import { launch, openPage } from '../e2e/browser.js';
import { REPO_ROOT, startTestServer } from '../helpers/server.js';
import { api, ClientPool, NO_FLOOD, patchApp, register } from '../native/helpers.js';

const LOAD_SECONDS = 20;
const CLIENTS = 12;

async function main(): Promise<void> {
  const server = await startTestServer();
  const pool = new ClientPool();
  const browser = await launch();
  try {
    await patchApp(server, NO_FLOOD);
    await api(server, 'POST', '/api/v1/apps/1/rooms', { name: 'support' });
    const clients: ParleyClient[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const client = pool.client(server, 'ws', { token: await register(server, `user${i}`) });
      await client.connect();
      await client.join(i % 3 === 0 ? 'support' : 'lobby');
      clients.push(client);
    }
    const { page } = await openPage(browser, `${server.url}/admin`, { width: 1280, height: 1500 });
    await page.locator('parley-admin input[name=key]').fill(server.adminKey);
    await page.locator('parley-admin input[name=key]').press('Enter');
    await page.getByRole('tab', { name: 'Dashboard' }).click();

    // Each client sends in a loop, each send waiting for its ack, with a pause that grows the load in steps.
    const until = Date.now() + LOAD_SECONDS * 1000;
    await Promise.all(
      clients.map(async (client, i) => {
        const room = i % 3 === 0 ? 'support' : 'lobby';
        for (let n = 0; Date.now() < until; n++) {
          await client.send(room, `message ${n} from user${i}`);
          const left = (until - Date.now()) / 1000;
          await new Promise((resolve) => setTimeout(resolve, left > LOAD_SECONDS / 2 ? 120 : 40));
        }
      }),
    );
    const dir = join(REPO_ROOT, 'docs', 'images');
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'admin-dashboard.png');
    await page.locator('pa-dashboard').screenshot({ path });
    console.log(`saved ${path}`);
  } finally {
    pool.closeAll();
    await browser.close();
    await server.close();
  }
}

await main();
