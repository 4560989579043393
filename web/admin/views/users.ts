/**
 * The app's users, and one user's profile: who they are, their display name and avatar, which an admin can
 * change (PATCH /api/v1/apps/:app/users/:username).
 */
import { html, nothing } from 'lit';
import { when, type Profile } from '../api.js';
import { AdminView } from '../view.js';

/**
 * Only https avatars count (the widget shows no other). The console links to the image rather than showing it:
 * its content security policy loads no image from elsewhere.
 */
function safeAvatar(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

export class UsersView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    users: { state: true },
    selected: { state: true },
  };

  declare users: Profile[];
  declare selected: Profile | null;

  constructor() {
    super();
    this.users = [];
    this.selected = null;
  }

  async load(): Promise<void> {
    this.users = (await this.api.users(this.app.id)).users;
    const id = this.selected?.id;
    this.selected = this.users.find((u) => u.id === id) ?? null;
  }

  private async save(e: SubmitEvent, user: Profile): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const field = (name: string) => String(data.get(name) ?? '').trim() || null;
    await this.run(async () => {
      const saved = await this.api.updateProfile(this.app.id, user.username, {
        displayName: field('displayName'),
        avatarUrl: field('avatarUrl'),
      });
      this.users = this.users.map((u) => (u.id === saved.id ? saved : u));
      this.selected = saved;
    }, `Profile of ${user.username} saved.`);
  }

  private profile(user: Profile) {
    const avatar = safeAvatar(user.avatarUrl);
    return html`<div class="card" data-profile=${user.username}>
        <h2>${user.displayName || user.username}</h2>
        <dl class="facts">
          <dt>Username</dt>
          <dd>${user.username}</dd>
          <dt>Id</dt>
          <dd>${user.id}</dd>
          <dt>Role</dt>
          <dd>${user.role}</dd>
          <dt>Kind</dt>
          <dd>${user.kind}</dd>
          <dt>Since</dt>
          <dd>${when(user.createdAt)}</dd>
          <dt>Avatar</dt>
          <dd>
            ${
              avatar
                ? html`<a href=${avatar} target="_blank" rel="noreferrer noopener">${avatar}</a>`
                : html`<span class="muted">none (the widget shows the initial)</span>`
            }
          </dd>
        </dl>
        <form class="row" @submit=${(e: SubmitEvent) => void this.save(e, user)}>
          <label
            >Display name<input name="displayName" maxlength="64" .value=${user.displayName ?? ''}
          /></label>
          <label
            >Avatar URL (https)<input
              name="avatarUrl"
              type="url"
              pattern="https://.*"
              maxlength="500"
              .value=${user.avatarUrl ?? ''}
          /></label>
          <button class="primary">Save profile</button>
        </form>
        ${this.statusLine()}
      </div>
      <pa-user-moderation .api=${this.api} .app=${this.app} .user=${user}></pa-user-moderation>`;
  }

  override render() {
    return html`${this.selected ? this.profile(this.selected) : nothing}
      <div class="card">
        <h2>Users</h2>
        ${this.selected ? nothing : this.statusLine()}
        <table>
          <thead>
            <tr>
              <th>Username</th>
              <th>Display name</th>
              <th>Role</th>
              <th>Kind</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${this.users.map(
              (u) =>
                html`<tr data-user=${u.username}>
                  <td><strong>${u.username}</strong></td>
                  <td>${u.displayName ?? ''}</td>
                  <td>${u.role}</td>
                  <td class="muted">${u.kind}</td>
                  <td>
                    <button
                      aria-pressed=${this.selected?.id === u.id}
                      aria-label="Profile of ${u.username}"
                      @click=${() => (this.selected = u)}
                    >
                      Profile
                    </button>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }
}
