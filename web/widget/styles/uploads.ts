import { css } from 'lit';

/** The composer's attach button and uploads, and the image lightbox. */
export const uploads = css`
  .attach {
    display: grid;
    place-items: center;
    height: 34px;
    color: var(--_muted);
    cursor: pointer;
  }
  .attach:hover,
  .attach:focus-within {
    color: var(--_accent);
  }
  .attach svg {
    width: 20px;
  }
  .uploads {
    flex-basis: 100%;
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 0.85em;
  }
  .upload {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 2px 4px 2px 8px;
    border: 1px solid var(--_border);
    border-radius: 999px;
  }
  .upload progress {
    width: 60px;
  }
  .upload button {
    border: 0;
    background: none;
  }
  .lightbox {
    position: absolute;
    inset: 0;
    z-index: 20;
    display: grid;
    place-items: center;
    padding: 16px;
    background: rgb(0 0 0 / 80%);
  }
  .lightbox img {
    max-width: 100%;
    max-height: 100%;
  }
  .lightbox .close {
    position: absolute;
    top: 8px;
    right: 8px;
    width: 32px;
    height: 32px;
    border: 0;
    border-radius: 50%;
  }
`;
