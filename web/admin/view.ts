/** What every panel of the console shares: the API, the app, and a status line for the last action. */
import { html, LitElement, nothing } from 'lit';
import { ApiError, type AdminApi, type App } from './api.js';
import { adminStyles } from './styles.js';

export abstract class AdminView extends LitElement {
  static override styles = [adminStyles];
  static override properties = {
    api: { attribute: false },
    app: { attribute: false },
    status: { state: true },
  };

  declare api: AdminApi;
  declare app: App;
  declare status: { ok: boolean; text: string } | null;

  constructor() {
    super();
    this.status = null;
  }

  /** Loads the panel's data; called when the app changes and by the Refresh button. */
  abstract load(): Promise<void>;

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('app') && this.app) void this.run(() => this.load());
  }

  /** Runs an action, reporting its outcome in the status line. */
  protected async run(action: () => Promise<unknown>, done?: string): Promise<boolean> {
    try {
      await action();
      if (done) this.status = { ok: true, text: done };
      return true;
    } catch (err) {
      const text = err instanceof ApiError ? `${err.message} (${err.code})` : String(err);
      this.status = { ok: false, text };
      return false;
    }
  }

  protected statusLine() {
    if (!this.status) return nothing;
    return html`<p class=${this.status.ok ? 'ok' : 'error'} role=${this.status.ok ? 'status' : 'alert'}>
      ${this.status.text}
    </p>`;
  }
}

export function minutesOf(value: string): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
