/**
 * Bots: the app's bots (list, create, delete) and their API keys, shown once when a bot is created or its key
 * rotated (GET/POST/DELETE /api/v1/apps/:app/bots…, POST …/bots/:username/key; docs/bots.md).
 */
import { html, nothing } from 'lit';
import { when, type BotCommand, type BotView, type BotWithKey } from '../api.js';
import { AdminView } from '../view.js';

/** Commands as typed: one a line, the name (with or without "/") then what it does. */
export function commandsOf(text: string): BotCommand[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [name = '', ...rest] = line.replace(/^\//, '').split(/\s+/);
      return { name, description: rest.join(' ') };
    });
}

export class BotsView extends AdminView {
  static override properties = {
    ...AdminView.properties,
    bots: { state: true },
    issued: { state: true },
  };

  declare bots: BotView[];
  /** The key just made, shown until the next action. */
  declare issued: BotWithKey | null;

  constructor() {
    super();
    this.bots = [];
    this.issued = null;
  }

  async load(): Promise<void> {
    this.bots = (await this.api.bots(this.app.id)).bots;
  }

  private async create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const username = text('username');
    const displayName = text('displayName');
    const url = text('url');
    const commands = commandsOf(String(data.get('commands') ?? ''));
    this.issued = null;
    const ok = await this.run(async () => {
      this.issued = await this.api.createBot(this.app.id, {
        username,
        ...(displayName === '' ? {} : { displayName }),
        ...(url === '' ? {} : { endpoint: { url, secret: String(data.get('secret') ?? '') } }),
        ...(commands.length === 0 ? {} : { commands }),
      });
      await this.load();
    }, `Bot ${username} created.`);
    if (ok) form.reset();
  }

  private async rotate(bot: BotView): Promise<void> {
    if (!confirm(`Give ${bot.username} a new API key? The old one stops working at once.`)) return;
    this.issued = null;
    await this.run(async () => {
      this.issued = await this.api.rotateBotKey(this.app.id, bot.username);
    }, `New key for ${bot.username}.`);
  }

  private async removeBot(bot: BotView): Promise<void> {
    if (!confirm(`Delete the bot ${bot.username}? Its key stops working; its messages stay.`)) return;
    this.issued = null;
    await this.run(async () => {
      await this.api.deleteBot(this.app.id, bot.username);
      await this.load();
    }, `Bot ${bot.username} deleted.`);
  }

  private issuedCard(issued: BotWithKey) {
    return html`<div class="card" data-bot-key=${issued.bot.username}>
      <h2>API key for ${issued.bot.username}</h2>
      <p class="muted">Shown only now: the server keeps a hash. Put it in the bot's configuration.</p>
      <input
        class="token"
        readonly
        aria-label="The new API key"
        .value=${issued.apiKey}
        @focus=${(e: FocusEvent) => (e.currentTarget as HTMLInputElement).select()}
      />
    </div>`;
  }

  private form() {
    return html`<form class="row" data-bot-form @submit=${(e: SubmitEvent) => void this.create(e)}>
      <label>Username<input name="username" required maxlength="32" /></label>
      <label>Display name<input name="displayName" maxlength="64" /></label>
      <label
        >Endpoint URL<input name="url" type="url" maxlength="2048" placeholder="https:// (optional)"
      /></label>
      <label>Endpoint secret<input name="secret" type="password" maxlength="1024" /></label>
      <label
        >Commands<textarea
          name="commands"
          rows="3"
          placeholder="/weather Tells the weather (one a line)"
        ></textarea>
      </label>
      <button type="submit">Create bot</button>
    </form>`;
  }

  override render() {
    return html`<div class="card">
        <h2>Bots</h2>
        <p class="muted">
          Users of kind bot that sign in with an API key and answer slash commands, at their endpoint or on
          their own connections.
        </p>
        ${this.form()} ${this.statusLine()}
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Username</th>
                <th>Endpoint</th>
                <th>Commands</th>
                <th>Created</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${this.bots.map(
                (b) =>
                  html`<tr data-bot=${b.username}>
                    <td>
                      ${b.username}${b.displayName ? html`<br /><span class="muted">${b.displayName}</span>` : nothing}
                    </td>
                    <td class="text">
                      ${b.endpoint?.url ?? html`<span class="muted">its connections</span>`}
                    </td>
                    <td>${b.commands.map((c) => html`<code>/${c.name}</code> `)}</td>
                    <td class="muted">${when(b.createdAt)}</td>
                    <td>
                      <button @click=${() => void this.rotate(b)}>New key</button>
                      <button @click=${() => void this.removeBot(b)}>Delete</button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${this.bots.length === 0 ? html`<p class="muted">No bot yet.</p>` : nothing}
      </div>
      ${this.issued ? this.issuedCard(this.issued) : nothing}`;
  }
}
