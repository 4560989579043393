import type { LinkPreview } from '../../core/types.js';

/**
 * Why a link has no preview, for the logs and the tests: the address was not a public one (`refused`), the
 * page did not answer in time, redirected too often, was not HTML, answered with an error, could not be
 * reached, held nothing to show (`empty`), or the node was already fetching as much as it may (`busy`).
 */
export type PreviewFailure =
  | 'bad_url'
  | 'refused'
  | 'timeout'
  | 'too_many_redirects'
  | 'not_html'
  | 'http_error'
  | 'unreachable'
  | 'empty'
  | 'busy';

export type PreviewOutcome = { ok: true; preview: LinkPreview } | { ok: false; failure: PreviewFailure };

/**
 * Fetches what a page says about itself (outbound/linkPreviewer.ts): only public addresses, bounded in time,
 * size, redirects and concurrency, cached. It never throws.
 */
export interface LinkPreviewer {
  preview(url: string): Promise<PreviewOutcome>;
}
