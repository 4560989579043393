/** An app's name and settings, edited in place (PATCH /api/v1/apps/:app). */
import { html } from 'lit';
import type { AppSettings } from '../api.js';
import { AdminView } from '../view.js';

function read(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? el.value.trim() : '';
}

function checked(form: HTMLFormElement, name: string): boolean {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement && el.checked;
}

function erasureMode(form: HTMLFormElement): 'delete' | 'anonymise' {
  const el = form.elements.namedItem('erasure');
  return el instanceof HTMLSelectElement && el.value === 'anonymise' ? 'anonymise' : 'delete';
}

export class SettingsView extends AdminView {
  /** Nothing to fetch: the app (with its settings) comes from the console. */
  async load(): Promise<void> {}

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const origins = read(form, 'allowedOrigins')
      .split(/[\s,]+/)
      .filter(Boolean);
    const settings: Partial<AppSettings> = {
      maxMessageLength: Number(read(form, 'maxMessageLength')),
      flood: { burst: Number(read(form, 'burst')), perSecond: Number(read(form, 'perSecond')) },
      allowGuests: checked(form, 'allowGuests'),
      guestsCanWrite: checked(form, 'guestsCanWrite'),
      allowAccounts: checked(form, 'allowAccounts'),
      joinHistory: Number(read(form, 'joinHistory')),
      replayLimit: Number(read(form, 'replayLimit')),
      allowedOrigins: origins.length > 0 ? origins : null,
      retentionDays: read(form, 'retentionDays') ? Number(read(form, 'retentionDays')) : null,
      erasure: { messages: erasureMode(form) },
    };
    await this.run(async () => {
      const app = await this.api.updateApp(this.app.id, { name: read(form, 'name'), settings });
      this.dispatchEvent(new CustomEvent('app-updated', { detail: app, bubbles: true, composed: true }));
    }, 'Settings saved.');
  }

  override render() {
    const s = this.app.settings;
    const num = (name: string, label: string, value: number, step = '1') =>
      html`<label
        >${label}<input name=${name} type="number" min="0" step=${step} .value=${String(value)} required
      /></label>`;
    const box = (name: keyof AppSettings, label: string) =>
      html`<label class="check"
        ><input name=${name} type="checkbox" .checked=${Boolean(s[name])} />${label}</label
      >`;
    return html`<form class="card" @submit=${(e: SubmitEvent) => void this.save(e)}>
        <h2>Settings of “${this.app.name}” <span class="pill">app ${this.app.id}</span></h2>
        <div class="grid">
          <label>Name<input name="name" .value=${this.app.name} required maxlength="100" /></label>
          ${num('maxMessageLength', 'Longest message (characters)', s.maxMessageLength)}
          ${num('burst', 'Flood: burst', s.flood.burst)}
          ${num('perSecond', 'Flood: per second', s.flood.perSecond, 'any')}
          ${num('joinHistory', 'Messages shown on join', s.joinHistory)}
          ${num('replayLimit', 'Replay limit on resume', s.replayLimit)}
        </div>
        <h3>Who may chat</h3>
        <div class="row">
          ${box('allowGuests', 'Guests may join')} ${box('guestsCanWrite', 'Guests may write')}
          ${box('allowAccounts', 'Register and login open')}
        </div>
        <h3>Allowed origins</h3>
        <label
          >One origin per line; empty: whatever the server allows
          <textarea name="allowedOrigins" rows="3" .value=${(s.allowedOrigins ?? []).join('\n')}></textarea>
        </label>
        <h3>Data protection</h3>
        <div class="row">
          <label
            >Keep messages (days; empty: forever)<input
              name="retentionDays"
              type="number"
              min="1"
              max="36500"
              .value=${s.retentionDays === null ? '' : String(s.retentionDays)}
          /></label>
          <label
            >Erasing a user
            <select name="erasure">
              <option value="delete" ?selected=${s.erasure.messages === 'delete'}>
                deletes their messages
              </option>
              <option value="anonymise" ?selected=${s.erasure.messages === 'anonymise'}>
                keeps their messages, by "deleted user"
              </option>
            </select></label
          >
        </div>
        <div class="row"><button class="primary">Save settings</button></div>
        ${this.statusLine()}
      </form>
      <pa-jwt .api=${this.api} .app=${this.app}></pa-jwt>`;
  }
}
