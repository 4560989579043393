/**
 * The bounds of a link preview (docs/link-previews.md): what a page says about itself is cut to these before it
 * is stored or sent, whatever the page holds.
 */
export const PREVIEW_TITLE_MAX = 200;
export const PREVIEW_DESCRIPTION_MAX = 500;
export const PREVIEW_SITE_NAME_MAX = 100;
/** A longer image URL is left out rather than cut (a cut URL names another resource). */
export const PREVIEW_URL_MAX = 2048;

// Control characters (C0, DEL, C1) and the invisible and direction marks a title could hide text with.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]+/g;

/**
 * Text as a preview shows it: control and direction characters out, white space runs made one space, trimmed,
 * and cut to `max` characters (code points, so that a cut never splits a pair) with an ellipsis; undefined
 * when nothing is left.
 */
export function clipText(raw: string | undefined, max: number): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (text.length === 0) return undefined;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .trimEnd()}…`;
}

/** An absolute http(s) URL within PREVIEW_URL_MAX, resolved against `base`; undefined otherwise. */
export function httpUrl(raw: string | undefined, base: string): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    const url = new URL(raw.trim(), base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.href.length <= PREVIEW_URL_MAX ? url.href : undefined;
  } catch {
    return undefined;
  }
}
