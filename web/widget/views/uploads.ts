/** The composer's files: the attach button (with its hidden file input) and the uploads under way or done. */
import { html, nothing, type TemplateResult } from 'lit';
import type { UploadController } from '../uploader.js';
import { tx } from '../i18n/scope.js';
import { attachIcon } from './icons.js';

export function attachButton(uploads: UploadController, disabled: boolean): TemplateResult {
  return html`<label class="attach" title=${tx().t('attachFile')}>
    <span class="sr-only">${tx().t('attachFile')}</span>
    ${attachIcon}
    <input
      type="file"
      multiple
      class="sr-only"
      ?disabled=${disabled}
      @change=${(e: Event) => {
        const input = e.currentTarget as HTMLInputElement;
        uploads.add([...(input.files ?? [])]);
        input.value = '';
      }}
    />
  </label>`;
}

export function uploadTray(uploads: UploadController): TemplateResult | typeof nothing {
  if (uploads.uploads.length === 0) return nothing;
  return html`<ul class="uploads">
    ${uploads.uploads.map(
      (u) =>
        html`<li class="upload" data-state=${u.id === null ? 'uploading' : 'ready'}>
          <span class="name">${u.name}</span>
          ${
            u.id === null
              ? html`<progress
                  max=${Math.max(u.total, 1)}
                  value=${u.loaded}
                  aria-label=${tx().t('uploading', { name: u.name })}
                ></progress>`
              : html`<span aria-hidden="true">✓</span>`
          }
          <button
            type="button"
            aria-label=${tx().t('removeFile', { name: u.name })}
            @click=${() => uploads.remove(u.key)}
          >
            ×
          </button>
        </li>`,
    )}
  </ul>`;
}
