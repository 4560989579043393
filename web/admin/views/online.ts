/** Who is connected right now (GET /api/v1/apps/:app/online), with mute, kick and ban at hand. */
import { html, nothing } from 'lit';
import type { OnlineEntry } from '../api.js';
import { AdminView, minutesOf } from '../view.js';

export class OnlineView extends AdminView {
  static override properties = { ...AdminView.properties, online: { state: true } };
  declare online: OnlineEntry[];

  constructor() {
    super();
    this.online = [];
  }

  async load(): Promise<void> {
    this.online = (await this.api.online(this.app.id)).online;
  }

  private minutes(row: HTMLElement): number | undefined {
    return minutesOf(row.querySelector<HTMLSelectElement>('select[name=minutes]')?.value ?? '');
  }

  private async act(kind: 'mute' | 'kick' | 'ban', username: string, e: Event): Promise<void> {
    const row = (e.currentTarget as HTMLElement).closest('tr');
    const minutes = row ? this.minutes(row) : undefined;
    const app = this.app.id;
    const opts = minutes === undefined ? {} : { minutes };
    const done = {
      mute: `${username} muted ${minutes ? `for ${minutes} min` : 'until unmuted'}.`,
      kick: `${username} kicked.`,
      ban: `${username} banned ${minutes ? `for ${minutes} min` : 'until unbanned'}.`,
    }[kind];
    const ok = await this.run(
      () =>
        kind === 'mute'
          ? this.api.mute(app, username, opts)
          : kind === 'ban'
            ? this.api.ban(app, username, opts)
            : this.api.kick(app, username),
      done,
    );
    if (ok && kind !== 'mute') await this.run(() => this.load());
  }

  override render() {
    return html`<div class="card">
      <div class="row" style="justify-content:space-between">
        <h2>Online now <span class="pill">${this.online.length}</span></h2>
        <button @click=${() => void this.run(() => this.load())}>Refresh</button>
      </div>
      <table>
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Rooms</th>
            <th>Connections</th>
            <th>Moderate</th>
          </tr>
        </thead>
        <tbody>
          ${this.online.map(
            (o) =>
              html`<tr data-user=${o.user.username}>
                <td><strong>${o.user.username}</strong></td>
                <td>${o.user.role}</td>
                <td>${o.rooms.join(', ')}</td>
                <td>${o.connections}</td>
                <td>
                  <div class="row">
                    <select name="minutes" aria-label="Duration for ${o.user.username}">
                      <option value="10">10 min</option>
                      <option value="60">1 hour</option>
                      <option value="1440">1 day</option>
                      <option value="">Until lifted</option>
                    </select>
                    <button @click=${(e: Event) => void this.act('mute', o.user.username, e)}>Mute</button>
                    <button @click=${(e: Event) => void this.act('kick', o.user.username, e)}>Kick</button>
                    <button class="danger" @click=${(e: Event) => void this.act('ban', o.user.username, e)}>
                      Ban
                    </button>
                  </div>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${this.online.length === 0 ? html`<p class="muted">Nobody is connected.</p>` : nothing}
      ${this.statusLine()}
    </div>`;
  }
}
