/**
 * How views get their words without a language parameter on every function.
 *
 * Lit renders one element at a time and synchronously: between a host's `hostUpdate` and `hostUpdated` (the
 * element's render and the commit of its templates, `repeat` included) no other element renders. The
 * LanguageScope controller makes the host's catalogue the active one for exactly that window, so `tx()` in a
 * view answers in the language of the widget being drawn, and two widgets in different languages on one page
 * each keep theirs. We chose this over passing a `strings` object through every view model because it changes
 * only the literals of the views, not their signatures.
 *
 * The window is the rule: code that builds text later (a failed request, a notice, an event handler) is not
 * in it and must ask for its host's words with `textsOf(host)`. Outside a render `tx()` answers in
 * the page's language, which is right only when every widget of the page speaks it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { textsFor, type Texts } from './texts.js';

/**
 * A widget's language: its `data-lang`, else its `lang`, else the page's `<html lang>`, else the browser's,
 * else English. Read on each call, so a changed attribute counts from the next render.
 */
export function languageOf(element: Element | null): string {
  const own = element?.getAttribute('data-lang') || element?.getAttribute('lang');
  if (own) return own;
  if (typeof document !== 'undefined' && document.documentElement.lang) return document.documentElement.lang;
  if (typeof navigator !== 'undefined' && navigator.language) return navigator.language;
  return 'en';
}

export function textsOf(element: Element | null): Texts {
  return textsFor(languageOf(element));
}

let active: Texts | null = null;

/** The words of the widget being rendered (see above). */
export function tx(): Texts {
  return active ?? textsOf(null);
}

export class LanguageScope implements ReactiveController {
  private observer: MutationObserver | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    // A changed `lang` or `data-lang` draws the widget again in the new language.
    this.observer = new MutationObserver(() => this.host.requestUpdate());
    this.observer.observe(this.host, { attributes: true, attributeFilter: ['lang', 'data-lang'] });
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  hostUpdate(): void {
    active = textsOf(this.host);
  }

  hostUpdated(): void {
    active = null;
  }
}
