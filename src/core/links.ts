import { PREVIEW_URL_MAX } from './linkPreviews.js';

/**
 * Links in a message, for the link policy (core/contentFilter.ts): `http://` and `https://` URLs, `www.`
 * addresses and bare domains ending in a common top-level domain (`example.com/path`). One pass over the text,
 * split into tokens on white space and brackets; each token checked with fixed, anchored tests. An e-mail
 * address is not a link. A domain spelled with spaces around its dots (`example . com`) is not found.
 */

/** Top-level domains that make a bare `name.tld` a link; longer lists only add false positives on prose. */
const COMMON_TLDS = new Set(
  (
    'com net org io co info biz me tv app dev xyz ru cn de uk fr nl us eu ly gg be ch ca au in jp br it es pl ' +
    'se online site top club shop link click live store tech ai to cc ws su ir tk ml ga cf gq pw'
  ).split(' '),
);

const TOKEN_SEPARATORS = /[\s()[\]<>"'`{}|\\^]+/u;
const LABEL = /^[a-z0-9-]{1,63}$/;
const EDGE_PUNCTUATION = new Set('.,;:!?*_~');

/** The token without punctuation at either end (by index, not by a regular expression: linear however long). */
function trimPunctuation(token: string): string {
  let from = 0;
  let to = token.length;
  while (from < to && EDGE_PUNCTUATION.has(token[from] ?? '')) from++;
  while (to > from && EDGE_PUNCTUATION.has(token[to - 1] ?? '')) to--;
  return token.slice(from, to);
}

function isBareDomain(token: string): boolean {
  if (token.includes('@')) return false;
  const host = token.split(/[/?#]/, 1)[0] ?? '';
  const labels = host.split('.');
  if (labels.length < 2 || labels.length > 10) return false;
  if (!labels.every((label) => LABEL.test(label))) return false;
  return COMMON_TLDS.has(labels[labels.length - 1] ?? '');
}

function isLink(raw: string): boolean {
  const token = trimPunctuation(raw.normalize('NFKC').toLowerCase());
  if (token.length === 0) return false;
  if (token.includes('http://') || token.includes('https://') || token.startsWith('www.')) return true;
  return isBareDomain(token);
}

/** How many links the text has (each token counted once). */
export function countLinks(text: string): number {
  let links = 0;
  for (const token of text.split(TOKEN_SEPARATORS)) if (isLink(token)) links++;
  return links;
}

/**
 * The first http(s) link of the text (a `www.` address is taken as https), as a normalised absolute URL, for
 * its preview; null when there is none. Bare domains (`example.com`) are not taken: the preview is of what the
 * writer clearly meant as a link.
 */
export function firstLink(text: string): string | null {
  for (const raw of text.split(TOKEN_SEPARATORS)) {
    const token = trimPunctuation(raw);
    const lower = token.toLowerCase();
    const candidate = lower.startsWith('http://') || lower.startsWith('https://') ? token : null;
    const www = lower.startsWith('www.') ? `https://${token}` : null;
    const link = candidate ?? www;
    if (link === null) continue;
    try {
      const url = new URL(link);
      if (url.hostname !== '' && url.href.length <= PREVIEW_URL_MAX) return url.href;
    } catch {
      continue;
    }
  }
  return null;
}
