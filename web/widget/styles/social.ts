import { css } from 'lit';

/** Replies (the quote, the reply bar), reaction chips, the emoji picker and the unread badge. */
export const social = css`
  .quote {
    display: flex;
    gap: 6px;
    align-items: baseline;
    max-width: 100%;
    margin: 2px 0;
    padding: 2px 8px;
    border: 0;
    border-inline-start: 3px solid var(--_border);
    border-radius: 4px;
    background: var(--_surface);
    color: var(--_muted);
    font: inherit;
    font-size: 0.82em;
    text-align: start;
    overflow: hidden;
  }
  button.quote:hover {
    border-inline-start-color: var(--_accent);
    color: var(--_fg);
  }
  .q-author {
    font-weight: 600;
    flex: none;
  }
  .q-text {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    min-width: 0;
  }
  .q-text.deleted {
    font-style: italic;
  }
  .msg.flash {
    background: color-mix(in srgb, var(--_accent) 18%, transparent);
    transition: background 0.6s;
  }
  .files {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin-top: 4px;
  }
  .files .thumb img {
    display: block;
    max-width: 160px;
    max-height: 160px;
    border-radius: 6px;
    border: 1px solid var(--_border);
  }
  .chip.file {
    text-decoration: none;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin-top: 3px;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    min-height: 26px;
    padding: 1px 8px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_bg);
    color: var(--_fg);
    font: inherit;
    font-size: 0.82em;
  }
  .chip[aria-pressed='true'] {
    border-color: var(--_accent);
    background: color-mix(in srgb, var(--_accent) 16%, transparent);
  }
  .chip .n {
    font-variant-numeric: tabular-nums;
  }
  .picker {
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
    width: max-content;
    max-width: 100%;
    margin-top: 4px;
    padding: 3px;
    border: 1px solid var(--_border);
    border-radius: 10px;
    background: var(--_bg);
    box-shadow: 0 2px 8px rgb(0 0 0 / 12%);
  }
  .picker button {
    min-width: 32px;
    min-height: 32px;
    border: 0;
    border-radius: 6px;
    background: none;
    color: var(--_muted);
    font-size: 1.1em;
  }
  .picker button:hover {
    background: var(--_surface);
  }
  .replybar {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 0 12px 4px;
    padding: 4px 4px 4px 10px;
    border-inline-start: 3px solid var(--_accent);
    border-radius: 6px;
    background: var(--_surface);
    color: var(--_muted);
    font-size: 0.82em;
  }
  .r-text {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .replybar button {
    flex: none;
    min-width: 28px;
    min-height: 28px;
    border: 0;
    border-radius: 6px;
    background: none;
    color: inherit;
    font-size: 1.1em;
  }
  .replybar button:hover {
    background: var(--_bg);
  }
  .badge {
    flex: none;
    padding: 0 6px;
    border-radius: 999px;
    background: var(--_accent);
    color: var(--_accent-fg);
    font-size: 0.75em;
    font-weight: 700;
    line-height: 1.6;
  }
`;
