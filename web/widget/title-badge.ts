/**
 * The page's title with the count of messages that arrived while the reader was away in front: "(3) Title".
 * One title for the page, so the counts of every widget on it are added up; the page's own title comes back
 * when they are all read, including a title the page set in the meantime.
 */
import { ATTENTION_TEXT as T } from './texts.js';

const counts = new Map<object, number>();
/** The page's own title while a count is shown; null when none is. */
let pageTitle: string | null = null;
/** The title as this module last set it. */
let shown: string | null = null;

export function setTitleCount(owner: object, count: number): void {
  if (count > 0) counts.set(owner, count);
  else counts.delete(owner);
  // The page changed its title while the count was shown (a single-page app's navigation): that one is its own.
  if (shown !== null && document.title !== shown) pageTitle = document.title;
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total === 0) {
    if (pageTitle !== null) document.title = pageTitle;
    pageTitle = null;
    shown = null;
    return;
  }
  pageTitle ??= document.title;
  shown = T.title(total, pageTitle);
  if (document.title !== shown) document.title = shown;
}
