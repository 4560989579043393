import { css } from 'lit';

/**
 * Launcher mode: the element floats in a corner, the box above its round button. On a phone the open box
 * takes the whole screen (the header's close button closes it). `--parley-launcher-inset` moves it from the
 * corner, `--parley-width` sets the box's width.
 */
export const launcher = css`
  :host([mode='launcher']) {
    --_inset: var(--parley-launcher-inset, 20px);
    position: fixed;
    z-index: 2147483000;
    right: var(--_inset);
    bottom: var(--_inset);
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    gap: 12px;
    /* Not paint: that would clip the box's shadow to the element. */
    contain: layout style;
  }
  :host([mode='launcher'][position='bottom-left']) {
    right: auto;
    left: var(--_inset);
    align-items: flex-start;
  }
  :host([mode='launcher']) .chat {
    width: min(var(--parley-width, 380px), calc(100vw - 2 * var(--_inset)));
    /* Room for the button (56 px), the gap and the insets above and below. */
    height: min(var(--_height), calc(100vh - 68px - 3 * var(--_inset)));
    min-height: 0;
  }
  .chat[hidden] {
    display: none;
  }
  .launcher {
    position: relative;
    display: grid;
    place-items: center;
    flex: none;
    width: 56px;
    height: 56px;
    padding: 0;
    border: 0;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_accent-fg);
    box-shadow:
      0 2px 6px rgb(0 0 0 / 18%),
      0 8px 24px rgb(0 0 0 / 18%);
  }
  .launcher:hover {
    filter: brightness(1.08);
  }
  .launcher svg {
    width: 26px;
    height: 26px;
  }
  .l-badge {
    position: absolute;
    top: -4px;
    right: -4px;
    min-width: 22px;
    padding: 0 6px;
    border-radius: 999px;
    background: var(--_danger);
    color: #fff;
    font: 700 12px / 22px var(--_font);
    text-align: center;
  }
  .tool.bell[aria-pressed='true'] {
    color: var(--_accent);
    background: var(--_surface);
  }
  @media (max-width: 480px) {
    :host([mode='launcher'][open]) {
      inset: 0;
      gap: 0;
    }
    :host([mode='launcher'][open]) .chat {
      width: 100%;
      height: 100%;
      border: 0;
      border-radius: 0;
    }
    :host([mode='launcher'][open]) .launcher {
      display: none;
    }
  }
`;
