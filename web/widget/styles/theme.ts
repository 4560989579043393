import { css } from 'lit';

/** The dark palette: for `data-theme="dark"`, and for the system's dark mode unless `data-theme="light"`. */
const dark = css`
  --_bg: var(--parley-bg, #16181d);
  --_surface: var(--parley-surface, #1f2229);
  --_fg: var(--parley-fg, #e7e9ee);
  --_muted: var(--parley-muted, #9aa3b2);
  --_border: var(--parley-border, #2d323b);
  --_accent: var(--parley-accent, #8b87ff);
  --_accent-fg: var(--parley-accent-fg, #0d0e12);
  --_mention: var(--parley-mention-bg, rgb(250 204 21 / 16%));
  --_mention-me: var(--parley-mention-me-bg, rgb(250 204 21 / 34%));
  --_danger: var(--parley-danger, #ff7a59);
  --_ok: var(--parley-ok, #34d399);
  --_warn: var(--parley-warn, #fbbf24);
  --_shadow: var(--parley-shadow, 0 1px 2px rgb(0 0 0 / 30%), 0 8px 24px rgb(0 0 0 / 35%));
  --_name: 70% 72%;
  color-scheme: dark;
`;

/**
 * The widget's look. Everything a host site may want to change is a CSS custom property on `parley-chat`
 * (custom properties cross the shadow boundary; nothing else from the page does):
 *
 *   parley-chat { --parley-accent: #0a7; --parley-height: 600px; }
 */
export const theme = css`
  :host {
    all: initial;
    display: block;
    contain: content;
    --_bg: var(--parley-bg, #ffffff);
    --_surface: var(--parley-surface, #f5f6f8);
    --_fg: var(--parley-fg, #1b2130);
    --_muted: var(--parley-muted, #5f6b7d);
    --_border: var(--parley-border, #e3e6eb);
    --_accent: var(--parley-accent, #4f46e5);
    --_accent-fg: var(--parley-accent-fg, #ffffff);
    --_mention: var(--parley-mention-bg, #fff1c2);
    --_mention-me: var(--parley-mention-me-bg, #ffd966);
    --_danger: var(--parley-danger, #c4320a);
    --_ok: var(--parley-ok, #0f9d58);
    --_warn: var(--parley-warn, #d97706);
    --_radius: var(--parley-radius, 12px);
    --_font: var(--parley-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_size: var(--parley-font-size, 14px);
    --_height: var(--parley-height, 560px);
    --_shadow: var(--parley-shadow, 0 1px 2px rgb(16 24 40 / 6%), 0 8px 24px rgb(16 24 40 / 8%));
    --_name: 60% 38%;
    color-scheme: light;
  }
  :host([data-theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([data-theme='light'])) {
      ${dark}
    }
  }
`;

/** The frame: header, status chip, members button, banners, screen-reader helpers. */
export const layout = css`
  * {
    box-sizing: border-box;
  }
  .chat {
    position: relative;
    display: flex;
    flex-direction: column;
    height: var(--_height);
    min-height: 320px;
    background: var(--_bg);
    color: var(--_fg);
    font: 400 var(--_size) / 1.45 var(--_font);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: var(--_shadow);
    overflow: hidden;
    text-align: start;
  }
  button,
  input,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
  }
  button:disabled {
    cursor: default;
    opacity: 0.55;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  header {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 10px 12px 10px 16px;
    border-bottom: 1px solid var(--_border);
    background: var(--_bg);
  }
  .title {
    flex: 1;
    min-width: 0;
  }
  .title h2 {
    margin: 0;
    font-size: 1.05em;
    font-weight: 650;
    letter-spacing: -0.01em;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .title h2 .hash {
    color: var(--_muted);
    font-weight: 500;
    margin-inline-end: 1px;
  }
  .title p {
    margin: 0;
    color: var(--_muted);
    font-size: 0.86em;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 3px 9px;
    border-radius: 999px;
    background: var(--_surface);
    color: var(--_muted);
    font-size: 0.8em;
    white-space: nowrap;
  }
  .status::before {
    content: '';
    width: 7px;
    height: 7px;
    border-radius: 50%;
    background: var(--_muted);
  }
  .status[data-state='open']::before {
    background: var(--_ok);
  }
  .status[data-state='connecting']::before,
  .status[data-state='reconnecting']::before {
    background: var(--_warn);
    animation: pulse 1.2s ease-in-out infinite;
  }
  .status[data-state='closed']::before {
    background: var(--_danger);
  }
  @keyframes pulse {
    50% {
      opacity: 0.3;
    }
  }
  .people {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 4px 10px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: transparent;
    font-size: 0.85em;
  }
  .people:hover,
  .people[aria-expanded='true'] {
    background: var(--_surface);
  }
  .people svg {
    width: 14px;
    height: 14px;
  }
  .banner {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 8px 16px;
    font-size: 0.88em;
    border-bottom: 1px solid var(--_border);
    background: var(--_surface);
  }
  .banner.warn {
    color: var(--_warn);
  }
  .banner.error {
    color: var(--_danger);
  }
  .banner span {
    flex: 1;
  }
  .link {
    border: 0;
    padding: 0;
    background: none;
    color: var(--_accent);
    font-weight: 600;
  }
  .link:hover {
    text-decoration: underline;
  }
`;
