/**
 * The app's site JWT settings (single sign-on): none, a shared HMAC secret (HS256) or the site's public key
 * (RS256, ES256), saved with PATCH /api/v1/apps/:app as `settings.jwt`. The server checks the key.
 */
import { html, nothing } from 'lit';
import type { AppSettings } from '../api.js';
import { AdminView } from '../view.js';

type Alg = 'none' | 'HS256' | 'RS256' | 'ES256';

/** 32 random bytes as hex: a secret well past the server's 16-character floor. */
function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class JwtView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    alg: { state: true },
  };

  declare alg: Alg;

  constructor() {
    super();
    this.alg = 'none';
  }

  async load(): Promise<void> {
    this.alg = this.app.settings.jwt?.alg ?? 'none';
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    let jwt: AppSettings['jwt'] = null;
    if (this.alg === 'HS256') jwt = { alg: 'HS256', secret: text('secret') };
    else if (this.alg !== 'none') jwt = { alg: this.alg, publicKey: text('publicKey') };
    await this.run(
      async () => {
        const app = await this.api.updateApp(this.app.id, { settings: { jwt } });
        this.dispatchEvent(new CustomEvent('app-updated', { detail: app, bubbles: true, composed: true }));
      },
      jwt ? `Site JWTs signed with ${jwt.alg} accepted.` : 'Site JWTs turned off.',
    );
  }

  private generate(e: Event): void {
    const input = (e.currentTarget as HTMLElement)
      .closest('form')
      ?.querySelector<HTMLInputElement>('[name=secret]');
    if (input) {
      input.type = 'text';
      input.value = newSecret();
    }
  }

  override render() {
    const jwt = this.app.settings.jwt;
    const secret = jwt?.alg === 'HS256' ? jwt.secret : '';
    const publicKey = jwt && jwt.alg !== 'HS256' ? jwt.publicKey : '';
    return html`<form class="card" @submit=${(e: SubmitEvent) => void this.save(e)}>
      <h2>Site JWT (single sign-on)</h2>
      <p class="muted">
        Your site signs a JWT for its signed-in user (<code>sub</code> or <code>username</code>, optional
        <code>role</code>, <code>name</code>, <code>picture</code>); the widget and the client connect with
        it. Now: ${jwt ? html`<code>${jwt.alg}</code>` : 'off'}.
      </p>
      <div class="row">
        <label
          >Algorithm<select
            name="alg"
            @change=${(e: Event) => (this.alg = (e.currentTarget as HTMLSelectElement).value as Alg)}
          >
            ${(['none', 'HS256', 'RS256', 'ES256'] as const).map(
              (a) =>
                html`<option value=${a} ?selected=${a === this.alg}>${a === 'none' ? 'off' : a}</option>`,
            )}
          </select></label
        >
        ${
          this.alg === 'HS256'
            ? html`<label
                  >Shared secret (16+ characters)<input
                    name="secret"
                    type="password"
                    required
                    minlength="16"
                    maxlength="1024"
                    autocomplete="off"
                    .value=${secret}
                /></label>
                <button type="button" @click=${(e: Event) => this.generate(e)}>Generate</button>`
            : nothing
        }
      </div>
      ${
        this.alg === 'RS256' || this.alg === 'ES256'
          ? html`<label
              >Public key (PEM)<textarea
                name="publicKey"
                rows="5"
                required
                placeholder="-----BEGIN PUBLIC KEY-----"
                .value=${publicKey}
              ></textarea>
            </label>`
          : nothing
      }
      <div class="row" style="margin-top:12px"><button class="primary">Save JWT settings</button></div>
      ${this.statusLine()}
    </form>`;
  }
}
