import { css } from 'lit';

/** The header's panel buttons, the side panels (people, DMs, search, pins) and avatar images. */
export const panels = css`
  .chat {
    container-type: inline-size;
  }
  .tools {
    display: flex;
    gap: 4px;
    flex: none;
  }
  .tool {
    position: relative;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 5px;
    min-width: 32px;
    min-height: 32px;
    padding: 4px 8px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: transparent;
    font-size: 0.85em;
  }
  .tool:hover,
  .tool[aria-expanded='true'] {
    background: var(--_surface);
  }
  .tool svg {
    width: 15px;
    height: 15px;
  }
  .tool .dot {
    position: absolute;
    top: 2px;
    right: 2px;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_accent);
  }
  /* A phone: the state is its dot only (the text stays for screen readers), the buttons get tighter. */
  @container (max-width: 440px) {
    header {
      gap: 6px;
      padding-inline: 10px 8px;
    }
    .status {
      padding: 3px;
      font-size: 0;
    }
    .tool {
      padding: 4px 6px;
    }
  }
  .avatar {
    position: relative;
    overflow: hidden;
  }
  .avatar img {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: cover;
    background: var(--_bg);
  }
  .avatar img[hidden] {
    display: none;
  }
  .panel.wide {
    width: min(330px, 100%);
  }
  .p-head {
    display: flex;
    align-items: center;
    padding-inline-end: 8px;
  }
  .p-head h3 {
    flex: 1;
    margin-bottom: 0;
  }
  .panel .x {
    min-width: 30px;
    min-height: 30px;
    border: 0;
    border-radius: 6px;
    background: none;
    font-size: 1.2em;
  }
  .panel h3 + ul,
  .p-head + ul {
    margin-top: 8px;
  }
  .p-name {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    min-width: 0;
  }
  .panel li > .p-name {
    flex: 1;
  }
  .muted {
    color: var(--_muted);
    font-weight: 400;
  }
  .p-actions {
    display: flex;
    gap: 4px;
    flex: none;
  }
  .p-actions button,
  .p-search button {
    min-height: 28px;
    padding: 2px 8px;
    border: 1px solid var(--_border);
    border-radius: 6px;
    background: var(--_bg);
    font-size: 0.8em;
  }
  .p-actions button.danger {
    color: var(--_danger);
  }
  .p-error,
  .p-empty {
    margin: 8px 16px;
    font-size: 0.88em;
    color: var(--_muted);
  }
  .p-error {
    color: var(--_danger);
  }
  .panel .back,
  .panel .more {
    margin: 8px 16px;
  }
  .panel .rows li {
    padding: 0;
  }
  .row {
    display: flex;
    align-items: center;
    gap: 8px;
    width: 100%;
    padding: 6px 16px;
    border: 0;
    background: none;
    text-align: start;
  }
  .row:hover,
  .row.current {
    background: var(--_surface);
  }
  .row .avatar {
    flex: none;
  }
  .panel .avatar:not(.online)::after {
    content: none;
  }
  .r-main {
    display: flex;
    flex-direction: column;
    flex: 1;
    min-width: 0;
  }
  .r-meta,
  .r-last {
    color: var(--_muted);
    font-size: 0.8em;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .hit .r-text {
    white-space: normal;
    display: -webkit-box;
    -webkit-line-clamp: 3;
    -webkit-box-orient: vertical;
    overflow: hidden;
    font-size: 0.9em;
  }
  .hit mark {
    background: color-mix(in srgb, var(--_warn) 35%, transparent);
    color: inherit;
    border-radius: 2px;
  }
  .p-search {
    display: flex;
    gap: 6px;
    margin: 8px 16px;
  }
  .p-search input {
    flex: 1;
    min-width: 0;
    padding: 5px 8px;
    border: 1px solid var(--_border);
    border-radius: 6px;
    background: var(--_bg);
  }
  /* A phone: a side panel would cover most of the conversation; a sheet over its lower part instead. */
  @container (max-width: 440px) {
    .panel,
    .panel.wide {
      top: auto;
      width: 100%;
      max-height: 60%;
      border-inline-start: 0;
      border-top: 1px solid var(--_border);
      border-radius: 12px 12px 0 0;
      box-shadow: 0 -8px 24px rgb(0 0 0 / 12%);
    }
  }
`;
