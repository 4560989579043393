/**
 * Every app of the server (GET /api/v1/apps), and a new one (POST /api/v1/apps). Opening an app makes it the
 * console's app; its settings are on the Settings tab. The API deletes no app, so neither does the console.
 */
import { html } from 'lit';
import type { App } from '../api.js';
import { AdminView } from '../view.js';

export class AppsView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    apps: { state: true },
  };

  declare apps: App[];

  constructor() {
    super();
    this.apps = [];
  }

  async load(): Promise<void> {
    this.apps = (await this.api.apps()).apps;
  }

  private open(app: App, tab: 'settings' | null = null): void {
    this.dispatchEvent(
      new CustomEvent('app-selected', { detail: { app, tab }, bubbles: true, composed: true }),
    );
  }

  private async create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    let created: App | null = null;
    const ok = await this.run(async () => {
      created = await this.api.createApp(name);
      await this.load();
    }, `App ${name} created.`);
    if (ok && created) {
      form.reset();
      this.dispatchEvent(new CustomEvent('app-created', { detail: created, bubbles: true, composed: true }));
    }
  }

  override render() {
    return html`<div class="card">
      <h2>Apps</h2>
      <p class="muted">
        An app is one tenant: its own users, rooms, settings and moderation. Sites connect to one with
        <code>data-app</code> (the widget) or <code>app</code> (the client).
      </p>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Name</th>
              <th>Guests</th>
              <th>Origins</th>
              <th>Site JWT</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${this.apps.map(
              (a) =>
                html`<tr data-app=${a.id}>
                  <td>${a.id}</td>
                  <td>
                    <strong>${a.name}</strong>
                    ${a.id === this.app.id ? html`<span class="pill">open</span>` : ''}
                  </td>
                  <td>${a.settings.allowGuests ? 'yes' : 'no'}</td>
                  <td class="muted">${a.settings.allowedOrigins?.join(', ') ?? 'any the server allows'}</td>
                  <td>${a.settings.jwt ? html`<code>${a.settings.jwt.alg}</code>` : 'none'}</td>
                  <td>
                    <div class="row">
                      <button aria-label="Open ${a.name}" @click=${() => this.open(a)}>Open</button>
                      <button aria-label="Settings of ${a.name}" @click=${() => this.open(a, 'settings')}>
                        Settings
                      </button>
                    </div>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <form class="row" style="margin-top:12px" @submit=${(e: SubmitEvent) => void this.create(e)}>
        <label>New app<input name="name" required maxlength="100" /></label>
        <button class="primary">Create app</button>
      </form>
      ${this.statusLine()}
    </div>`;
  }
}
