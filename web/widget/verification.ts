/**
 * Guest verification in the widget: when the app asks new guests for a token of its verification service
 * (`verification_failed` with `{ provider, siteKey }`), the widget shows that service's own widget (Cloudflare
 * Turnstile, hCaptcha or reCAPTCHA) and joins with the token it yields. The host page may answer instead:
 * `parley:verification` is cancelable, and a page that cancels it (or an app with a `custom` service) hands the
 * token over with `element.verify(token)`.
 *
 * The services render iframes into an element of the page; in a shadow root some of them cannot, so the widget
 * renders into a light-DOM child slotted into its welcome form.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ParleyClientError } from '../../src/client/index.js';
import { verifyTextOf } from './texts.js';

export interface VerificationHint {
  provider: string;
  siteKey: string;
}

/** What the three services' explicit-render APIs have in common. */
interface ServiceApi {
  render(container: HTMLElement, options: Record<string, unknown>): unknown;
  reset(id?: unknown): void;
}

interface Service {
  /** The script, rendering explicitly; `onload` names the global function it calls when ready. */
  script: string;
  global: string;
}

const SERVICES: Readonly<Record<string, Service>> = {
  turnstile: {
    script: 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit',
    global: 'turnstile',
  },
  hcaptcha: { script: 'https://js.hcaptcha.com/1/api.js?render=explicit', global: 'hcaptcha' },
  recaptcha: { script: 'https://www.google.com/recaptcha/api.js?render=explicit', global: 'grecaptcha' },
};

/** One load per service and page, shared by every widget on it. */
const loads = new Map<string, Promise<ServiceApi>>();
let loadNo = 0;

function globalApi(name: string): ServiceApi | null {
  const value = (window as unknown as Record<string, unknown>)[name];
  return value && typeof (value as ServiceApi).render === 'function' ? (value as ServiceApi) : null;
}

function loadService(service: Service): Promise<ServiceApi> {
  const known = loads.get(service.script);
  if (known) return known;
  const loading = new Promise<ServiceApi>((resolve, reject) => {
    const ready = globalApi(service.global);
    if (ready) return resolve(ready);
    loadNo += 1;
    const callback = `parleyVerifyReady${loadNo}`;
    const globals = window as unknown as Record<string, unknown>;
    globals[callback] = () => {
      delete globals[callback];
      const api = globalApi(service.global);
      if (api) resolve(api);
      else reject(new Error('verification service did not load'));
    };
    const script = document.createElement('script');
    script.src = `${service.script}&onload=${callback}`;
    script.async = true;
    script.onerror = () => reject(new Error('verification service did not load'));
    document.head.append(script);
  });
  loading.catch(() => loads.delete(service.script));
  loads.set(service.script, loading);
  return loading;
}

/** The service's hint on a refused guest join, or null when the refusal was for something else. */
export function verificationHint(err: unknown): VerificationHint | null {
  if (!(err instanceof ParleyClientError) || err.code !== 'verification_failed') return null;
  const { provider, siteKey } = err.details ?? {};
  return typeof provider === 'string' && typeof siteKey === 'string' ? { provider, siteKey } : null;
}

type Host = ReactiveControllerHost & HTMLElement;

export class GuestVerification implements ReactiveController {
  /** The hint of the refusal being answered; the welcome form shows the slot while it is set. */
  hint: VerificationHint | null = null;
  private nickname = '';
  private holder: HTMLElement | null = null;

  constructor(
    private readonly host: Host,
    private readonly join: (nickname: string, token: string) => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.clear();
  }

  /**
   * A guest join was refused: when for want of verification, show the service (or let the page answer) and
   * return what to tell the guest; null for any other refusal.
   */
  ask(err: unknown, nickname: string, hadToken: boolean): string | null {
    const hint = verificationHint(err);
    if (!hint) return null;
    this.nickname = nickname;
    const first = this.hint === null;
    this.hint = hint;
    if (first) this.show(hint);
    else this.reset();
    return hadToken ? verifyTextOf(this.host).rejected : verifyTextOf(this.host).asked;
  }

  /** A token from the host page (a `custom` service, or a page that runs the service itself). */
  provide(token: string): void {
    if (this.hint !== null && token) this.join(this.nickname, token);
  }

  clear(): void {
    this.hint = null;
    this.holder?.remove();
    this.holder = null;
  }

  private show(hint: VerificationHint): void {
    const detail = { ...hint, nickname: this.nickname };
    const event = new CustomEvent('parley:verification', {
      detail,
      bubbles: true,
      composed: true,
      cancelable: true,
    });
    const service = SERVICES[hint.provider];
    if (!this.host.dispatchEvent(event) || !service) return;
    const holder = document.createElement('div');
    holder.slot = 'verification';
    this.host.append(holder);
    this.holder = holder;
    loadService(service).then(
      (api) => {
        if (this.holder !== holder) return;
        const id = api.render(holder, {
          sitekey: hint.siteKey,
          callback: (token: string) => this.provide(token),
          'expired-callback': () => api.reset(id),
        });
        this.resetWidget = () => api.reset(id);
      },
      () => {
        if (this.holder === holder) holder.textContent = verifyTextOf(this.host).unavailable;
      },
    );
  }

  private resetWidget: () => void = () => undefined;

  /** The service's token was refused: a fresh challenge for another try. */
  private reset(): void {
    try {
      this.resetWidget();
    } catch {
      // A service that cannot reset shows its own expired state; the guest can still try again.
    }
  }
}
