/** A message's link preview (docs/link-previews.md): a card under the message, linking to the page. */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageView } from '../../../src/client/index.js';

const WEB_URL = /^https?:\/\//i;

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/**
 * The card: the site, the title and the description, and the page's image. The image comes from the page's
 * own site (the server never fetches it): it is loaded lazily and without a referrer, so that the site does
 * not learn which chat showed it.
 */
export function previewView(message: MessageView): TemplateResult | typeof nothing {
  const preview = message.preview;
  if (!preview || message.deletedAt !== null || !WEB_URL.test(preview.url)) return nothing;
  const site = preview.siteName ?? hostOf(preview.url);
  const image = preview.imageUrl !== undefined && WEB_URL.test(preview.imageUrl) ? preview.imageUrl : null;
  return html`<a class="preview" href=${preview.url} target="_blank" rel="nofollow noopener noreferrer">
    ${image ? html`<img src=${image} alt="" loading="lazy" referrerpolicy="no-referrer" />` : nothing}
    <span class="p-text">
      ${site ? html`<span class="p-site">${site}</span>` : nothing}
      ${preview.title ? html`<span class="p-title">${preview.title}</span>` : nothing}
      ${preview.description ? html`<span class="p-desc">${preview.description}</span>` : nothing}
    </span>
  </a>`;
}
