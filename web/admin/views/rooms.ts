/** Rooms of the app, and the recent messages of one, with deletion and quick actions on their authors. */
import { html, nothing } from 'lit';
import type { MessageView, RoomView } from '../api.js';
import { when } from '../api.js';
import { AdminView } from '../view.js';

/** Six hours, the server's bound (MAX_SLOW_MODE_SECONDS), repeated so the console bundles no server code. */
const MAX_SLOW_MODE_SECONDS = 21_600;

export class RoomsView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    rooms: { state: true },
    selected: { state: true },
    messages: { state: true },
    cursor: { state: true },
  };

  declare rooms: RoomView[];
  declare selected: string | null;
  declare messages: MessageView[];
  declare cursor: number | null;

  constructor() {
    super();
    this.rooms = [];
    this.selected = null;
    this.messages = [];
    this.cursor = null;
  }

  async load(): Promise<void> {
    this.rooms = (await this.api.rooms(this.app.id)).rooms;
    const keep = this.rooms.find((r) => r.name === this.selected);
    await this.open(keep?.name ?? this.rooms[0]?.name ?? null);
  }

  private async open(room: string | null): Promise<void> {
    this.selected = room;
    this.messages = [];
    this.cursor = null;
    if (room === null) return;
    const page = await this.api.messages(this.app.id, room);
    this.messages = page.messages;
    this.cursor = page.nextCursor;
  }

  private async older(): Promise<void> {
    if (this.selected === null || this.cursor === null) return;
    const page = await this.api.messages(this.app.id, this.selected, this.cursor);
    this.messages = [...page.messages, ...this.messages];
    this.cursor = page.nextCursor;
  }

  private async create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const visibility = data.get('visibility') === 'private' ? 'private' : 'public';
    const ok = await this.run(
      () => this.api.createRoom(this.app.id, name, visibility, String(data.get('topic') ?? '').trim()),
      `Room ${name} created.`,
    );
    if (ok) {
      form.reset();
      await this.run(() => this.load());
    }
  }

  private async removeRoom(room: RoomView): Promise<void> {
    if (!confirm(`Delete the room ${room.name} with all its messages?`)) return;
    if (await this.run(() => this.api.deleteRoom(this.app.id, room.name), `Room ${room.name} deleted.`)) {
      await this.run(() => this.load());
    }
  }

  private async saveSlowMode(e: SubmitEvent, room: RoomView): Promise<void> {
    e.preventDefault();
    const seconds = Number(new FormData(e.currentTarget as HTMLFormElement).get('slowModeSeconds') ?? 0);
    const ok = await this.run(
      () => this.api.patchRoom(this.app.id, room.name, { slowModeSeconds: seconds }),
      seconds === 0 ? `Slow mode off in ${room.name}.` : `Slow mode in ${room.name}: ${seconds} s.`,
    );
    if (ok) this.rooms = (await this.api.rooms(this.app.id)).rooms;
  }

  private slowMode(r: RoomView) {
    return html`<form class="row" @submit=${(e: SubmitEvent) => void this.saveSlowMode(e, r)}>
      <input
        name="slowModeSeconds"
        type="number"
        min="0"
        max=${MAX_SLOW_MODE_SECONDS}
        required
        style="width:6em"
        aria-label="Slow mode of ${r.name} in seconds (0: off)"
        .value=${String(r.slowModeSeconds ?? 0)}
      />
      <button aria-label="Save slow mode of ${r.name}">Save</button>
    </form>`;
  }

  /** Empty: the app's retention; "forever": kept forever; else days (docs/data-protection.md). */
  private async saveRetention(e: SubmitEvent, room: RoomView): Promise<void> {
    e.preventDefault();
    const raw = String(new FormData(e.currentTarget as HTMLFormElement).get('retentionDays') ?? '').trim();
    const value = raw === '' ? 'app' : raw === 'forever' ? null : Number(raw);
    const ok = await this.run(
      () => this.api.setRoomRetention(this.app.id, room.name, value),
      `Retention of ${room.name}: ${value === 'app' ? "the app's" : value === null ? 'forever' : `${value} days`}.`,
    );
    if (ok) this.rooms = (await this.api.rooms(this.app.id)).rooms;
  }

  private retention(r: RoomView) {
    const shown =
      r.retentionDays === undefined ? '' : r.retentionDays === null ? 'forever' : String(r.retentionDays);
    return html`<form class="row" @submit=${(e: SubmitEvent) => void this.saveRetention(e, r)}>
      <input
        name="retentionDays"
        pattern="[0-9]*|forever"
        placeholder="app's"
        style="width:6em"
        aria-label="Retention of ${r.name} in days (empty: the app's; forever)"
        .value=${shown}
      />
      <button aria-label="Save retention of ${r.name}">Save</button>
    </form>`;
  }

  private async deleteMessage(message: MessageView): Promise<void> {
    await this.run(async () => {
      const { message: deleted } = await this.api.deleteMessage(this.app.id, message.room, message.id);
      this.messages = this.messages.map((m) => (m.id === deleted.id ? deleted : m));
    }, `Message ${message.id} deleted.`);
  }

  private async act(kind: 'mute' | 'kick' | 'ban', username: string): Promise<void> {
    const app = this.app.id;
    const action = {
      mute: () => this.api.mute(app, username, { minutes: 10 }),
      kick: () => this.api.kick(app, username),
      ban: () => this.api.ban(app, username, {}),
    }[kind];
    await this.run(
      action,
      `${username}: ${kind === 'mute' ? 'muted for 10 minutes' : kind === 'kick' ? 'kicked' : 'banned'}.`,
    );
  }

  private messageRow(m: MessageView) {
    const author = m.author?.username;
    return html`<tr data-message-id=${m.id}>
      <td class="muted">#${m.seq}<br />${new Date(m.createdAt).toLocaleTimeString()}</td>
      <td><strong>${author ?? 'system'}</strong></td>
      <td class="text">${m.deletedAt !== null ? html`<em class="muted">deleted</em>` : m.text}</td>
      <td>
        <div class="row">
          ${
            m.deletedAt === null
              ? html`<button class="danger" @click=${() => void this.deleteMessage(m)}>Delete</button>`
              : nothing
          }
          ${
            author
              ? html`<button @click=${() => void this.act('mute', author)}>Mute 10 min</button>
                  <button @click=${() => void this.act('kick', author)}>Kick</button>`
              : nothing
          }
        </div>
      </td>
    </tr>`;
  }

  override render() {
    return html`<div class="card">
        <h2>Rooms</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Visibility</th>
              <th>Topic</th>
              <th>Messages</th>
              <th>Online</th>
              <th>Slow mode (s)</th>
              <th>Keep (days)</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${this.rooms.map(
              (r) =>
                html`<tr>
                  <td><strong>${r.name}</strong></td>
                  <td>${r.visibility}</td>
                  <td class="muted">${r.topic}</td>
                  <td>${r.lastSeq}</td>
                  <td>${r.online}</td>
                  <td data-slow-mode=${r.slowModeSeconds ?? 0}>${this.slowMode(r)}</td>
                  <td>${this.retention(r)}</td>
                  <td>
                    <div class="row">
                      <button
                        aria-pressed=${this.selected === r.name}
                        @click=${() => void this.run(() => this.open(r.name))}
                      >
                        Messages
                      </button>
                      <button class="danger" @click=${() => void this.removeRoom(r)}>Delete</button>
                    </div>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
        <form class="row" style="margin-top:12px" @submit=${(e: SubmitEvent) => void this.create(e)}>
          <label>New room<input name="name" required maxlength="64" /></label>
          <label>Topic<input name="topic" maxlength="500" /></label>
          <label
            >Visibility<select name="visibility">
              <option>public</option>
              <option>private</option>
            </select></label
          >
          <button class="primary">Create</button>
        </form>
        ${this.statusLine()}
      </div>
      ${
        this.selected
          ? html`<div class="card">
                <h2>Recent messages in #${this.selected}</h2>
                ${this.cursor !== null ? html`<button @click=${() => void this.run(() => this.older())}>Load older</button>` : nothing}
                <table>
                  <thead>
                    <tr>
                      <th>Seq</th>
                      <th>Author</th>
                      <th>Text</th>
                      <th>Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.messages.map((m) => this.messageRow(m))}
                  </tbody>
                </table>
                ${this.messages.length === 0 ? html`<p class="muted">No messages yet.</p>` : nothing}
                <p class="muted">
                  Newest last · ${when(this.messages[this.messages.length - 1]?.createdAt ?? null)}
                </p>
              </div>
              <pa-pins .api=${this.api} .app=${this.app} .room=${this.selected}></pa-pins>`
          : nothing
      }`;
  }
}
