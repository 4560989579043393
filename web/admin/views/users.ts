/**
 * The app's users, and one user's profile: who they are, their display name and avatar, which an admin can
 * change (PATCH /api/v1/apps/:app/users/:username).
 */
import { html, nothing } from 'lit';
import { when, type Profile, type Role } from '../api.js';
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

/** The roles an operator gives (core/roles.ts; guest is not given), repeated so the console bundles no server code. */
const ROLES: readonly Role[] = ['member', 'mod', 'admin', 'owner'];

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

  private async create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const role = String(data.get('role') ?? 'member') as Role;
    const ok = await this.run(async () => {
      const user = await this.api.createUser(this.app.id, {
        username,
        role,
        ...(password ? { password } : {}),
      });
      await this.load();
      this.selected = this.users.find((u) => u.id === user.id) ?? null;
    }, `User ${username} created.`);
    if (ok) form.reset();
  }

  private async changeRole(e: SubmitEvent, user: Profile): Promise<void> {
    e.preventDefault();
    const role = String(new FormData(e.currentTarget as HTMLFormElement).get('role') ?? user.role) as Role;
    await this.run(async () => {
      const saved = await this.api.setRole(this.app.id, user.username, role);
      this.users = this.users.map((u) => (u.id === saved.id ? { ...u, role: saved.role } : u));
      this.selected = { ...user, role: saved.role };
    }, `${user.username} is now ${role}.`);
  }

  /** The erased user is gone from the list; the status says so where the profile was. */
  private async erased(user: Profile): Promise<void> {
    this.selected = null;
    await this.run(() => this.load(), `${user.username} was erased.`);
  }

  private roles(current: Role) {
    return ROLES.map((r) => html`<option value=${r} ?selected=${r === current}>${r}</option>`);
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
        ${
          user.kind === 'guest'
            ? nothing
            : html`<form
                class="row"
                style="margin-top:8px"
                @submit=${(e: SubmitEvent) => void this.changeRole(e, user)}
              >
                <label
                  >Role<select name="role" aria-label="Role of ${user.username}">
                    ${this.roles(user.role)}
                  </select></label
                >
                <button>Change role</button>
              </form>`
        }
        ${this.statusLine()}
      </div>
      <pa-user-moderation .api=${this.api} .app=${this.app} .user=${user}></pa-user-moderation>
      <pa-user-data
        .api=${this.api}
        .app=${this.app}
        .user=${user}
        @user-erased=${() => void this.erased(user)}
      ></pa-user-data>`;
  }

  override render() {
    return html`${this.selected ? this.profile(this.selected) : nothing}
      <div class="card">
        <h2>Users</h2>
        ${this.selected ? nothing : this.statusLine()}
        <form class="row" style="margin-bottom:12px" @submit=${(e: SubmitEvent) => void this.create(e)}>
          <label>New user<input name="username" required maxlength="32" autocomplete="off" /></label>
          <label
            >Password (optional)<input
              name="password"
              type="password"
              minlength="6"
              autocomplete="new-password"
          /></label>
          <label
            >Role<select name="role">
              ${this.roles('member')}
            </select></label
          >
          <button class="primary">Create user</button>
        </form>
        <div class="scroll">
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
        </div>
      </div>`;
  }
}
