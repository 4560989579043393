import { css } from 'lit';

export const adminStyles = css`
  :host {
    display: block;
    --bg: #f6f7f9;
    --panel: #ffffff;
    --fg: #1b2130;
    --muted: #5f6b7d;
    --border: #e3e6eb;
    --accent: #4f46e5;
    --accent-fg: #fff;
    --danger: #c4320a;
    --ok: #0f9d58;
    color: var(--fg);
    font:
      14px/1.45 system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      sans-serif;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --bg: #101216;
      --panel: #181b21;
      --fg: #e7e9ee;
      --muted: #9aa3b2;
      --border: #2d323b;
      --accent: #8b87ff;
      --accent-fg: #0d0e12;
      --danger: #ff7a59;
      --ok: #34d399;
    }
  }
  * {
    box-sizing: border-box;
  }
  h2 {
    margin: 0 0 12px;
    font-size: 1.1em;
  }
  h3 {
    margin: 18px 0 8px;
    font-size: 0.95em;
  }
  .card {
    background: var(--panel);
    border: 1px solid var(--border);
    border-radius: 12px;
    padding: 16px 18px;
    margin-bottom: 16px;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    padding: 7px 8px;
    border-bottom: 1px solid var(--border);
    vertical-align: top;
  }
  th {
    color: var(--muted);
    font-weight: 600;
    font-size: 0.82em;
    text-transform: uppercase;
    letter-spacing: 0.04em;
  }
  tr:last-child td {
    border-bottom: 0;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    padding: 5px 12px;
    border: 1px solid var(--border);
    border-radius: 8px;
    background: var(--panel);
  }
  button:hover {
    border-color: var(--muted);
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--accent-fg);
    font-weight: 600;
  }
  button.danger {
    color: var(--danger);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select,
  textarea {
    padding: 6px 9px;
    border: 1px solid var(--border);
    border-radius: 8px;
    background: var(--panel);
  }
  :focus-visible {
    outline: 2px solid var(--accent);
    outline-offset: 1px;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 0.88em;
    font-weight: 600;
  }
  label.check {
    flex-direction: row;
    align-items: center;
    gap: 8px;
    font-weight: 500;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
    gap: 12px 16px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: 8px;
  }
  .muted {
    color: var(--muted);
  }
  .error {
    color: var(--danger);
  }
  .ok {
    color: var(--ok);
  }
  .pill {
    display: inline-block;
    padding: 0 7px;
    border-radius: 999px;
    background: var(--bg);
    border: 1px solid var(--border);
    font-size: 0.8em;
  }
  code {
    font:
      0.9em ui-monospace,
      SFMono-Regular,
      Menlo,
      Consolas,
      monospace;
  }
  .text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  mark {
    background: color-mix(in srgb, var(--accent) 25%, transparent);
    color: inherit;
    border-radius: 2px;
  }
  .facts {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 4px 12px;
    margin: 0 0 12px;
  }
  .facts dt {
    color: var(--muted);
  }
  .facts dd {
    margin: 0;
  }
  .pins {
    margin: 0;
    padding-left: 18px;
  }
  .pins li {
    margin: 6px 0;
  }
  .pins li.reported {
    border-inline-start: 3px solid var(--accent);
    padding-inline-start: 6px;
  }
  /*
   * A phone: the section tabs scroll sideways in their own strip instead of widening the page, and the top bar
   * wraps. (These selectors outweigh the console's own rules for its nav, top bar and main on purpose.)
   */
  nav[role='tablist'] {
    overflow-x: auto;
    scrollbar-width: thin;
  }
  nav[role='tablist'] > button {
    flex: none;
    white-space: nowrap;
  }
  @media (max-width: 600px) {
    :host .top {
      flex-wrap: wrap;
      gap: 8px 12px;
      padding: 10px 16px;
    }
    nav[role='tablist'] {
      padding: 0 8px;
    }
    main[role='tabpanel'] {
      padding: 16px 12px;
    }
  }
  /* A wide table scrolls inside its card rather than widening the page. */
  .scroll {
    overflow-x: auto;
  }
`;
