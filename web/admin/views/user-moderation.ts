/**
 * One user's standing, shown under their profile: strikes (GET .../users/:username/strikes), the latest records
 * naming them, and shadow mute (POST /api/v1/apps/:app/shadow-mutes, DELETE .../shadow-mutes/:username).
 */
import { html, nothing } from 'lit';
import { when, type ModerationRecord, type StrikeView, type User } from '../api.js';
import { AdminView, minutesOf } from '../view.js';

export class UserModerationView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    user: { attribute: false },
    strikes: { state: true },
    records: { state: true },
  };

  declare user: User;
  declare strikes: StrikeView[];
  declare records: ModerationRecord[];

  constructor() {
    super();
    this.strikes = [];
    this.records = [];
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    if ((changed.has('app') || changed.has('user')) && this.app && this.user) {
      this.status = null;
      void this.run(() => this.load());
    }
  }

  /**
   * The record has no filter by user: the latest page (the most the API gives) is read and the entries naming
   * this user kept, so older ones are in the Record tab only.
   */
  async load(): Promise<void> {
    const [strikes, page] = await Promise.all([
      this.api.strikes(this.app.id, this.user.username),
      this.api.moderation(this.app.id),
    ]);
    this.strikes = strikes.strikes;
    this.records = page.records.filter((r) => r.targetId === this.user.id);
  }

  private async shadow(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const minutes = minutesOf(String(data.get('minutes') ?? ''));
    const reason = String(data.get('reason') ?? '').trim();
    const name = this.user.username;
    const ok = await this.run(
      () =>
        this.api.shadowMute(this.app.id, name, {
          ...(minutes === undefined ? {} : { minutes }),
          ...(reason ? { reason } : {}),
        }),
      `${name} shadow-muted${minutes === undefined ? ' until lifted' : ` for ${minutes} minutes`}.`,
    );
    if (ok) await this.run(() => this.load());
  }

  private async unshadow(): Promise<void> {
    const name = this.user.username;
    if (await this.run(() => this.api.unshadowMute(this.app.id, name), `Shadow mute of ${name} lifted.`)) {
      await this.run(() => this.load());
    }
  }

  override render() {
    const active = this.strikes.filter((s) => s.active).length;
    return html`<div class="card" data-user-moderation=${this.user.username}>
      <h2>Moderation of ${this.user.username}</h2>
      <h3>Strikes (${active} counting)</h3>
      ${
        this.strikes.length === 0
          ? html`<p class="muted">No strikes.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Source</th>
                  <th>Reason</th>
                  <th>Counts until</th>
                </tr>
              </thead>
              <tbody>
                ${this.strikes.map(
                  (s) =>
                    html`<tr data-strike=${s.source}>
                      <td class="muted">${when(s.at)}</td>
                      <td><span class="pill">${s.source}</span></td>
                      <td class="text">${s.reason}</td>
                      <td>${s.active ? when(s.expiresAt) : html`<span class="muted">expired</span>`}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <h3>Latest records naming them</h3>
      ${
        this.records.length === 0
          ? html`<p class="muted">None among the latest records.</p>`
          : html`<ul class="pins">
              ${this.records.map(
                (r) =>
                  html`<li data-record=${r.kind}>
                    <span class="pill">${r.kind}</span> <span class="muted">${when(r.createdAt)}</span>
                    ${
                      typeof r.detail['reason'] === 'string' && r.detail['reason']
                        ? html`<span class="text">${r.detail['reason']}</span>`
                        : nothing
                    }
                  </li>`,
              )}
            </ul>`
      }
      <h3>Shadow mute</h3>
      <p class="muted">Their new messages are seen only by them and by staff; they are not told.</p>
      <form class="row" @submit=${(e: SubmitEvent) => void this.shadow(e)}>
        <label>Minutes (empty: until lifted)<input name="minutes" type="number" min="1" /></label>
        <label>Reason (optional)<input name="reason" maxlength="500" /></label>
        <button class="danger">Shadow mute</button>
        <button type="button" @click=${() => void this.unshadow()}>Lift shadow mute</button>
      </form>
      ${this.statusLine()}
    </div>`;
  }
}
