/**
 * An image of a message, full size over the widget: a click on its thumbnail opens it (the thumbnail stays a
 * plain link for a middle click or a new tab); Escape, the close button or a click anywhere closes it, and the
 * focus goes back to the thumbnail.
 */
import {
  html,
  nothing,
  type ReactiveController,
  type ReactiveControllerHost,
  type TemplateResult,
} from 'lit';
import { tx } from './i18n/scope.js';

export class Lightbox implements ReactiveController {
  image: { src: string; alt: string } | null = null;
  private opener: HTMLElement | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('click', this.onClick);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('click', this.onClick);
  }

  close(): void {
    if (!this.image) return;
    this.image = null;
    this.host.requestUpdate();
    const opener = this.opener;
    this.opener = null;
    opener?.focus();
  }

  view(): TemplateResult | typeof nothing {
    if (!this.image) return nothing;
    return html`<div
      class="lightbox"
      role="dialog"
      aria-modal="true"
      aria-label=${this.image.alt}
      @click=${() => this.close()}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          this.close();
        } else if (e.key === 'Tab') e.preventDefault();
      }}
    >
      <img src=${this.image.src} alt=${this.image.alt} />
      <button class="close" type="button" aria-label=${tx().t('close')}>×</button>
    </div>`;
  }

  private readonly onClick = (e: MouseEvent): void => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    const thumb = e
      .composedPath()
      .find(
        (node): node is HTMLAnchorElement =>
          node instanceof HTMLAnchorElement && node.matches('.files .thumb'),
      );
    if (!thumb) return;
    e.preventDefault();
    this.opener = thumb;
    this.image = { src: thumb.href, alt: thumb.querySelector('img')?.alt ?? '' };
    this.host.requestUpdate();
    // The only control in the dialog: the focus stays on it (Tab is held) until it closes.
    void this.host.updateComplete.then(() =>
      this.host.shadowRoot?.querySelector<HTMLElement>('.lightbox .close')?.focus(),
    );
  };
}
