/**
 * One user's data, under their profile: export it as a JSON file (GET …/users/:username/export) or erase the
 * user (DELETE …/users/:username), confirmed by typing the username (docs/data-protection.md).
 */
import { html } from 'lit';
import type { User } from '../api.js';
import { AdminView } from '../view.js';

export class UserDataView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    user: { attribute: false },
    confirmation: { state: true },
  };

  declare user: User;
  declare confirmation: string;

  constructor() {
    super();
    this.confirmation = '';
  }

  async load(): Promise<void> {}

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('user')) {
      this.status = null;
      this.confirmation = '';
    }
  }

  private async exportData(): Promise<void> {
    const name = this.user.username;
    await this.run(async () => {
      const blob = await this.api.exportUser(this.app.id, name);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `parley-app${this.app.id}-${name}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    }, `The data of ${name} was exported.`);
  }

  private async erase(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const name = this.user.username;
    if (this.confirmation !== name) return;
    const ok = await this.run(async () => {
      const record = await this.api.eraseUser(this.app.id, name);
      this.status = { ok: true, text: `${name} was erased (${record.counts['messages'] ?? 0} messages).` };
    });
    if (ok)
      this.dispatchEvent(new CustomEvent('user-erased', { detail: name, bubbles: true, composed: true }));
  }

  override render() {
    const name = this.user.username;
    const mode = this.app.settings.erasure.messages === 'delete' ? 'deleted' : 'kept as by "deleted user"';
    return html`<div class="card" data-user-data=${name}>
      <h2>Data</h2>
      <div class="row"><button @click=${() => void this.exportData()}>Export data</button></div>
      <form class="row" style="margin-top:8px" @submit=${(e: SubmitEvent) => void this.erase(e)}>
        <label
          >Type ${name} to erase this user: sessions, tokens, profile and reactions go, messages are ${mode}
          <input
            name="confirm"
            aria-label="Confirm the username to erase"
            autocomplete="off"
            .value=${this.confirmation}
            @input=${(e: Event) => (this.confirmation = (e.target as HTMLInputElement).value)}
        /></label>
        <button class="danger" ?disabled=${this.confirmation !== name}>Erase user</button>
      </form>
      ${this.statusLine()}
    </div>`;
  }
}
