import { css } from 'lit';

/** Typing line, composer, members panel and the welcome forms. */
export const controls = css`
  .verification {
    margin: 4px 0 8px;
    min-height: 65px;
    max-width: 100%;
    overflow-x: auto;
  }
  .typing {
    min-height: 20px;
    padding: 0 16px;
    color: var(--_muted);
    font-size: 0.8em;
    font-style: italic;
  }
  form.composer {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: 8px;
    margin: 0 12px 12px;
    padding: 6px 6px 6px 12px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) - 2px);
    background: var(--_bg);
  }
  form.composer:focus-within {
    border-color: var(--_accent);
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--_accent) 20%, transparent);
  }
  form.composer textarea {
    flex: 1;
    min-height: 24px;
    max-height: 140px;
    padding: 5px 0;
    border: 0;
    outline: 0;
    resize: none;
    background: transparent;
    line-height: 1.4;
  }
  form.composer textarea::placeholder {
    color: var(--_muted);
  }
  .send {
    display: grid;
    place-items: center;
    width: 34px;
    height: 34px;
    border: 0;
    border-radius: 9px;
    background: var(--_accent);
    color: var(--_accent-fg);
  }
  .send svg {
    width: 17px;
    height: 17px;
  }
  .footer {
    display: flex;
    justify-content: space-between;
    gap: 8px;
    margin: -6px 16px 8px;
    color: var(--_muted);
    font-size: 0.76em;
  }
  .footer .link {
    font-weight: 500;
    font-size: 1em;
  }
  .blocked {
    margin: 0 12px 12px;
    padding: 12px;
    border-radius: 10px;
    background: var(--_surface);
    color: var(--_muted);
    text-align: center;
    font-size: 0.9em;
  }
  .main {
    position: relative;
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
  }
  .panel {
    position: absolute;
    top: 0;
    inset-inline-end: 0;
    bottom: 0;
    width: min(240px, 80%);
    padding: 12px 0;
    overflow-y: auto;
    background: var(--_bg);
    border-inline-start: 1px solid var(--_border);
    box-shadow: -8px 0 24px rgb(0 0 0 / 8%);
    z-index: 2;
  }
  .panel h3 {
    margin: 0 16px 8px;
    font-size: 0.78em;
    text-transform: uppercase;
    letter-spacing: 0.06em;
    color: var(--_muted);
  }
  .panel ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .panel li {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 5px 16px;
  }
  .panel .avatar {
    width: 24px;
    height: 24px;
    font-size: 0.72em;
    position: relative;
  }
  .panel .avatar::after {
    content: '';
    position: absolute;
    right: -1px;
    bottom: -1px;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_ok);
    border: 2px solid var(--_bg);
  }
  .welcome {
    flex: 1;
    display: flex;
    flex-direction: column;
    justify-content: center;
    gap: 14px;
    padding: 24px 28px;
    text-align: center;
  }
  .welcome h3 {
    margin: 0;
    font-size: 1.25em;
    letter-spacing: -0.01em;
  }
  .welcome p {
    margin: 0;
    color: var(--_muted);
  }
  .welcome form {
    display: flex;
    flex-direction: column;
    gap: 10px;
    text-align: start;
  }
  .welcome label {
    font-size: 0.85em;
    font-weight: 600;
  }
  .welcome input {
    width: 100%;
    margin-top: 4px;
    padding: 9px 12px;
    border: 1px solid var(--_border);
    border-radius: 9px;
    background: var(--_bg);
  }
  .welcome input:focus {
    border-color: var(--_accent);
    outline: 0;
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--_accent) 20%, transparent);
  }
  .primary {
    padding: 9px 14px;
    border: 0;
    border-radius: 9px;
    background: var(--_accent);
    color: var(--_accent-fg);
    font-weight: 600;
  }
  .secondary {
    padding: 8px 14px;
    border: 1px solid var(--_border);
    border-radius: 9px;
    background: transparent;
  }
  .error-text {
    margin: 0;
    color: var(--_danger);
    font-size: 0.86em;
  }
  .or {
    display: flex;
    align-items: center;
    gap: 10px;
    color: var(--_muted);
    font-size: 0.8em;
  }
  .or::before,
  .or::after {
    content: '';
    flex: 1;
    height: 1px;
    background: var(--_border);
  }
  .tabs {
    display: flex;
    gap: 4px;
    justify-content: center;
  }
  .tabs button {
    border: 0;
    background: none;
    padding: 4px 10px;
    border-radius: 6px;
    color: var(--_muted);
  }
  .tabs button[aria-pressed='true'] {
    background: var(--_surface);
    color: var(--_fg);
    font-weight: 600;
  }
`;
