/** Driving the chat widget from a test: its parts are in an open shadow root, which Playwright's CSS pierces. */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { TEST_ADMIN_KEY } from '../helpers/server.js';

export const W = {
  root: 'parley-chat',
  nickname: 'parley-chat input[name=nickname]',
  composer: 'parley-chat textarea#composer',
  status: 'parley-chat .status',
  count: 'parley-chat .people .count',
  message: 'parley-chat li.msg[data-msg-id]',
  typing: 'parley-chat .typing',
  blocked: 'parley-chat .blocked',
  banner: 'parley-chat .banner',
};

export async function joinAsGuest(page: Page, nickname: string): Promise<void> {
  await page.locator(W.nickname).fill(nickname);
  await page.locator(W.nickname).press('Enter');
  await page.locator(W.composer).waitFor();
  await expectStatus(page, 'Connected');
}

export async function expectStatus(page: Page, text: string, timeout = 15_000): Promise<void> {
  await page.locator(W.status, { hasText: text }).waitFor({ timeout });
}

export async function send(page: Page, text: string): Promise<void> {
  await page.locator(W.composer).fill(text);
  await page.locator(W.composer).press('Enter');
}

/** The message ids rendered in the widget, in display order. */
export async function renderedIds(page: Page): Promise<number[]> {
  return page.$$eval(W.message, (items) => items.map((li) => Number(li.getAttribute('data-msg-id'))));
}

export async function renderedSeqs(page: Page): Promise<number[]> {
  return page.$$eval(W.message, (items) => items.map((li) => Number(li.getAttribute('data-seq'))));
}

export function messageWithText(page: Page, text: string) {
  return page.locator(W.message, { hasText: text });
}

export function expectUnique(ids: number[]): void {
  expect(new Set(ids).size, `duplicates in ${ids.join(',')}`).toBe(ids.length);
}

/** POST /api/v1/apps/1/rooms/lobby/messages as the admin. */
export async function publish(baseUrl: string, username: string, text: string): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/apps/1/rooms/lobby/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, text }),
  });
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
}
