/** What a preview holds, its bounds, the cache and the bounded concurrency, against pages of the test's own. */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { firstLink } from '../../src/core/links.js';
import { PREVIEW_DESCRIPTION_MAX, PREVIEW_TITLE_MAX } from '../../src/core/linkPreviews.js';
import { HttpLinkPreviewer, type PreviewerOptions } from '../../src/outbound/linkPreviewer.js';
import { pageMeta } from '../../src/outbound/pageMeta.js';
import { html, startPageServer, type PageServer } from '../helpers/pageServer.js';

let site: PageServer | null = null;
const held: ServerResponse[] = [];
afterEach(async () => {
  for (const res of held.splice(0)) res.destroy();
  await site?.close();
  site = null;
});

function previewer(opts: PreviewerOptions = {}): HttpLinkPreviewer {
  return new HttpLinkPreviewer({ allowPrivateAddresses: true, ...opts });
}

describe('the first link of a message', () => {
  it.each([
    ['see https://example.com/a?b=1, then http://other.test', 'https://example.com/a?b=1'],
    ['(https://example.com/x).', 'https://example.com/x'],
    ['[docs](https://docs.example.org/page)', 'https://docs.example.org/page'],
    ['go to www.example.com/path!', 'https://www.example.com/path'],
    ['HTTPS://EXAMPLE.COM', 'https://example.com/'],
  ])('%s → %s', (text, link) => {
    expect(firstLink(text)).toBe(link);
  });

  it.each(['no link here', 'example.com is bare', 'mail me@example.com', 'ftp://example.com', 'http://'])(
    'none in %s',
    (text) => {
      expect(firstLink(text)).toBeNull();
    },
  );
});

describe('what a page says about itself', () => {
  const page = 'https://news.example/a/b';

  it('reads Open Graph first, the image resolved against the page', () => {
    const meta = pageMeta(
      `<html><head><title>Plain</title>
        <meta property="og:title" content="The &amp; Title">
        <meta property="og:description" content="  What it is\n about  ">
        <meta property="og:site_name" content="News">
        <meta property="og:image" content="/img/cover.png">
        <meta name="description" content="ignored"></head></html>`,
      'https://link.example/x',
      page,
    );
    expect(meta).toEqual({
      url: 'https://link.example/x',
      title: 'The & Title',
      description: 'What it is about',
      siteName: 'News',
      imageUrl: 'https://news.example/img/cover.png',
    });
  });

  it('falls back on <title> and the meta description; an image of another scheme is left out', () => {
    const meta = pageMeta(
      `<title>Just a page</title><meta name="description" content="Plain words">
       <meta property="og:image" content="javascript:alert(1)">`,
      page,
      page,
    );
    expect(meta).toEqual({ url: page, title: 'Just a page', description: 'Plain words' });
  });

  it('reads malformed HTML as a browser would, and nothing from a page without a title', () => {
    expect(
      pageMeta('<title>Broken <b>page</title><meta property="og:description" content="half', page, page),
    ).toEqual({
      url: page,
      title: 'Broken <b>page',
    });
    expect(pageMeta('<p>nothing <title', page, page)).toBeNull();
    expect(pageMeta('<svg><title>icon</title></svg><p>text</p>', page, page)).toBeNull();
  });

  it('cuts a huge title and description to their bounds', () => {
    const meta = pageMeta(
      `<title>${'T'.repeat(100_000)}</title><meta name="description" content="${'word '.repeat(50_000)}">`,
      page,
      page,
    );
    expect(meta?.title?.length).toBe(PREVIEW_TITLE_MAX);
    expect(meta?.title?.endsWith('…')).toBe(true);
    expect(Array.from(meta?.description ?? '').length).toBeLessThanOrEqual(PREVIEW_DESCRIPTION_MAX);
    expect(meta?.description?.endsWith('…')).toBe(true);
  });
});

describe('the previewer', () => {
  it('previews a page, and fetches a link once while it is cached', async () => {
    site = await startPageServer({
      '/og': html('<meta property="og:title" content="Cached"><meta property="og:site_name" content="Site">'),
    });
    const p = previewer();
    const first = await p.preview(`${site.url}/og`);
    expect(first).toEqual({
      ok: true,
      preview: { url: `${site.url}/og`, title: 'Cached', siteName: 'Site' },
    });
    expect(await p.preview(`${site.url}/og`)).toEqual(first);
    expect(site.hitsOf('/og')).toBe(1);
  });

  it('bounds what a served page says: malformed HTML with a huge title, and a page with nothing to show', async () => {
    site = await startPageServer({
      '/huge': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          `<html><head><title>${'Long '.repeat(20_000)}<meta name=description content="${'d'.repeat(5000)}`,
        );
      },
      '/bare': html('', '<p>no title here</p>'),
    });
    const p = previewer();
    const huge = await p.preview(`${site.url}/huge`);
    expect(huge.ok).toBe(true);
    if (huge.ok) {
      expect(Array.from(huge.preview.title ?? '').length).toBeLessThanOrEqual(PREVIEW_TITLE_MAX);
      expect(huge.preview.title?.startsWith('Long Long')).toBe(true);
    }
    expect(await p.preview(`${site.url}/bare`)).toEqual({ ok: false, failure: 'empty' });
  });

  it('shares one fetch among those who ask for a URL at once', async () => {
    site = await startPageServer({ '/og': html('<title>Once</title>') });
    const p = previewer();
    const all = await Promise.all([1, 2, 3].map(() => p.preview(`${site?.url}/og`)));
    expect(all.every((o) => o.ok)).toBe(true);
    expect(site.hitsOf('/og')).toBe(1);
  });

  it('keeps a failure briefly, then asks again', async () => {
    site = await startPageServer({
      '/down': (_req, res) => {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<title>Down</title>');
      },
    });
    let now = 1_000_000;
    const p = previewer({ now: () => now, limits: { failureCacheMs: 60_000 } });
    expect(await p.preview(`${site.url}/down`)).toEqual({ ok: false, failure: 'http_error' });
    expect(await p.preview(`${site.url}/down`)).toEqual({ ok: false, failure: 'http_error' });
    expect(site.hitsOf('/down')).toBe(1);
    now += 60_001;
    await p.preview(`${site.url}/down`);
    expect(site.hitsOf('/down')).toBe(2);
  });

  it('forgets the least recently used URL past its entries', async () => {
    site = await startPageServer({ '/a': html('<title>A</title>'), '/b': html('<title>B</title>') });
    const p = previewer({ limits: { cacheEntries: 1 } });
    await p.preview(`${site.url}/a`);
    await p.preview(`${site.url}/b`);
    await p.preview(`${site.url}/a`);
    expect(site.hitsOf('/a')).toBe(2);
  });

  it('fetches at most `concurrency` at once, queues `queue`, and skips past that', async () => {
    const arrived: (() => void)[] = [];
    site = await startPageServer({
      '/slow': (req, res) => {
        held.push(res);
        arrived.forEach((f) => f());
        void req;
      },
    });
    const p = previewer({ limits: { concurrency: 1, queue: 1 } });
    const inFlight = new Promise<void>((resolve) => arrived.push(resolve));
    const first = p.preview(`${site.url}/slow?1`);
    await inFlight;
    const queued = p.preview(`${site.url}/slow?2`);
    expect(await p.preview(`${site.url}/slow?3`)).toEqual({ ok: false, failure: 'busy' });
    expect(site.hitsOf('/slow')).toBe(1);
    const second = new Promise<void>((resolve) => arrived.push(resolve));
    held[0]?.writeHead(200, { 'content-type': 'text/html' });
    held[0]?.end('<title>One</title>');
    expect((await first).ok).toBe(true);
    await second;
    held[1]?.writeHead(200, { 'content-type': 'text/html' });
    held[1]?.end('<title>Two</title>');
    expect((await queued).ok).toBe(true);
    expect(site.hitsOf('/slow')).toBe(2);
  });
});
