/**
 * A sound and a browser notification for mentions and DMs while the tab is hidden. The host site offers them
 * (`notify="sound,browser"`); the reader turns them on with the bell in the header. That click is when the
 * browser's permission is asked (never on load, which browsers penalise) and when audio may start. The
 * reader's choice is kept in this browser per server and app.
 */
import { playChime, unlockChime } from './chime.js';

export type NotifyKind = 'sound' | 'browser';

/** `sound,browser` (commas or spaces), unknown words ignored. */
export function notifyKinds(value: string | undefined): ReadonlySet<NotifyKind> {
  const kinds = new Set<NotifyKind>();
  for (const word of (value ?? '').toLowerCase().split(/[\s,]+/)) {
    if (word === 'sound' || word === 'browser') kinds.add(word);
  }
  return kinds;
}

export interface Alert {
  title: string;
  body: string;
  /** The room it happened in: a click goes there. */
  room: string;
}

export interface NotifierSetup {
  kinds: ReadonlySet<NotifyKind>;
  /** Where the reader's choice is kept (per server and app). */
  key: string;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked third-party storage, sandboxed frames
  }
}

function permission(): NotificationPermission | null {
  return typeof Notification === 'undefined' ? null : Notification.permission;
}

export class Notifier {
  constructor(private readonly setup: () => NotifierSetup) {}

  /** The site offers something this browser can do. */
  get offered(): boolean {
    const { kinds } = this.setup();
    return (
      (kinds.has('sound') && typeof AudioContext !== 'undefined') ||
      (kinds.has('browser') && permission() !== null)
    );
  }

  get enabled(): boolean {
    return storage()?.getItem(this.setup().key) === 'on';
  }

  /** Only browser notifications are offered, and the browser refuses them for this site. */
  get blocked(): boolean {
    const { kinds } = this.setup();
    return !kinds.has('sound') && permission() === 'denied';
  }

  /** The reader's click on the bell: on (asking the browser's permission if need be) or off. */
  async toggle(): Promise<void> {
    const { kinds, key } = this.setup();
    if (this.enabled) {
      storage()?.removeItem(key);
      return;
    }
    storage()?.setItem(key, 'on');
    if (kinds.has('sound')) unlockChime();
    if (kinds.has('browser') && permission() === 'default') await Notification.requestPermission();
  }

  /** While the tab is hidden and the reader turned them on: the chime, the notification (a click: `open`). */
  alert(alert: Alert, open: () => void): void {
    if (!this.enabled || document.visibilityState !== 'hidden') return;
    const { kinds } = this.setup();
    if (kinds.has('sound')) playChime();
    if (!kinds.has('browser') || permission() !== 'granted') return;
    try {
      // One per room: a newer one replaces the older (across tabs too).
      const shown = new Notification(alert.title, { body: alert.body, tag: `parley:${alert.room}` });
      shown.onclick = () => {
        window.focus();
        shown.close();
        open();
      };
    } catch {
      // Chrome on Android shows notifications from a service worker only: the sound (if any) has to do.
    }
  }
}
