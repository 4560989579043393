/** Search hits' highlights, shared by the widget and the admin console. */
import { html, type TemplateResult } from 'lit';

/** A hit's highlight is HTML-escaped text with `<mark>`s: rebuilt as text nodes, never parsed as HTML. */
export function highlighted(highlight: string): TemplateResult[] {
  const entities: Record<string, string> = {
    '&amp;': '&',
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#39;': "'",
  };
  const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => entities[e] ?? e);
  return highlight
    .split(/<mark>(.*?)<\/mark>/s)
    .map((part, i) => (i % 2 === 1 ? html`<mark>${decode(part)}</mark>` : html`${decode(part)}`));
}
