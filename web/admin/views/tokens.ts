/**
 * Access tokens: issue one for a user of the site (POST /api/v1/apps/:app/tokens; the token is shown once), a
 * user's tokens that have not expired, revoking one, or taking all of a user's access back.
 */
import { html, nothing } from 'lit';
import { when, type IssuedToken, type TokenView } from '../api.js';
import { AdminView } from '../view.js';

/** The lifetimes offered; the server's default when none is picked. */
const LIFETIMES: { label: string; seconds: number | null }[] = [
  { label: 'server default', seconds: null },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '30 days', seconds: 30 * 86_400 },
  { label: 'never expires', seconds: 0 },
];

export class TokensView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    username: { state: true },
    tokens: { state: true },
    issued: { state: true },
  };

  declare username: string;
  declare tokens: TokenView[];
  declare issued: IssuedToken | null;

  constructor() {
    super();
    this.username = '';
    this.tokens = [];
    this.issued = null;
  }

  async load(): Promise<void> {
    this.issued = null;
    this.tokens = this.username ? (await this.api.tokens(this.app.id, this.username)).tokens : [];
  }

  private async issue(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const username = String(data.get('username') ?? '').trim();
    const ttl = String(data.get('ttl') ?? '');
    await this.run(async () => {
      const issued = await this.api.issueToken(this.app.id, username, ttl === '' ? undefined : Number(ttl));
      this.username = username;
      this.tokens = (await this.api.tokens(this.app.id, username)).tokens;
      this.issued = issued;
    }, `Token issued for ${username}.`);
  }

  private async list(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    this.username = String(new FormData(e.currentTarget as HTMLFormElement).get('username') ?? '').trim();
    await this.run(() => this.load());
  }

  private async revoke(token: TokenView): Promise<void> {
    if (!confirm(`Revoke token ${token.id}? Connections signed in with it are closed.`)) return;
    await this.run(async () => {
      await this.api.revokeToken(this.app.id, token.id);
      await this.load();
    }, `Token ${token.id} revoked.`);
  }

  private async revokeUser(): Promise<void> {
    const username = this.username;
    if (!confirm(`Take every access of ${username} back: all tokens, older site JWTs, open connections?`))
      return;
    await this.run(async () => {
      const revoked = await this.api.revokeUser(this.app.id, username);
      await this.load();
      this.status = {
        ok: true,
        text: `${username}: ${revoked.tokens} token(s) revoked, connections closed, older site JWTs refused.`,
      };
    });
  }

  private issuedCard(issued: IssuedToken) {
    return html`<div class="card" data-issued=${issued.tokenId}>
      <h2>Token for ${issued.user.username}</h2>
      <p class="muted">Shown only now: the server keeps a hash. Hand it to the user's browser.</p>
      <input
        class="token"
        readonly
        aria-label="The new token"
        .value=${issued.token}
        @focus=${(e: FocusEvent) => (e.currentTarget as HTMLInputElement).select()}
      />
      <p class="muted">Id <code>${issued.tokenId}</code> · expires ${when(issued.expiresAt)}</p>
    </div>`;
  }

  override render() {
    return html`<div class="card">
        <h2>Issue a token</h2>
        <p class="muted">
          For a user of your site: created as an external member when the name is new. Your backend usually
          does this with the API (<code>POST /api/v1/apps/${this.app.id}/tokens</code>).
        </p>
        <form class="row" @submit=${(e: SubmitEvent) => void this.issue(e)}>
          <label>Username<input name="username" required maxlength="32" .value=${this.username} /></label>
          <label
            >Lifetime<select name="ttl">
              ${LIFETIMES.map((l) => html`<option value=${l.seconds ?? ''}>${l.label}</option>`)}
            </select></label
          >
          <button class="primary">Issue token</button>
        </form>
        ${this.statusLine()}
      </div>
      ${this.issued ? this.issuedCard(this.issued) : nothing}
      <div class="card">
        <h2>Tokens of a user</h2>
        <form class="row" @submit=${(e: SubmitEvent) => void this.list(e)}>
          <label>Username<input name="username" required maxlength="32" .value=${this.username} /></label>
          <button>Show tokens</button>
          ${
            this.username
              ? html`<button type="button" class="danger" @click=${() => void this.revokeUser()}>
                  Revoke all access of ${this.username}
                </button>`
              : nothing
          }
        </form>
        ${
          this.username
            ? html`<div class="scroll">
                <table>
                  <thead>
                    <tr>
                      <th>Id</th>
                      <th>Issued</th>
                      <th>Expires</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.tokens.map(
                      (t) =>
                        html`<tr data-token=${t.id}>
                          <td><code>${t.id}</code></td>
                          <td>${when(t.createdAt)}</td>
                          <td>${t.expiresAt === null ? 'never' : when(t.expiresAt)}</td>
                          <td>
                            <button
                              class="danger"
                              aria-label="Revoke ${t.id}"
                              @click=${() => void this.revoke(t)}
                            >
                              Revoke
                            </button>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
                ${this.tokens.length === 0 ? html`<p class="muted">No token that has not expired.</p>` : nothing}
              </div>`
            : nothing
        }
      </div>`;
  }
}
