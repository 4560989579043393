/**
 * The app's word and link filter (the app setting `filter`, saved with PATCH /api/v1/apps/:app), and a tester
 * (POST /api/v1/apps/:app/filter/test) that says what the filter would do with a text.
 */
import { html, nothing } from 'lit';
import type { FilterSettings, FilterVerdict } from '../api.js';
import { AdminView } from '../view.js';

type Rule = FilterSettings['rules'][number];

const LINKS: { value: FilterSettings['links']; label: string }[] = [
  { value: 'anyone', label: 'Anyone' },
  { value: 'members', label: 'Members (not guests)' },
  { value: 'staff', label: 'Staff only' },
];

export class FilterView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    rules: { state: true },
    verdict: { state: true },
  };

  declare rules: Rule[];
  declare verdict: FilterVerdict | null;

  constructor() {
    super();
    this.rules = [];
    this.verdict = null;
  }

  /** The settings come with the app; the rules are edited here until saved. */
  async load(): Promise<void> {
    this.rules = this.app.settings.filter.rules.map((r) => ({ ...r }));
    this.verdict = null;
  }

  private setRule(index: number, patch: Partial<Rule>): void {
    this.rules = this.rules.map((r, i) => (i === index ? { ...r, ...patch } : r));
  }

  private addRule(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const phrase = String(data.get('phrase') ?? '').trim();
    if (!phrase) return;
    this.rules = [
      ...this.rules,
      {
        phrase,
        action: String(data.get('action')) as Rule['action'],
        match: data.get('match') === 'anywhere' ? 'anywhere' : 'word',
      },
    ];
    form.reset();
    this.status = { ok: true, text: `Rule “${phrase}” added; save to apply it.` };
  }

  private async save(): Promise<void> {
    const form = this.renderRoot.querySelector<HTMLFormElement>('form[data-links]');
    const data = form ? new FormData(form) : null;
    const filter: FilterSettings = {
      rules: this.rules,
      links: (data?.get('links') as FilterSettings['links'] | null) ?? this.app.settings.filter.links,
      linkMinAccountAgeHours: Number(data?.get('linkMinAccountAgeHours') ?? 0),
    };
    await this.run(async () => {
      const app = await this.api.updateApp(this.app.id, { settings: { filter } });
      this.dispatchEvent(new CustomEvent('app-updated', { detail: app, bubbles: true, composed: true }));
    }, 'Filter saved.');
  }

  private async test(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const username = String(data.get('username') ?? '').trim();
    await this.run(async () => {
      this.verdict = await this.api.testFilter(this.app.id, String(data.get('text') ?? ''), username);
    });
  }

  private ruleRow(rule: Rule, i: number) {
    return html`<tr data-rule=${rule.phrase}>
      <td class="text">${rule.phrase}</td>
      <td>
        <select
          aria-label="Action for “${rule.phrase}”"
          @change=${(e: Event) =>
            this.setRule(i, { action: (e.currentTarget as HTMLSelectElement).value as Rule['action'] })}
        >
          ${(['reject', 'mask', 'hold'] as const).map((a) => html`<option ?selected=${rule.action === a}>${a}</option>`)}
        </select>
      </td>
      <td>
        <select
          aria-label="Match for “${rule.phrase}”"
          @change=${(e: Event) =>
            this.setRule(i, {
              match: (e.currentTarget as HTMLSelectElement).value === 'anywhere' ? 'anywhere' : 'word',
            })}
        >
          <option value="word" ?selected=${rule.match !== 'anywhere'}>whole words</option>
          <option value="anywhere" ?selected=${rule.match === 'anywhere'}>anywhere</option>
        </select>
      </td>
      <td>
        <button
          class="danger"
          aria-label="Remove “${rule.phrase}”"
          @click=${() => (this.rules = this.rules.filter((_, j) => j !== i))}
        >
          Remove
        </button>
      </td>
    </tr>`;
  }

  private verdictView(v: FilterVerdict) {
    const why = v.reason === 'link' ? 'a link' : v.matches.map((m) => `“${m.phrase}”`).join(', ');
    const text = {
      pass: 'Passes: posted as written.',
      mask: 'Masked: posted as',
      hold: `Held for review (${why}).`,
      reject: `Refused (${why}).`,
    }[v.action];
    return html`<div data-verdict=${v.action} role="status">
      <p><strong>${text}</strong></p>
      ${v.action === 'mask' ? html`<p class="text"><code>${v.text}</code></p>` : nothing}
      <p class="muted">${v.links} link(s) found.</p>
    </div>`;
  }

  override render() {
    const f = this.app.settings.filter;
    return html`<div class="card">
        <h2>Word and link filter</h2>
        <p class="muted">
          Phrases are plain text (no patterns), matched ignoring case and accents. Staff are not filtered.
        </p>
        <table>
          <thead>
            <tr>
              <th>Phrase</th>
              <th>Action</th>
              <th>Match</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${this.rules.map((r, i) => this.ruleRow(r, i))}
          </tbody>
        </table>
        ${this.rules.length === 0 ? html`<p class="muted">No phrases.</p>` : nothing}
        <form class="row" style="margin-top:12px" @submit=${(e: SubmitEvent) => this.addRule(e)}>
          <label>Phrase<input name="phrase" required maxlength="100" /></label>
          <label
            >Action<select name="action">
              <option>reject</option>
              <option>mask</option>
              <option>hold</option>
            </select></label
          >
          <label
            >Match<select name="match">
              <option value="word">whole words</option>
              <option value="anywhere">anywhere</option>
            </select></label
          >
          <button>Add rule</button>
        </form>
        <h3>Links</h3>
        <form class="row" data-links @submit=${(e: SubmitEvent) => e.preventDefault()}>
          <label
            >Who may post links<select name="links">
              ${LINKS.map((l) => html`<option value=${l.value} ?selected=${f.links === l.value}>${l.label}</option>`)}
            </select></label
          >
          <label
            >Least account age for links (hours)<input
              name="linkMinAccountAgeHours"
              type="number"
              min="0"
              max="8760"
              .value=${String(f.linkMinAccountAgeHours)}
          /></label>
        </form>
        <div class="row" style="margin-top:12px">
          <button class="primary" @click=${() => void this.save()}>Save filter</button>
        </div>
        ${this.statusLine()}
      </div>
      <form class="card" @submit=${(e: SubmitEvent) => void this.test(e)}>
        <h2>Tester</h2>
        <p class="muted">Tries the saved filter. Posts nothing and counts no strike.</p>
        <label>Text<textarea name="text" rows="3" required></textarea></label>
        <div class="row" style="margin-top:8px">
          <label>As user (optional)<input name="username" maxlength="32" /></label>
          <button class="primary">Test</button>
        </div>
        ${this.verdict ? this.verdictView(this.verdict) : nothing}
      </form>`;
  }
}
