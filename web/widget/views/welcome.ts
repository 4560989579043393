/** The first screen for someone the widget does not know yet: a nickname, or signing in. */
import { html, nothing, type TemplateResult } from 'lit';
import { tx } from '../i18n/scope.js';
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
  return html`<h3>${tx().t('joinTitle')}</h3>
    <p>${tx().t('joinIntro', { room: model.room })}</p>
    ${
      model.guestsAllowed
        ? html`<form
            @submit=${(e: SubmitEvent) => {
              e.preventDefault();
              actions.joinAsGuest(field(e.currentTarget as HTMLFormElement, 'nickname'));
            }}
          >
            <label
              >${tx().t('nickname')}
              <input
                name="nickname"
                autocomplete="nickname"
                required
                maxlength="32"
                pattern=${NICKNAME_PATTERN}
                title=${tx().t('nicknameRule')}
                placeholder=${tx().t('nicknameExample')}
                .value=${model.nickname}
                ?disabled=${model.busy}
            /></label>
            ${model.verifying ? html`<div class="verification"><slot name="verification"></slot></div>` : nothing}
            ${errorLine(model.error)}
            <button class="primary" ?disabled=${model.busy}>
              ${model.busy ? tx().t('joining') : tx().t('startChatting')}
            </button>
          </form>`
        : errorLine(model.error)
    }
    <div class="or">${tx().t('or')}</div>
    <button class="secondary" type="button" @click=${() => actions.requestSignIn()}>
      ${tx().t('signIn')}
    </button>`;
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
  return html`<h3>${mode === 'login' ? tx().t('signIn') : tx().t('createAnAccount')}</h3>
    <div class="tabs" role="group" aria-label=${tx().t('account')}>
      <button type="button" aria-pressed=${mode === 'login'} @click=${() => actions.setMode('login')}>
        ${tx().t('signIn')}
      </button>
      <button type="button" aria-pressed=${mode === 'register'} @click=${() => actions.setMode('register')}>
        ${tx().t('createAccount')}
      </button>
    </div>
    <form @submit=${submit}>
      <label
        >${tx().t('username')}
        <input name="username" autocomplete="username" required maxlength="32" ?disabled=${model.busy}
      /></label>
      <label
        >${tx().t('password')}
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
        ${mode === 'login' ? tx().t('signIn') : tx().t('createAccount')}
      </button>
    </form>
    <button class="link" type="button" @click=${() => actions.setMode('guest')}>${tx().t('back')}</button>`;
}

export function welcomeView(model: WelcomeModel, actions: WelcomeActions): TemplateResult {
  return html`<div class="welcome">
    ${model.mode === 'guest' ? guestForm(model, actions) : accountForm(model, actions, model.mode)}
  </div>`;
}
