/**
 * What a test needs to see the widget call for attention: a tab that can be "hidden" on demand, and records of
 * the browser notifications shown, of the permission asked (and whether a click of the user's was behind it),
 * and of the chime's tones. Installed as init scripts, before any script of the page runs.
 */
import type { BrowserContext, Page } from 'playwright-core';

/**
 * `document.visibilityState` and `document.hidden` follow `window.__setHidden(bool)`, which dispatches
 * `visibilitychange` as the browser does when the tab goes to the background (headless tabs never do).
 */
const VISIBILITY = `
  window.__setHidden = (hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  };`;

/** Notification and AudioContext stand-ins that record what the widget does with them. */
const RECORDERS = `
  window.__notifications = [];
  window.__permissionAsks = [];
  window.__tones = 0;
  class RecordedNotification {
    static permission = 'default';
    static requestPermission() {
      // Browsers want a user gesture behind the request: record whether there was one.
      window.__permissionAsks.push(navigator.userActivation.isActive);
      RecordedNotification.permission = 'granted';
      return Promise.resolve('granted');
    }
    constructor(title, options = {}) {
      this.title = title;
      this.onclick = null;
      window.__notifications.push({ title, body: options.body, tag: options.tag });
      window.__lastNotification = this;
    }
    close() {}
  }
  window.Notification = RecordedNotification;
  class RecordedAudioContext {
    state = 'suspended';
    currentTime = 0;
    destination = {};
    resume() { this.state = 'running'; return Promise.resolve(); }
    createGain() {
      return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (next) => next };
    }
    createOscillator() {
      return { type: '', frequency: { value: 0 }, connect: (next) => next, start: () => window.__tones++, stop() {} };
    }
  }
  window.AudioContext = RecordedAudioContext;`;

export async function installAttentionStubs(context: BrowserContext): Promise<void> {
  await context.addInitScript(VISIBILITY);
  await context.addInitScript(RECORDERS);
}

export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(`window.__setHidden(${hidden})`);
}

/** A value a stub recorded on `window`. */
export async function recorded<T>(page: Page, name: string): Promise<T> {
  return page.evaluate((n) => Reflect.get(globalThis, n) as T, name);
}

export interface RecordedNotification {
  title: string;
  body: string;
  tag: string;
}

/** Waits until the page has shown `count` notifications; returns them. */
export async function notifications(page: Page, count: number): Promise<RecordedNotification[]> {
  await page.waitForFunction(`window.__notifications.length >= ${count}`);
  return recorded<RecordedNotification[]>(page, '__notifications');
}
