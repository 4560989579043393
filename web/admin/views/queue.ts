/**
 * The moderation queue (GET /api/v1/apps/:app/reports): reported and held messages with their context, reporters
 * and author, each resolved in one step (POST .../reports/:messageId/resolve). Texts are shown as text.
 */
import { html, nothing } from 'lit';
import { when, type MessageView, type QueueEntryView, type ReportAction } from '../api.js';
import { AdminView, minutesOf } from '../view.js';

type Status = 'open' | 'resolved';

const REASONS: Record<QueueEntryView['reason'], string> = {
  held: 'Held by the filter',
  spam: 'Reported as spam',
  abuse: 'Reported as abuse',
  other: 'Reported (other)',
};

function field(form: HTMLFormElement | null, name: string): string {
  const el = form?.elements.namedItem(name);
  return el instanceof HTMLInputElement ? el.value.trim() : '';
}

function line(m: MessageView, reported: boolean) {
  return html`<li class=${reported ? 'reported' : 'muted'} data-context=${m.id}>
    <strong>${m.author?.username ?? 'system'}</strong>
    ${m.visibility ? html`<span class="pill">${m.visibility}</span>` : nothing}
    <span class="text">${m.deletedAt !== null ? html`<em>deleted</em>` : m.text}</span>
  </li>`;
}

export class QueueView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    queueStatus: { state: true },
    entries: { state: true },
    cursor: { state: true },
  };

  declare queueStatus: Status;
  declare entries: QueueEntryView[];
  declare cursor: number | null;

  constructor() {
    super();
    this.queueStatus = 'open';
    this.entries = [];
    this.cursor = null;
  }

  async load(): Promise<void> {
    const page = await this.api.reports(this.app.id, this.queueStatus, undefined, this.filter);
    this.entries = page.entries;
    this.cursor = page.nextCursor;
  }

  private async older(): Promise<void> {
    if (this.cursor === null) return;
    const page = await this.api.reports(this.app.id, this.queueStatus, this.cursor, this.filter);
    this.entries = [...this.entries, ...page.entries];
    this.cursor = page.nextCursor;
  }

  /** The search form's narrowing: words in the message, a room, a reason (all optional). */
  private filter: { q?: string; room?: string; reason?: string } = {};

  private search(e: SubmitEvent): void {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const value = (name: string) => String(data.get(name) ?? '').trim();
    this.filter = { q: value('q'), room: value('room'), reason: value('reason') };
    this.status = null;
    void this.run(() => this.load());
  }

  private searchForm() {
    return html`<form class="row" role="search" aria-label="Search the queue" @submit=${this.search}>
      <input name="q" type="search" maxlength="200" placeholder="Words in the message" aria-label="Words" />
      <input name="room" maxlength="64" placeholder="Room" aria-label="Room" />
      <select name="reason" aria-label="Queue reason">
        <option value="">Any reason</option>
        ${['spam', 'abuse', 'other', 'held'].map((r) => html`<option value=${r}>${r}</option>`)}
      </select>
      <button type="submit">Search</button>
    </form>`;
  }

  private show(status: Status): void {
    this.queueStatus = status;
    this.status = null;
    void this.run(() => this.load());
  }

  private async resolve(e: Event, entry: QueueEntryView, action: ReportAction): Promise<void> {
    const form = (e.currentTarget as HTMLElement).closest('form');
    const minutes =
      action === 'mute'
        ? minutesOf(field(form, 'muteMinutes'))
        : action === 'ban'
          ? minutesOf(field(form, 'banMinutes'))
          : undefined;
    const reason = field(form, 'reason');
    const id = entry.message.id;
    await this.run(
      async () => {
        await this.api.resolveReport(this.app.id, id, {
          action,
          ...(minutes === undefined ? {} : { minutes }),
          ...(reason ? { reason } : {}),
        });
        this.entries = this.entries.filter((x) => x.message.id !== id);
      },
      `Message ${id}: ${action === 'dismiss' ? 'dismissed' : action === 'delete' ? 'deleted' : `author ${action === 'mute' ? 'muted' : 'banned'}`}.`,
    );
  }

  private author(entry: QueueEntryView) {
    const a = entry.author;
    if (!a) return html`<p class="muted">The author is gone.</p>`;
    const counts = Object.entries(a.record).filter(([, n]) => n > 0);
    return html`<p data-author=${a.user.username}>
      Author <strong>${a.user.username}</strong>
      ${a.banned ? html`<span class="pill">banned</span>` : nothing}
      ${a.muted ? html`<span class="pill">muted</span>` : nothing}
      ${a.shadowMuted ? html`<span class="pill">shadow-muted</span>` : nothing}
      <span class="muted"
        >· record: ${counts.length ? counts.map(([kind, n]) => `${kind} ${n}`).join(', ') : 'clean'}</span
      >
    </p>`;
  }

  private actions(entry: QueueEntryView) {
    const id = entry.message.id;
    const act = (action: ReportAction, label: string, cls = '') =>
      html`<button type="button" class=${cls} @click=${(e: Event) => void this.resolve(e, entry, action)}>
        ${label}
      </button>`;
    return html`<form
      class="row"
      aria-label="Resolve message ${id}"
      @submit=${(e: Event) => e.preventDefault()}
    >
      <label>Reason (optional)<input name="reason" maxlength="500" /></label>
      <label
        >Mute minutes<input name="muteMinutes" type="number" min="1" value="10" style="width:7em"
      /></label>
      <label
        >Ban minutes<input name="banMinutes" type="number" min="1" value="1440" style="width:7em"
      /></label>
      ${act('dismiss', 'Dismiss')} ${act('delete', 'Delete', 'danger')} ${act('mute', 'Mute')}
      ${act('ban', 'Ban', 'danger')}
    </form>`;
  }

  private entry(entry: QueueEntryView) {
    const m = entry.message;
    const before = entry.context.filter((c) => c.id < m.id);
    const after = entry.context.filter((c) => c.id > m.id);
    return html`<article class="card" data-entry=${m.id}>
      <div class="row" style="justify-content:space-between">
        <h3 style="margin:0">
          <span class="pill" data-reason=${entry.reason}>${REASONS[entry.reason]}</span>
          #${entry.room.name} · message ${m.id}
        </h3>
        <span class="muted">${when(entry.openedAt)}</span>
      </div>
      <ol class="pins" aria-label="The message in context">
        ${before.map((c) => line(c, false))} ${line(m, true)} ${after.map((c) => line(c, false))}
      </ol>
      ${
        entry.reports.length
          ? html`<h3>Reporters (${entry.reporters})</h3>
              <ul class="pins">
                ${entry.reports.map(
                  (r) =>
                    html`<li data-reporter=${r.reporter?.username ?? ''}>
                      <strong>${r.reporter?.username ?? 'a removed user'}</strong>
                      <span class="pill">${r.reason}</span> <span class="text">${r.text}</span>
                    </li>`,
                )}
              </ul>`
          : nothing
      }
      ${this.author(entry)}
      ${
        entry.status === 'open'
          ? this.actions(entry)
          : html`<p data-resolution=${entry.resolution ?? ''}>
              Resolved: <strong>${entry.resolution}</strong> · ${when(entry.resolvedAt)}
              ${entry.note ? html`· <span class="text">${entry.note}</span>` : nothing}
            </p>`
      }
    </article>`;
  }

  override render() {
    const toggle = (status: Status, label: string) =>
      html`<button aria-pressed=${this.queueStatus === status} @click=${() => this.show(status)}>
        ${label}
      </button>`;
    return html`<div class="card">
        <div class="row" style="justify-content:space-between">
          <h2>Moderation queue</h2>
          <div class="row" role="group" aria-label="Which entries">
            ${toggle('open', 'Open')} ${toggle('resolved', 'Resolved')}
            <button @click=${() => void this.run(() => this.load())}>Refresh</button>
          </div>
        </div>
        ${this.searchForm()} ${this.statusLine()}
        ${
          this.entries.length === 0
            ? html`<p class="muted">
                ${this.queueStatus === 'open' ? 'Nothing to review.' : 'Nothing resolved yet.'}
              </p>`
            : nothing
        }
      </div>
      ${this.entries.map((e) => this.entry(e))}
      ${this.cursor !== null ? html`<button @click=${() => void this.run(() => this.older())}>Older</button>` : nothing}`;
  }
}
