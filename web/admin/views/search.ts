/** Search across every room of the app (GET /api/v1/apps/:app/search), private ones included. */
import { html, nothing } from 'lit';
import { highlighted } from '../../widget/highlight.js';
import { when, type RoomView, type SearchHit } from '../api.js';
import { AdminView } from '../view.js';

export class SearchView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    rooms: { state: true },
    hits: { state: true },
    cursor: { state: true },
    searched: { state: true },
  };

  declare rooms: RoomView[];
  declare hits: SearchHit[];
  declare cursor: number | null;
  declare searched: boolean;
  private query = { q: '', room: '' };

  constructor() {
    super();
    this.rooms = [];
    this.hits = [];
    this.cursor = null;
    this.searched = false;
  }

  async load(): Promise<void> {
    this.rooms = (await this.api.rooms(this.app.id)).rooms;
    this.hits = [];
    this.cursor = null;
    this.searched = false;
  }

  private async search(more: boolean): Promise<void> {
    const { q, room } = this.query;
    const before = more && this.cursor !== null ? { before: this.cursor } : {};
    await this.run(async () => {
      const page = await this.api.search(this.app.id, q, { ...(room ? { room } : {}), ...before });
      this.hits = more ? [...this.hits, ...page.hits] : page.hits;
      this.cursor = page.nextCursor;
      this.searched = true;
    });
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    this.query = { q: String(data.get('q') ?? '').trim(), room: String(data.get('room') ?? '') };
    if (this.query.q) void this.search(false);
  }

  override render() {
    return html`<div class="card">
      <h2>Search messages</h2>
      <form class="row" role="search" @submit=${(e: SubmitEvent) => this.submit(e)}>
        <label>Words<input name="q" type="search" required maxlength="200" /></label>
        <label
          >Room<select name="room">
            <option value="">All rooms</option>
            ${this.rooms.map((r) => html`<option value=${r.name}>${r.name}</option>`)}
          </select></label
        >
        <button class="primary">Search</button>
      </form>
      ${this.statusLine()}
      ${
        this.searched && this.hits.length === 0
          ? html`<p class="muted">Nothing found.</p>`
          : this.hits.length > 0
            ? html`<table>
                <thead>
                  <tr>
                    <th>Room</th>
                    <th>Author</th>
                    <th>Text</th>
                    <th>Posted</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.hits.map(
                    (h) =>
                      html`<tr data-hit=${h.message.id}>
                        <td>${h.message.room}</td>
                        <td><strong>${h.message.author?.username ?? 'system'}</strong></td>
                        <td class="text">${highlighted(h.highlight)}</td>
                        <td class="muted">${when(h.message.createdAt)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
            : nothing
      }
      ${this.cursor !== null ? html`<button @click=${() => void this.search(true)}>More results</button>` : nothing}
    </div>`;
  }
}
