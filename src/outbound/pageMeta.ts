import { Parser } from 'htmlparser2';
import {
  clipText,
  httpUrl,
  PREVIEW_DESCRIPTION_MAX,
  PREVIEW_SITE_NAME_MAX,
  PREVIEW_TITLE_MAX,
} from '../core/linkPreviews.js';
import type { LinkPreview } from '../core/types.js';

/** Raw text gathered from a tag is held to this much before it is clipped (a title can be megabytes long). */
const GATHER_MAX = 4 * PREVIEW_DESCRIPTION_MAX;

/** The meta names a preview reads; the first of each in the page wins. */
const WANTED = new Set([
  'og:title',
  'og:description',
  'og:site_name',
  'og:image',
  'og:image:url',
  'og:image:secure_url',
  'description',
]);

/**
 * What a page says about itself: Open Graph tags, else its `<title>` and meta description; the image as the
 * page gives it (resolved against the page's URL), never fetched. Malformed HTML is read as browsers would
 * (htmlparser2 is forgiving); null when the page has neither a title nor a description.
 */
export function pageMeta(html: string, link: string, pageUrl: string): LinkPreview | null {
  const meta = new Map<string, string>();
  let titleText = '';
  let inTitle = false;
  let titleDone = false;
  let svgDepth = 0;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'svg') svgDepth++;
        if (name === 'title' && svgDepth === 0 && !titleDone) inTitle = true;
        if (name !== 'meta') return;
        const key = (attrs['property'] ?? attrs['name'] ?? '').trim().toLowerCase();
        const content = attrs['content'];
        if (WANTED.has(key) && content !== undefined && !meta.has(key))
          meta.set(key, content.slice(0, GATHER_MAX));
      },
      ontext(text) {
        if (inTitle && titleText.length < GATHER_MAX)
          titleText += text.slice(0, GATHER_MAX - titleText.length);
      },
      onclosetag(name) {
        if (name === 'svg' && svgDepth > 0) svgDepth--;
        if (name === 'title' && inTitle) {
          inTitle = false;
          titleDone = true;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  const title = clipText(meta.get('og:title'), PREVIEW_TITLE_MAX) ?? clipText(titleText, PREVIEW_TITLE_MAX);
  const description =
    clipText(meta.get('og:description'), PREVIEW_DESCRIPTION_MAX) ??
    clipText(meta.get('description'), PREVIEW_DESCRIPTION_MAX);
  if (title === undefined && description === undefined) return null;
  const siteName = clipText(meta.get('og:site_name'), PREVIEW_SITE_NAME_MAX);
  const imageUrl = httpUrl(
    meta.get('og:image:secure_url') ?? meta.get('og:image') ?? meta.get('og:image:url'),
    pageUrl,
  );
  return {
    url: link,
    ...(title === undefined ? {} : { title: title }),
    ...(description === undefined ? {} : { description }),
    ...(siteName === undefined ? {} : { siteName }),
    ...(imageUrl === undefined ? {} : { imageUrl }),
  };
}
