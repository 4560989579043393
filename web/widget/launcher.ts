/**
 * Launcher mode (`mode="launcher"`), as a Lit reactive controller: the round button in a corner opens and
 * closes the box, Escape closes it, and focus goes into the box on opening and back to the button on closing.
 * The host page may open it too (the `open` attribute or property). Whether the reader left it open is kept for
 * the tab (sessionStorage), so that the box stays open from one page of the site to the next, as it was; a page
 * that comes back to an open box does not take the focus.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface LauncherHost extends ReactiveControllerHost, HTMLElement {
  open: boolean;
  readonly isLauncher: boolean;
  readonly serverUrl: string;
  readonly app: number;
}

/** What takes the focus when the box opens: the composer, else the welcome screen's first field, else "close". */
const FIRST_FOCUS = ['#composer', '.welcome input', '.welcome button', '.l-close'];

export class LauncherController implements ReactiveController {
  private wasOpen: boolean | null = null;
  private readonly onKey = (e: KeyboardEvent) => {
    // Panels, menus, the picker and the editors handle their own Escape first.
    if (e.key !== 'Escape' || e.defaultPrevented || !this.host.isLauncher || !this.host.open) return;
    e.preventDefault();
    this.set(false);
  };

  /** `changed`: the box was opened or closed (by the reader or the host page), before it is drawn so. */
  constructor(
    private readonly host: LauncherHost,
    private readonly changed: (open: boolean) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('keydown', this.onKey);
    // The attributes are read by now (the element is connected): a box the reader left open opens again.
    queueMicrotask(() => {
      if (this.host.isLauncher && !this.host.open && this.remembered() === '1') this.host.open = true;
    });
  }

  private get storageKey(): string {
    return `parley:launcher:${this.host.serverUrl}:${this.host.app}`;
  }

  private remembered(): string | null {
    try {
      return sessionStorage.getItem(this.storageKey);
    } catch {
      return null; // storage refused (a sandboxed frame): every page starts closed
    }
  }

  private remember(open: boolean): void {
    try {
      sessionStorage.setItem(this.storageKey, open ? '1' : '0');
    } catch {
      // As above: nothing kept.
    }
  }

  hostDisconnected(): void {
    this.host.removeEventListener('keydown', this.onKey);
  }

  hostUpdate(): void {
    const open = this.host.isLauncher && this.host.open;
    if (this.wasOpen !== null && open !== this.wasOpen) this.changed(open);
    this.wasOpen = open;
  }

  toggle(): void {
    this.set(!this.host.open);
  }

  show(): void {
    this.set(true);
  }

  hide(): void {
    this.set(false);
  }

  private set(open: boolean): void {
    if (!this.host.isLauncher || open === this.host.open) return;
    this.host.open = open;
    this.remember(open);
    void this.host.updateComplete.then(() => {
      const root = this.host.shadowRoot;
      const find = (selector: string) => root?.querySelector<HTMLElement>(selector) ?? null;
      const target = open ? FIRST_FOCUS.map(find).find((el) => el !== null) : find('.launcher');
      target?.focus();
    });
  }
}
