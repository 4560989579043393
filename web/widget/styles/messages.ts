import { css } from 'lit';

/** The message list: markers, grouped messages, bodies, mentions, actions, notices. */
export const messages = css`
  .log {
    flex: 1;
    display: flex;
    flex-direction: column;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 8px 0 4px;
    scroll-padding-bottom: 8px;
  }
  /* Few messages sit at the bottom, next to the composer, as in every chat. */
  .stream {
    margin-top: auto;
  }
  .log:focus-visible {
    outline-offset: -2px;
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .marker {
    display: flex;
    align-items: center;
    gap: 10px;
    margin: 10px 16px;
    color: var(--_muted);
    font-size: 0.8em;
  }
  .marker::before,
  .marker::after {
    content: '';
    flex: 1;
    height: 1px;
    background: var(--_border);
  }
  .marker.unread {
    color: var(--_danger);
    font-weight: 600;
  }
  .marker.unread::before,
  .marker.unread::after {
    background: var(--_danger);
    opacity: 0.5;
  }
  .older {
    display: block;
    margin: 6px auto 10px;
    padding: 4px 12px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_bg);
    color: var(--_muted);
    font-size: 0.8em;
  }
  .msg {
    position: relative;
    display: grid;
    grid-template-columns: 36px 1fr;
    column-gap: 10px;
    padding: 2px 16px;
  }
  .msg.first {
    margin-top: 10px;
  }
  .msg:hover,
  .msg:focus-within {
    background: var(--_surface);
  }
  .msg.mine {
    box-shadow: inset 3px 0 0 color-mix(in srgb, var(--_accent) 55%, transparent);
  }
  .msg.mentioned {
    background: color-mix(in srgb, var(--_mention) 55%, transparent);
    box-shadow: inset 3px 0 0 var(--_warn);
  }
  .avatar {
    grid-row: span 2;
    width: 36px;
    height: 36px;
    border-radius: 50%;
    display: grid;
    place-items: center;
    color: #fff;
    font-weight: 650;
    font-size: 0.95em;
    background: hsl(var(--hue) 50% 44%);
    user-select: none;
  }
  .meta {
    display: flex;
    align-items: baseline;
    gap: 8px;
    min-width: 0;
  }
  .author {
    font-weight: 650;
    /* Saturation and lightness of names come from the palette (darker on light, lighter on dark). */
    color: hsl(var(--hue) var(--_name));
  }
  .role {
    padding: 0 6px;
    border-radius: 4px;
    background: var(--_surface);
    color: var(--_muted);
    font-size: 0.72em;
    text-transform: uppercase;
    letter-spacing: 0.04em;
  }
  time,
  .edited {
    color: var(--_muted);
    font-size: 0.78em;
  }
  .msg:not(.first) time.gutter {
    position: absolute;
    inset-inline-start: 0;
    top: 50%;
    width: 62px;
    transform: translateY(-50%);
    text-align: center;
    white-space: nowrap;
    font-size: 0.66em;
    opacity: 0;
  }
  .msg:not(.first):hover time.gutter,
  .msg:not(.first):focus-within time.gutter {
    opacity: 1;
  }
  .content {
    grid-column: 2;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .body > :first-child {
    margin-top: 0;
  }
  /* "(edited)" follows the text on its last line. */
  .body.inline,
  .body.inline > p:last-child {
    display: inline;
  }
  .edited {
    margin-inline-start: 6px;
  }
  .body > :last-child {
    margin-bottom: 0;
  }
  .body p,
  .body ul,
  .body ol,
  .body pre,
  .body blockquote {
    margin: 0.3em 0;
  }
  .body ul,
  .body ol {
    padding-inline-start: 1.4em;
  }
  .body a {
    color: var(--_accent);
  }
  .body code {
    padding: 0.1em 0.35em;
    border-radius: 4px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    font:
      0.88em ui-monospace,
      SFMono-Regular,
      Menlo,
      Consolas,
      monospace;
  }
  .body pre {
    padding: 8px 10px;
    border-radius: 8px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    overflow-x: auto;
  }
  .body pre code {
    padding: 0;
    border: 0;
    background: none;
  }
  .body blockquote {
    padding-inline-start: 10px;
    border-inline-start: 3px solid var(--_border);
    color: var(--_muted);
  }
  .mention {
    padding: 0 3px;
    border-radius: 4px;
    background: var(--_mention);
    font-weight: 600;
  }
  .mention.me {
    background: var(--_mention-me);
  }
  .me-action {
    font-style: italic;
  }
  .deleted,
  .system {
    margin: 0;
    color: var(--_muted);
    font-style: italic;
  }
  .pending .content {
    opacity: 0.6;
  }
  .pending .body p {
    white-space: pre-wrap;
  }
  .held,
  form.composer .slow {
    margin: 2px 0;
    color: var(--_muted);
    font-size: 0.8em;
    font-style: italic;
  }
  form.composer .slow {
    flex-basis: 100%;
    margin: 0;
  }
  .failed {
    color: var(--_danger);
    font-size: 0.82em;
    display: flex;
    gap: 10px;
    align-items: center;
  }
  .actions {
    position: absolute;
    top: -12px;
    inset-inline-end: 14px;
    display: flex;
    gap: 2px;
    padding: 2px;
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_bg);
    box-shadow: 0 2px 6px rgb(0 0 0 / 8%);
    opacity: 0;
    pointer-events: none;
  }
  .msg:hover .actions,
  .msg:focus-within .actions {
    opacity: 1;
    pointer-events: auto;
  }
  .actions button {
    border: 0;
    border-radius: 6px;
    padding: 2px 8px;
    background: none;
    color: var(--_muted);
    font-size: 0.8em;
  }
  .actions button:hover {
    background: var(--_surface);
    color: var(--_fg);
  }
  .actions button.danger:hover {
    color: var(--_danger);
  }
  .actions .menu {
    position: absolute;
    top: calc(100% + 4px);
    inset-inline-end: 0;
    z-index: 3;
    display: flex;
    flex-direction: column;
    min-width: 200px;
    padding: 4px;
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_bg);
    box-shadow: 0 4px 12px rgb(0 0 0 / 12%);
  }
  .actions .menu button {
    text-align: start;
    padding: 6px 10px;
    font-size: 0.85em;
  }
  .editor textarea {
    width: 100%;
    min-height: 60px;
    padding: 6px 8px;
    border: 1px solid var(--_accent);
    border-radius: 8px;
    background: var(--_bg);
    resize: vertical;
  }
  .editor .row {
    display: flex;
    gap: 8px;
    margin-top: 4px;
    font-size: 0.82em;
    color: var(--_muted);
  }
  .notice {
    margin: 6px 16px;
    padding: 6px 10px;
    border-radius: 8px;
    background: var(--_surface);
    color: var(--_muted);
    font-size: 0.86em;
    display: flex;
    gap: 8px;
    white-space: pre-wrap;
  }
  .notice.error {
    color: var(--_danger);
  }
  .notice span {
    flex: 1;
  }
  .notice button {
    border: 0;
    background: none;
    color: inherit;
    padding: 0 4px;
  }
  .jump {
    position: absolute;
    inset-inline: 0;
    margin: 0 auto;
    width: max-content;
    bottom: 96px;
    padding: 5px 14px;
    border: 0;
    border-radius: 999px;
    background: var(--_accent);
    color: var(--_accent-fg);
    font-size: 0.85em;
    font-weight: 600;
    box-shadow: 0 4px 12px rgb(0 0 0 / 18%);
  }
  .empty {
    margin: auto;
    padding: 40px 24px;
    text-align: center;
    color: var(--_muted);
  }
`;
