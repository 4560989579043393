/** The record of moderation actions, newest first (GET /api/v1/apps/:app/moderation). */
import { html, nothing } from 'lit';
import type { ModerationRecord, RoomView, User } from '../api.js';
import { when } from '../api.js';
import { AdminView } from '../view.js';

export class RecordView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    records: { state: true },
    cursor: { state: true },
  };

  declare records: ModerationRecord[];
  declare cursor: number | null;
  private users = new Map<number, User>();
  private rooms = new Map<number, RoomView>();

  constructor() {
    super();
    this.records = [];
    this.cursor = null;
  }

  async load(): Promise<void> {
    const app = this.app.id;
    const [page, users, rooms] = await Promise.all([
      this.api.moderation(app),
      this.api.users(app),
      this.api.rooms(app),
    ]);
    this.users = new Map(users.users.map((u) => [u.id, u]));
    this.rooms = new Map(rooms.rooms.map((r) => [r.id, r]));
    this.records = page.records;
    this.cursor = page.nextCursor;
  }

  private async more(): Promise<void> {
    if (this.cursor === null) return;
    const page = await this.api.moderation(this.app.id, this.cursor);
    this.records = [...this.records, ...page.records];
    this.cursor = page.nextCursor;
  }

  private user(id: number | null, none: string): string {
    return id === null ? none : (this.users.get(id)?.username ?? `#${id}`);
  }

  override render() {
    return html`<div class="card">
      <div class="row" style="justify-content:space-between">
        <h2>Moderation record</h2>
        <button @click=${() => void this.run(() => this.load())}>Refresh</button>
      </div>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Action</th>
            <th>By</th>
            <th>Target</th>
            <th>Room</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          ${this.records.map(
            (r) =>
              html`<tr data-kind=${r.kind}>
                <td class="muted">${when(r.createdAt)}</td>
                <td><span class="pill">${r.kind}</span></td>
                <td>${this.user(r.actorId, 'admin key')}</td>
                <td>${this.user(r.targetId, '—')}</td>
                <td>${r.roomId === null ? '—' : (this.rooms.get(r.roomId)?.name ?? `#${r.roomId}`)}</td>
                <td><code>${Object.keys(r.detail).length ? JSON.stringify(r.detail) : ''}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${this.records.length === 0 ? html`<p class="muted">No actions yet.</p>` : nothing}
      ${this.cursor !== null ? html`<button @click=${() => void this.run(() => this.more())}>Older</button>` : nothing}
      ${this.statusLine()}
    </div>`;
  }
}
