/**
 * Launcher mode (`mode="launcher"`), as a Lit reactive controller: the round button in a corner opens and
 * closes the box, Escape closes it, and focus goes into the box on opening and back to the button on closing.
 * The host page may open it too (the `open` attribute or property).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface LauncherHost extends ReactiveControllerHost, HTMLElement {
  open: boolean;
  readonly isLauncher: boolean;
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
    void this.host.updateComplete.then(() => {
      const root = this.host.shadowRoot;
      const find = (selector: string) => root?.querySelector<HTMLElement>(selector) ?? null;
      const target = open ? FIRST_FOCUS.map(find).find((el) => el !== null) : find('.launcher');
      target?.focus();
    });
  }
}
