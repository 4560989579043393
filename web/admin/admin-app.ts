/** <parley-admin>: sign in with the admin key, pick an app, and work in one of the panels. */
import { css, html, LitElement, nothing } from 'lit';
import { AdminApi, ApiError, storedKey, storeKey, type App } from './api.js';
import { adminStyles } from './styles.js';

const TABS = [
  { id: 'settings', label: 'Settings', tag: 'pa-settings' },
  { id: 'dashboard', label: 'Dashboard', tag: 'pa-dashboard' },
  { id: 'apps', label: 'Apps', tag: 'pa-apps' },
  { id: 'rooms', label: 'Rooms & messages', tag: 'pa-rooms' },
  { id: 'search', label: 'Search', tag: 'pa-search' },
  { id: 'users', label: 'Users', tag: 'pa-users' },
  { id: 'tokens', label: 'Tokens', tag: 'pa-tokens' },
  { id: 'online', label: 'Online', tag: 'pa-online' },
  { id: 'queue', label: 'Queue', tag: 'pa-queue' },
  { id: 'moderation', label: 'Moderation', tag: 'pa-moderation' },
  { id: 'filter', label: 'Filter', tag: 'pa-filter' },
  { id: 'record', label: 'Record', tag: 'pa-record' },
  { id: 'audit', label: 'Audit', tag: 'pa-audit' },
  { id: 'webhooks', label: 'Webhooks', tag: 'pa-webhooks' },
  { id: 'bots', label: 'Bots', tag: 'pa-bots' },
] as const;

type TabId = (typeof TABS)[number]['id'];

export class AdminApp extends LitElement {
  static override styles = [
    adminStyles,
    css`
      :host {
        min-height: 100vh;
        background: var(--bg);
      }
      .top {
        display: flex;
        align-items: center;
        gap: 16px;
        padding: 10px 24px;
        background: var(--panel);
        border-bottom: 1px solid var(--border);
      }
      .brand {
        font-weight: 700;
        letter-spacing: -0.01em;
        font-size: 1.1em;
      }
      .brand span {
        color: var(--accent);
      }
      .spacer {
        flex: 1;
      }
      /* Fourteen tabs: they scroll sideways rather than widen the page (a phone shows four or five). */
      nav {
        display: flex;
        gap: 4px;
        padding: 0 24px;
        background: var(--panel);
        border-bottom: 1px solid var(--border);
        overflow-x: auto;
        scrollbar-width: thin;
      }
      nav button {
        flex: none;
        white-space: nowrap;
        border: 0;
        border-bottom: 2px solid transparent;
        border-radius: 0;
        padding: 10px 12px;
        background: none;
        color: var(--muted);
      }
      nav button[aria-selected='true'] {
        color: var(--fg);
        border-bottom-color: var(--accent);
        font-weight: 600;
      }
      main {
        max-width: 1100px;
        margin: 0 auto;
        padding: 20px 24px;
      }
      /* A phone: the top bar wraps, the margins narrow. */
      @media (max-width: 600px) {
        .top {
          flex-wrap: wrap;
          gap: 8px;
          padding: 8px 12px;
        }
        .top select {
          max-width: 45vw;
        }
        nav {
          padding: 0 12px;
        }
        main {
          padding: 12px;
        }
      }
      .login {
        max-width: 380px;
        margin: 12vh auto;
      }
      .login form {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
    `,
  ];

  static override properties = {
    api: { state: true },
    apps: { state: true },
    appId: { state: true },
    tab: { state: true },
    error: { state: true },
  };

  declare api: AdminApi | null;
  declare apps: App[];
  declare appId: number | null;
  declare tab: TabId;
  declare error: string;

  constructor() {
    super();
    const key = storedKey();
    this.api = key ? new AdminApi(key) : null;
    this.apps = [];
    this.appId = null;
    this.tab = 'settings';
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.api) void this.loadApps(this.api);
  }

  private async loadApps(api: AdminApi): Promise<boolean> {
    try {
      this.apps = (await api.apps()).apps;
      this.appId = this.apps.some((a) => a.id === this.appId) ? this.appId : (this.apps[0]?.id ?? null);
      this.api = api;
      this.error = '';
      return true;
    } catch (err) {
      this.error =
        err instanceof ApiError && err.status === 401 ? 'That admin key is not right.' : String(err);
      this.api = null;
      storeKey(null);
      return false;
    }
  }

  private async login(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).querySelector('input');
    const key = input?.value.trim() ?? '';
    if (!key) return;
    if (await this.loadApps(new AdminApi(key))) storeKey(key);
  }

  private logout(): void {
    storeKey(null);
    this.api = null;
    this.apps = [];
  }

  /** A tab scrolled out of sight in the nav comes into view when chosen. */
  private select(tab: TabId, e: Event): void {
    this.tab = tab;
    (e.currentTarget as HTMLElement).scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  private onAppUpdated(e: CustomEvent<App>): void {
    this.apps = this.apps.map((a) => (a.id === e.detail.id ? e.detail : a));
  }

  /** An app opened from the Apps tab becomes the console's app (on `tab` when given). */
  private onAppSelected(e: CustomEvent<{ app: App; tab: TabId | null }>): void {
    this.appId = e.detail.app.id;
    if (e.detail.tab) this.tab = e.detail.tab;
  }

  private onAppCreated(e: CustomEvent<App>): void {
    this.apps = [...this.apps.filter((a) => a.id !== e.detail.id), e.detail];
  }

  private panel(app: App) {
    const api = this.api;
    switch (this.tab) {
      case 'dashboard':
        return html`<pa-dashboard .api=${api} .app=${app}></pa-dashboard>`;
      case 'apps':
        return html`<pa-apps .api=${api} .app=${app}></pa-apps>`;
      case 'tokens':
        return html`<pa-tokens .api=${api} .app=${app}></pa-tokens>`;
      case 'audit':
        return html`<pa-audit .api=${api} .app=${app}></pa-audit>`;
      case 'webhooks':
        return html`<pa-webhooks .api=${api} .app=${app}></pa-webhooks>`;
      case 'bots':
        return html`<pa-bots .api=${api} .app=${app}></pa-bots>`;
      case 'settings':
        return html`<pa-settings .api=${api} .app=${app}></pa-settings>`;
      case 'rooms':
        return html`<pa-rooms .api=${api} .app=${app}></pa-rooms>`;
      case 'search':
        return html`<pa-search .api=${api} .app=${app}></pa-search>`;
      case 'users':
        return html`<pa-users .api=${api} .app=${app}></pa-users>`;
      case 'online':
        return html`<pa-online .api=${api} .app=${app}></pa-online>`;
      case 'queue':
        return html`<pa-queue .api=${api} .app=${app}></pa-queue>`;
      case 'filter':
        return html`<pa-filter .api=${api} .app=${app}></pa-filter>`;
      case 'moderation':
        return html`<pa-moderation .api=${api} .app=${app}></pa-moderation>`;
      case 'record':
        return html`<pa-record .api=${api} .app=${app}></pa-record>`;
    }
  }

  override render() {
    if (!this.api) {
      return html`<div class="login card">
        <h2>Parley admin</h2>
        <form @submit=${(e: SubmitEvent) => void this.login(e)}>
          <label
            >Admin key <input type="password" name="key" autocomplete="current-password" required autofocus
          /></label>
          <p class="muted">
            Printed once at the first start and saved in <code>admin.key</code> in the data directory. It is
            kept for this tab only.
          </p>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          <button class="primary">Sign in</button>
        </form>
      </div>`;
    }
    const app = this.apps.find((a) => a.id === this.appId);
    return html`<div class="top">
        <div class="brand"><span>◆</span> Parley admin</div>
        <label class="check"
          >App
          <select
            aria-label="App"
            @change=${(e: Event) => (this.appId = Number((e.currentTarget as HTMLSelectElement).value))}
          >
            ${this.apps.map((a) => html`<option value=${a.id} ?selected=${a.id === this.appId}>${a.id} · ${a.name}</option>`)}
          </select></label
        >
        <div class="spacer"></div>
        <a href="/" class="muted">Demo page</a>
        <button @click=${() => this.logout()}>Sign out</button>
      </div>
      <nav role="tablist" aria-label="Sections">
        ${TABS.map(
          (t) =>
            html`<button
              role="tab"
              aria-selected=${this.tab === t.id}
              @click=${(e: Event) => this.select(t.id, e)}
            >
              ${t.label}
            </button>`,
        )}
      </nav>
      <main
        role="tabpanel"
        @app-updated=${(e: CustomEvent<App>) => this.onAppUpdated(e)}
        @app-created=${(e: CustomEvent<App>) => this.onAppCreated(e)}
        @app-selected=${(e: CustomEvent<{ app: App; tab: TabId | null }>) => this.onAppSelected(e)}
      >
        ${app ? this.panel(app) : html`<p class="muted">No apps.</p>`}
      </main>`;
  }
}
