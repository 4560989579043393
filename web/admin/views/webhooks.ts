/**
 * Outgoing webhooks: the app's endpoints (add, change, remove; the secret is never shown back) and one
 * endpoint's delivery log with a Redeliver button (GET/POST/PATCH/DELETE /api/v1/apps/:app/webhooks…).
 */
import { html, nothing } from 'lit';
import { when, type WebhookDelivery, type WebhookView } from '../api.js';
import { AdminView } from '../view.js';

/** Event names as typed: comma or space separated. */
function eventsOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

export class WebhooksView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    webhooks: { state: true },
    editing: { state: true },
    selected: { state: true },
    deliveries: { state: true },
    cursor: { state: true },
  };

  declare webhooks: WebhookView[];
  /** The endpoint the form changes; null: the form adds one. */
  declare editing: WebhookView | null;
  /** The endpoint whose delivery log is shown. */
  declare selected: WebhookView | null;
  declare deliveries: WebhookDelivery[];
  declare cursor: number | null;

  constructor() {
    super();
    this.webhooks = [];
    this.editing = null;
    this.selected = null;
    this.deliveries = [];
    this.cursor = null;
  }

  async load(): Promise<void> {
    this.webhooks = (await this.api.webhooks(this.app.id)).webhooks;
    if (this.selected) await this.showLog(this.selected);
  }

  private async showLog(webhook: WebhookView): Promise<void> {
    this.selected = webhook;
    const page = await this.api.webhookDeliveries(this.app.id, webhook.id);
    this.deliveries = page.deliveries;
    this.cursor = page.nextCursor;
  }

  private async older(): Promise<void> {
    if (!this.selected || this.cursor === null) return;
    const page = await this.api.webhookDeliveries(this.app.id, this.selected.id, this.cursor);
    this.deliveries = [...this.deliveries, ...page.deliveries];
    this.cursor = page.nextCursor;
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const url = String(data.get('url') ?? '').trim();
    const secret = String(data.get('secret') ?? '');
    const events = eventsOf(String(data.get('events') ?? ''));
    const enabled = data.get('enabled') !== null;
    const editing = this.editing;
    const ok = await this.run(
      async () => {
        if (editing) {
          await this.api.updateWebhook(this.app.id, editing.id, {
            url,
            events,
            enabled,
            ...(secret === '' ? {} : { secret }),
          });
        } else {
          await this.api.createWebhook(this.app.id, { url, secret, events, enabled });
        }
        await this.load();
      },
      editing ? 'Webhook saved.' : 'Webhook added.',
    );
    if (!ok) return;
    this.editing = null;
    // Back to an empty form for the next endpoint (a reset would also clear the Enabled box's default).
    const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
    field('url').value = '';
    field('secret').value = '';
    field('events').value = '*';
    field('enabled').checked = true;
  }

  private async removeWebhook(webhook: WebhookView): Promise<void> {
    if (!confirm(`Remove the webhook to ${webhook.url} and its delivery log?`)) return;
    await this.run(async () => {
      await this.api.deleteWebhook(this.app.id, webhook.id);
      if (this.selected?.id === webhook.id) this.selected = null;
      await this.load();
    }, 'Webhook removed.');
  }

  private async redeliver(delivery: WebhookDelivery): Promise<void> {
    const selected = this.selected;
    if (!selected) return;
    await this.run(async () => {
      await this.api.redeliver(this.app.id, selected.id, delivery.id);
      await this.showLog(selected);
    }, `Event ${delivery.eventId} queued again.`);
  }

  private form() {
    const w = this.editing;
    return html`<form class="row" data-webhook-form @submit=${(e: SubmitEvent) => void this.save(e)}>
      <label
        >URL<input
          name="url"
          type="url"
          required
          maxlength="2048"
          .value=${w?.url ?? ''}
          placeholder="https://"
      /></label>
      <label
        >Secret<input
          name="secret"
          type="password"
          minlength="16"
          maxlength="256"
          ?required=${w === null}
          placeholder=${w ? 'unchanged' : '16-256 characters'}
      /></label>
      <label
        >Events<input
          name="events"
          required
          .value=${w ? w.events.join(', ') : '*'}
          placeholder="message.created, moderation.*"
      /></label>
      <label class="check"
        ><input name="enabled" type="checkbox" .checked=${w?.enabled ?? true} />Enabled</label
      >
      <button type="submit">${w ? 'Save' : 'Add webhook'}</button>
      ${w ? html`<button type="button" @click=${() => (this.editing = null)}>Cancel</button>` : nothing}
    </form>`;
  }

  private log() {
    const w = this.selected;
    if (!w) return nothing;
    return html`<div class="card">
      <h3>Deliveries to ${w.url}</h3>
      <button @click=${() => void this.run(() => this.showLog(w))}>Refresh</button>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>Created</th>
              <th>Event</th>
              <th>Status</th>
              <th>Tries</th>
              <th>Last answer</th>
              <th>Next try</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${this.deliveries.map(
              (d) =>
                html`<tr data-delivery=${d.id} data-status=${d.status}>
                  <td class="muted">${when(d.createdAt)}</td>
                  <td><code>${d.type}</code><br /><span class="muted">${d.eventId}</span></td>
                  <td>${d.status}</td>
                  <td>${d.attempts}</td>
                  <td>${d.lastStatus ?? ''} ${d.lastFailure ?? ''}</td>
                  <td class="muted">${d.status === 'failed-retrying' ? when(d.nextAttemptAt) : ''}</td>
                  <td><button @click=${() => void this.redeliver(d)}>Redeliver</button></td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${this.deliveries.length === 0 ? html`<p class="muted">No delivery yet.</p>` : nothing}
      ${this.cursor !== null ? html`<button @click=${() => void this.run(() => this.older())}>Older</button>` : nothing}
    </div>`;
  }

  override render() {
    return html`<div class="card">
        <h2>Webhooks</h2>
        <p class="muted">
          Signed POSTs of the app's events to your endpoints, at least once and in order per room (at most
          10).
        </p>
        ${this.form()} ${this.statusLine()}
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>URL</th>
                <th>Events</th>
                <th>Enabled</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${this.webhooks.map(
                (w) =>
                  html`<tr data-webhook=${w.id}>
                    <td class="text">${w.url}</td>
                    <td><code>${w.events.join(', ')}</code></td>
                    <td>${w.enabled ? 'yes' : 'no'}</td>
                    <td>
                      <button @click=${() => void this.run(() => this.showLog(w))}>Deliveries</button>
                      <button @click=${() => (this.editing = w)}>Edit</button>
                      <button @click=${() => void this.removeWebhook(w)}>Remove</button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${this.webhooks.length === 0 ? html`<p class="muted">No webhook yet.</p>` : nothing}
      </div>
      ${this.log()}`;
  }
}
