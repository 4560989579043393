/**
 * The audit trail: every change made through the admin API, newest first (GET /api/v1/apps/:app/audit), or the
 * whole server's (GET /api/v1/audit), with secrets blanked by the server.
 */
import { html, nothing } from 'lit';
import { when, type AuditEntry } from '../api.js';
import { AdminView } from '../view.js';

export class AuditView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    entries: { state: true },
    cursor: { state: true },
    server: { state: true },
  };

  declare entries: AuditEntry[];
  declare cursor: number | null;
  /** The whole server's trail rather than the app's. */
  declare server: boolean;

  constructor() {
    super();
    this.entries = [];
    this.cursor = null;
    this.server = false;
  }

  async load(): Promise<void> {
    const page = await this.api.audit(this.server ? null : this.app.id);
    this.entries = page.entries;
    this.cursor = page.nextCursor;
  }

  private async older(): Promise<void> {
    if (this.cursor === null) return;
    const page = await this.api.audit(this.server ? null : this.app.id, this.cursor);
    this.entries = [...this.entries, ...page.entries];
    this.cursor = page.nextCursor;
  }

  private scope(server: boolean): void {
    this.server = server;
    void this.run(() => this.load());
  }

  override render() {
    return html`<div class="card">
      <h2>Audit trail</h2>
      <div class="row">
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.server}
            @change=${(e: Event) => this.scope((e.currentTarget as HTMLInputElement).checked)}
          />Every app and the server's own changes</label
        >
        <button @click=${() => void this.run(() => this.load())}>Refresh</button>
      </div>
      ${this.statusLine()}
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Action</th>
              <th>App</th>
              <th>By</th>
              <th>Changes</th>
            </tr>
          </thead>
          <tbody>
            ${this.entries.map(
              (e) =>
                html`<tr data-audit=${e.action}>
                  <td class="muted">${when(e.at)}</td>
                  <td><code>${e.action}</code></td>
                  <td>${e.appId ?? 'server'}</td>
                  <td>
                    ${e.actor}${e.address ? html`<br /><span class="muted">${e.address}</span>` : nothing}
                  </td>
                  <td class="text"><code>${JSON.stringify(e.changes)}</code></td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${this.entries.length === 0 ? html`<p class="muted">No change recorded yet.</p>` : nothing}
      ${this.cursor !== null ? html`<button @click=${() => void this.run(() => this.older())}>Older</button>` : nothing}
    </div>`;
  }
}
