/**
 * Playwright (playwright-core) driving Debian's chromium. The e2e tests skip themselves, with a message, only
 * when chromium is missing outside CI; in CI a missing browser is a failure.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Dialog, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/server.js';

export const CHROMIUM = process.env['PARLEY_CHROMIUM'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** True when the e2e tests must be skipped: no browser, and not in CI. */
export const SKIP_E2E = !HAVE_CHROMIUM && !process.env['CI'];

if (SKIP_E2E) {
  console.warn(
    `[e2e] skipped: ${CHROMIUM} is not installed (apt-get install -y chromium). In CI (CI set) they run and fail instead.`,
  );
}

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'e2e');

export async function launch(): Promise<Browser> {
  if (!HAVE_CHROMIUM) throw new Error(`chromium is required for the e2e tests: ${CHROMIUM} is missing`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface ChatPage {
  context: BrowserContext;
  page: Page;
  /** Dialogs (alert, confirm…) the page opened; an injected script would show up here. */
  dialogs: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
}

export async function openPage(
  browser: Browser,
  url: string,
  opts: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {},
): Promise<ChatPage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1100, height: opts.height ?? 820 },
    colorScheme: opts.colorScheme ?? 'light',
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog: Dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url);
  return { context, page, dialogs, errors };
}

export async function screenshot(page: Page, name: string, selector?: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  if (selector) await page.locator(selector).first().screenshot({ path });
  else await page.screenshot({ path });
  return path;
}
