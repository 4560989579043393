import { css } from 'lit';

/** The link preview card under a message (views/preview.ts). */
export const preview = css`
  .preview {
    display: flex;
    gap: 8px;
    max-width: min(100%, 420px);
    margin-top: 4px;
    padding: 6px 8px;
    border: 1px solid var(--_border);
    border-inline-start: 3px solid var(--_accent);
    border-radius: 6px;
    background: var(--_surface);
    color: var(--_fg);
    text-decoration: none;
    overflow: hidden;
  }
  .preview:hover .p-title {
    text-decoration: underline;
  }
  .preview img {
    flex: none;
    width: 64px;
    height: 64px;
    border-radius: 4px;
    object-fit: cover;
  }
  .p-text {
    display: flex;
    flex-direction: column;
    gap: 2px;
    min-width: 0;
    font-size: 0.85em;
  }
  .p-site {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .p-title {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .p-desc {
    color: var(--_muted);
    display: -webkit-box;
    -webkit-line-clamp: 3;
    -webkit-box-orient: vertical;
    overflow: hidden;
  }
`;
