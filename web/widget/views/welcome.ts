/** The first screen for someone the widget does not know yet: a nickname, or signing in. */
import { html, nothing, type TemplateResult } from 'lit';
/** The username rule as a `pattern` attribute (compiled with the v flag, so `-` is escaped). */
const NICKNAME_PATTERN = '[\\w.\\-]{1,32}';

export type WelcomeMode = 'guest' | 'login' | 'register';

export interface WelcomeModel {
  room: string;
  mode: WelcomeMode;
  busy: boolean;
  error: string;
  guestsAllowed: boolean;
  /** The app asked for verification: the service's widget (light DOM, verification.ts) goes in the form. */
  verifying: boolean;
  /** The nickname last tried: kept in the field when it is refused, to be corrected rather than retyped. */
  nickname: string;
}

export interface WelcomeActions {
  joinAsGuest(nickname: string): void;
  account(mode: 'login' | 'register', username: string, password: string): void;
  requestSignIn(): void;
  setMode(mode: WelcomeMode): void;
}

function field(form: HTMLFormElement, name: string): string {
  const input = form.elements.namedItem(name);
  return input instanceof HTMLInputElement ? input.value.trim() : '';
}

function errorLine(error: string): TemplateResult | typeof nothing {
  return error ? html`<p class="error-text" role="alert">${error}</p>` : nothing;
}

function guestForm(model: WelcomeModel, actions: WelcomeActions): TemplateResult {
  return html`<h3>Join the conversation</h3>
    <p>Pick a nickname to chat in #${model.room}. No account needed.</p>
    ${
      model.guestsAllowed
        ? html`<form
            @submit=${(e: SubmitEvent) => {
              e.preventDefault();
              actions.joinAsGuest(field(e.currentTarget as HTMLFormElement, 'nickname'));
            }}
          >
            <label
              >Nickname
              <input
                name="nickname"
                autocomplete="nickname"
                required
                maxlength="32"
                pattern=${NICKNAME_PATTERN}
                title="Letters, digits, _ . or - (up to 32)"
                placeholder="e.g. ada_l"
                .value=${model.nickname}
                ?disabled=${model.busy}
            /></label>
            ${model.verifying ? html`<div class="verification"><slot name="verification"></slot></div>` : nothing}
            ${errorLine(model.error)}
            <button class="primary" ?disabled=${model.busy}>
              ${model.busy ? 'Joining…' : 'Start chatting'}
            </button>
          </form>`
        : errorLine(model.error)
    }
    <div class="or">or</div>
    <button class="secondary" type="button" @click=${() => actions.requestSignIn()}>Sign in</button>`;
}

function accountForm(
  model: WelcomeModel,
  actions: WelcomeActions,
  mode: 'login' | 'register',
): TemplateResult {
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    actions.account(mode, field(form, 'username'), field(form, 'password'));
  };
  return html`<h3>${mode === 'login' ? 'Sign in' : 'Create an account'}</h3>
    <div class="tabs" role="group" aria-label="Account">
      <button type="button" aria-pressed=${mode === 'login'} @click=${() => actions.setMode('login')}>
        Sign in
      </button>
      <button type="button" aria-pressed=${mode === 'register'} @click=${() => actions.setMode('register')}>
        Create account
      </button>
    </div>
    <form @submit=${submit}>
      <label
        >Username
        <input name="username" autocomplete="username" required maxlength="32" ?disabled=${model.busy}
      /></label>
      <label
        >Password
        <input
          name="password"
          type="password"
          autocomplete=${mode === 'login' ? 'current-password' : 'new-password'}
          required
          minlength="6"
          ?disabled=${model.busy}
      /></label>
      ${errorLine(model.error)}
      <button class="primary" ?disabled=${model.busy}>
        ${mode === 'login' ? 'Sign in' : 'Create account'}
      </button>
    </form>
    <button class="link" type="button" @click=${() => actions.setMode('guest')}>Back</button>`;
}

export function welcomeView(model: WelcomeModel, actions: WelcomeActions): TemplateResult {
  return html`<div class="welcome">
    ${model.mode === 'guest' ? guestForm(model, actions) : accountForm(model, actions, model.mode)}
  </div>`;
}
