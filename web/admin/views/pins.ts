/** The pinned messages of one room (GET /api/v1/apps/:app/rooms/:room/pins), shown under its messages. */
import { html, type PropertyValues } from 'lit';
import { when, type Pin } from '../api.js';
import { AdminView } from '../view.js';

export class PinsView extends AdminView {
  static override properties = { ...AdminView.properties, room: { attribute: false }, pins: { state: true } };

  declare room: string;
  declare pins: Pin[];

  constructor() {
    super();
    this.room = '';
    this.pins = [];
  }

  async load(): Promise<void> {
    this.pins = this.room ? (await this.api.pins(this.app.id, this.room)).pins : [];
  }

  override updated(changed: PropertyValues): void {
    if (changed.has('room') && !changed.has('app') && this.app) void this.run(() => this.load());
    else super.updated(changed);
  }

  override render() {
    return html`<div class="card">
      <h2>Pinned in #${this.room}</h2>
      ${this.statusLine()}
      ${
        this.pins.length === 0
          ? html`<p class="muted">No pinned messages.</p>`
          : html`<ul class="pins">
              ${this.pins.map(
                (p) =>
                  html`<li data-pin=${p.message.id}>
                    <strong>${p.message.author?.username ?? 'system'}</strong>: ${p.message.text}
                    <span class="muted"
                      >· pinned by ${p.pinnedBy?.username ?? 'the operator'} · ${when(p.pinnedAt)}</span
                    >
                  </li>`,
              )}
            </ul>`
      }
    </div>`;
  }
}
