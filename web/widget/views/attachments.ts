/** The files a message carries: images as thumbnails that open the image, other files as download chips. */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageView } from '../../../src/client/index.js';

/** The server gives file URLs relative to itself (docs/attachments.md). */
const resolve = (base: string, url: string): string => new URL(url, `${base}/`).href;

export function attachmentsView(message: MessageView, base: string): TemplateResult | typeof nothing {
  const files = message.attachments ?? [];
  if (files.length === 0 || message.deletedAt !== null) return nothing;
  return html`<div class="files">
    ${files.map((file) =>
      file.thumbnailUrl
        ? html`<a class="thumb" href=${resolve(base, file.url)} target="_blank" rel="noopener noreferrer"
            ><img src=${resolve(base, file.thumbnailUrl)} alt=${file.name} loading="lazy" decoding="async"
          /></a>`
        : html`<a
            class="chip file"
            href=${resolve(base, file.url)}
            download=${file.name}
            rel="noopener noreferrer"
            >${file.name}</a
          >`,
    )}
  </div>`;
}
