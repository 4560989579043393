/** Moderation: act on any user by name, and the mutes and bans in force (with lifting). */
import { html, nothing } from 'lit';
import type { Ban, Mute, RoomView, User } from '../api.js';
import { when } from '../api.js';
import { AdminView, minutesOf } from '../view.js';

type Action = 'mute' | 'ban' | 'kick' | 'unmute' | 'unban';

export class ModerationView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    mutes: { state: true },
    bans: { state: true },
    users: { state: true },
    rooms: { state: true },
  };

  declare mutes: Mute[];
  declare bans: Ban[];
  declare users: Map<number, User>;
  declare rooms: Map<number, RoomView>;

  constructor() {
    super();
    this.mutes = [];
    this.bans = [];
    this.users = new Map();
    this.rooms = new Map();
  }

  async load(): Promise<void> {
    const app = this.app.id;
    const [mutes, bans, users, rooms] = await Promise.all([
      this.api.mutes(app),
      this.api.bans(app),
      this.api.users(app),
      this.api.rooms(app),
    ]);
    this.mutes = mutes.mutes;
    this.bans = bans.bans;
    this.users = new Map(users.users.map((u) => [u.id, u]));
    this.rooms = new Map(rooms.rooms.map((r) => [r.id, r]));
  }

  private name(id: number | null): string {
    return id === null ? 'admin key' : (this.users.get(id)?.username ?? `#${id}`);
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const action = String(data.get('action')) as Action;
    const username = String(data.get('username') ?? '').trim();
    const room = String(data.get('room') ?? '') || undefined;
    const minutes = minutesOf(String(data.get('minutes') ?? ''));
    const reason = String(data.get('reason') ?? '').trim() || undefined;
    const app = this.app.id;
    const calls: Record<Action, () => Promise<unknown>> = {
      mute: () =>
        this.api.mute(app, username, {
          ...(room ? { room } : {}),
          ...(minutes ? { minutes } : {}),
          ...(reason ? { reason } : {}),
        }),
      ban: () =>
        this.api.ban(app, username, { ...(minutes ? { minutes } : {}), ...(reason ? { reason } : {}) }),
      kick: () => this.api.kick(app, username, reason),
      unmute: () => this.api.unmute(app, username, room),
      unban: () => this.api.unban(app, username),
    };
    if (await this.run(calls[action], `${action}: ${username} done.`)) await this.run(() => this.load());
  }

  private async lift(kind: 'mute' | 'ban', entry: Mute | Ban): Promise<void> {
    const username = this.users.get(entry.userId)?.username;
    if (!username) return;
    const room = 'roomId' in entry && entry.roomId !== null ? this.rooms.get(entry.roomId)?.name : undefined;
    const call =
      kind === 'mute'
        ? () => this.api.unmute(this.app.id, username, room)
        : () => this.api.unban(this.app.id, username);
    if (await this.run(call, `${username}: ${kind} lifted.`)) await this.run(() => this.load());
  }

  override render() {
    const roomName = (id: number | null) =>
      id === null ? 'whole app' : `#${this.rooms.get(id)?.name ?? id}`;
    return html`<form class="card" @submit=${(e: SubmitEvent) => void this.submit(e)}>
        <h2>Take an action</h2>
        <div class="row">
          <label
            >Action<select name="action">
              <option value="mute">Mute</option>
              <option value="kick">Kick</option>
              <option value="ban">Ban</option>
              <option value="unmute">Unmute</option>
              <option value="unban">Unban</option>
            </select></label
          >
          <label>Username<input name="username" required maxlength="64" list="known-users" /></label>
          <datalist id="known-users">
            ${[...this.users.values()].map((u) => html`<option value=${u.username}></option>`)}
          </datalist>
          <label
            >Room (mutes)<select name="room">
              <option value="">Whole app</option>
              ${[...this.rooms.values()].map((r) => html`<option value=${r.name}>${r.name}</option>`)}
            </select></label
          >
          <label
            >Minutes<input name="minutes" type="number" min="1" max="525600" placeholder="until lifted"
          /></label>
          <label>Reason<input name="reason" maxlength="500" /></label>
          <button class="primary">Apply</button>
        </div>
        ${this.statusLine()}
      </form>
      <div class="card">
        <h2>Mutes in force</h2>
        ${
          this.mutes.length === 0
            ? html`<p class="muted">None.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th>User</th>
                    <th>Scope</th>
                    <th>Until</th>
                    <th>Reason</th>
                    <th>By</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${this.mutes.map(
                    (m) =>
                      html`<tr>
                        <td>${this.name(m.userId)}</td>
                        <td>${roomName(m.roomId)}</td>
                        <td>${when(m.expiresAt)}</td>
                        <td>${m.reason}</td>
                        <td>${this.name(m.by)}</td>
                        <td><button @click=${() => void this.lift('mute', m)}>Unmute</button></td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
        <h2 style="margin-top:18px">Bans in force</h2>
        ${
          this.bans.length === 0
            ? html`<p class="muted">None.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th>User</th>
                    <th>Until</th>
                    <th>Reason</th>
                    <th>By</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${this.bans.map(
                    (b) =>
                      html`<tr>
                        <td>${this.name(b.userId)}</td>
                        <td>${when(b.expiresAt)}</td>
                        <td>${b.reason}</td>
                        <td>${this.name(b.by)}</td>
                        <td><button @click=${() => void this.lift('ban', b)}>Unban</button></td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </div>
      ${nothing}`;
  }
}
