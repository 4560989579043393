import type { LinkPreviewer, PreviewOutcome } from '../engine/ports/linkPreviewer.js';
import { fetchPage, PAGE_FETCH_LIMITS, type PageFetchLimits } from './pageFetcher.js';
import { pageMeta } from './pageMeta.js';
import { isPublicAddress, systemResolver, type Resolver } from './publicAddress.js';

/** How much fetching one node does and keeps (docs/link-previews.md lists them). */
export interface PreviewerLimits {
  fetch: PageFetchLimits;
  /** Fetches at once; more wait in a queue of `queue`; past that a link gets no preview (`busy`). */
  concurrency: number;
  queue: number;
  /** URLs remembered, least recently used forgotten first. */
  cacheEntries: number;
  /** How long a preview is reused, and how long a failure is (briefly, so that a page that was down comes back). */
  cacheMs: number;
  failureCacheMs: number;
}

export const PREVIEWER_LIMITS: PreviewerLimits = {
  fetch: PAGE_FETCH_LIMITS,
  concurrency: 4,
  queue: 32,
  cacheEntries: 1000,
  cacheMs: 60 * 60_000,
  failureCacheMs: 60_000,
};

export interface PreviewerOptions {
  limits?: Partial<PreviewerLimits>;
  resolver?: Resolver;
  /** Tests only: loopback and private addresses are fetched (docs/link-previews.md, "For tests"). */
  allowPrivateAddresses?: boolean;
  now?: () => number;
}

interface Cached {
  outcome: PreviewOutcome;
  until: number;
}

/**
 * The link previewer over HTTP: a bounded LRU cache by URL (a link posted twice, or on two nodes' worth of
 * rooms, is fetched once an hour at most), the same fetch shared by concurrent asks for one URL, at most
 * `concurrency` fetches at once and `queue` waiting. Nothing here throws.
 */
export class HttpLinkPreviewer implements LinkPreviewer {
  private readonly limits: PreviewerLimits;
  private readonly resolver: Resolver;
  private readonly acceptAddress: (address: string) => boolean;
  private readonly now: () => number;
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<PreviewOutcome>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;

  constructor(opts: PreviewerOptions = {}) {
    this.limits = { ...PREVIEWER_LIMITS, ...opts.limits };
    this.resolver = opts.resolver ?? systemResolver;
    this.acceptAddress = opts.allowPrivateAddresses === true ? () => true : isPublicAddress;
    this.now = opts.now ?? Date.now;
  }

  preview(url: string): Promise<PreviewOutcome> {
    const cached = this.cached(url);
    if (cached) return Promise.resolve(cached);
    const shared = this.inflight.get(url);
    if (shared) return shared;
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.queue)
      return Promise.resolve({ ok: false, failure: 'busy' });
    const work = this.fetchInTurn(url).finally(() => this.inflight.delete(url));
    this.inflight.set(url, work);
    return work;
  }

  private cached(url: string): PreviewOutcome | null {
    const entry = this.cache.get(url);
    if (!entry) return null;
    this.cache.delete(url);
    if (entry.until <= this.now()) return null;
    this.cache.set(url, entry); // most recently used last
    return entry.outcome;
  }

  private remember(url: string, outcome: PreviewOutcome): void {
    const ttl = outcome.ok ? this.limits.cacheMs : this.limits.failureCacheMs;
    this.cache.delete(url);
    this.cache.set(url, { outcome, until: this.now() + ttl });
    while (this.cache.size > this.limits.cacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  private async fetchInTurn(url: string): Promise<PreviewOutcome> {
    // A slot is handed from a finished fetch straight to the next waiting one, so that `running` never passes
    // the bound in between.
    if (this.running < this.limits.concurrency) this.running++;
    else await new Promise<void>((go) => this.waiting.push(go));
    try {
      const outcome = await this.fetchPreview(url);
      this.remember(url, outcome);
      return outcome;
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async fetchPreview(url: string): Promise<PreviewOutcome> {
    try {
      const page = await fetchPage(url, {
        limits: this.limits.fetch,
        resolver: this.resolver,
        acceptAddress: this.acceptAddress,
      });
      if (!page.ok) return page;
      const preview = pageMeta(page.html, url, page.url);
      return preview ? { ok: true, preview } : { ok: false, failure: 'empty' };
    } catch {
      return { ok: false, failure: 'unreachable' };
    }
  }
}
