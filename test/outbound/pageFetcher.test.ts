/**
 * The page fetcher's guards against server-side request forgery, and its bounds, against real servers of the
 * test's own on loopback. Where a test needs a "public" server, it accepts exactly that server's address as
 * public (127.0.0.2) and keeps every other address refused, so that each hop's check is what is tested.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchPage, PAGE_FETCH_LIMITS, type PageFetchOptions } from '../../src/outbound/pageFetcher.js';
import { isPublicAddress, systemResolver, vetHost, type Resolver } from '../../src/outbound/publicAddress.js';
import { html, startPageServer, type PageServer } from '../helpers/pageServer.js';

const servers: PageServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(...args: Parameters<typeof startPageServer>): Promise<PageServer> {
  const server = await startPageServer(...args);
  servers.push(server);
  return server;
}

/** The fetcher as production runs it (public addresses only) but for `alsoAccept`, a stand-in public server. */
function options(alsoAccept: string[] = [], extra: Partial<PageFetchOptions> = {}): PageFetchOptions {
  return {
    limits: PAGE_FETCH_LIMITS,
    resolver: systemResolver,
    acceptAddress: (address) => isPublicAddress(address) || alsoAccept.includes(address),
    ...extra,
  };
}

const anyAddress = () => true;

describe('which addresses are public', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:7f00:1::',
    'ff02::1',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '2606:4700:4700::1111', '2a00:1450:4007:80c::200e'])(
    'accepts %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it('refuses a name when any of its addresses is not public, and loopback by default', async () => {
    const mixed: Resolver = async () => [
      { address: '8.8.8.8', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    expect(await vetHost('mixed.test', mixed)).toEqual({ ok: false, failure: 'refused' });
    expect(await vetHost('127.0.0.1', systemResolver)).toEqual({ ok: false, failure: 'refused' });
    expect(await vetHost('localhost', systemResolver)).toEqual({ ok: false, failure: 'refused' });
    const failing: Resolver = () => Promise.reject(new Error('ENOTFOUND'));
    expect(await vetHost('nowhere.test', failing)).toEqual({ ok: false, failure: 'unreachable' });
  });
});

describe('fetching a page', () => {
  it('refuses loopback when private addresses are not allowed, and never connects', async () => {
    const site = await serve({ '/': html('<title>Local</title>') });
    const outcome = await fetchPage(`${site.url}/`, options());
    expect(outcome).toEqual({ ok: false, failure: 'refused' });
    expect(site.hitsOf('/')).toBe(0);
  });

  it('refuses a link straight to the metadata address, and other schemes, ports and credentials', async () => {
    const refused = [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://[::ffff:127.0.0.1]/',
      'http://8.8.8.8:22/',
    ];
    for (const link of refused)
      expect(await fetchPage(link, options()), link).toEqual({ ok: false, failure: 'refused' });
    for (const link of ['ftp://8.8.8.8/', 'file:///etc/passwd', 'http://user:pass@8.8.8.8/'])
      expect(await fetchPage(link, options()), link).toEqual({ ok: false, failure: 'bad_url' });
  });

  it('connects to the address it vetted: a name that resolves elsewhere the next time is not asked again', async () => {
    // The server listens on 127.0.0.1 only; the name's first answer is that address, every later one
    // 127.0.0.9 (where nothing listens). Resolving again at connect time would fail.
    const site = await serve({ '/': html('<title>Vetted</title>') });
    let lookups = 0;
    const rebinding: Resolver = async () => [
      { address: lookups++ === 0 ? '127.0.0.1' : '127.0.0.9', family: 4 },
    ];
    const outcome = await fetchPage(
      `http://rebind.test:${site.port}/`,
      options([], { resolver: rebinding, acceptAddress: (a) => a === '127.0.0.1' }),
    );
    expect(outcome.ok).toBe(true);
    expect(lookups).toBe(1);
    // And the other way round: a first answer that is not acceptable is refused before any connection.
    lookups = 0;
    const toPrivate: Resolver = async () => [
      { address: lookups++ === 0 ? '10.0.0.1' : '127.0.0.1', family: 4 },
    ];
    const refused = await fetchPage(`http://rebind.test:${site.port}/`, options([], { resolver: toPrivate }));
    expect(refused).toEqual({ ok: false, failure: 'refused' });
    expect(site.hitsOf('/')).toBe(1);
  });

  it('checks every redirect: to 127.0.0.1, to the metadata address, to a name of a private address', async () => {
    const inside = await serve({ '/secret': html('<title>Inside</title>') });
    const redirect = (location: string) => (_req: unknown, res: ServerResponse) => {
      res.writeHead(302, { location });
      res.end();
    };
    const site = await serve(
      {
        '/to-loopback': redirect(`http://127.0.0.1:${inside.port}/secret`),
        '/to-metadata': redirect('http://169.254.169.254/latest/meta-data/'),
        '/to-name': redirect(`http://inside.test:${inside.port}/secret`),
      },
      '127.0.0.2',
    );
    const names: Resolver = async (name) =>
      name === 'inside.test' ? [{ address: '127.0.0.1', family: 4 }] : systemResolver(name);
    for (const path of ['/to-loopback', '/to-metadata', '/to-name']) {
      const outcome = await fetchPage(`${site.url}${path}`, options(['127.0.0.2'], { resolver: names }));
      expect(outcome, path).toEqual({ ok: false, failure: 'refused' });
      expect(site.hitsOf(path)).toBe(1);
    }
    expect(inside.hitsOf('/secret')).toBe(0);
  });

  it('follows at most 3 redirects', async () => {
    const site = await serve({
      '/loop': (req, res) => {
        res.writeHead(301, { location: `/loop?n=${Math.random()}` });
        res.end();
      },
      '/three': (req, res) => {
        const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '0');
        res.writeHead(307, { location: n < 2 ? `/three?n=${n + 1}` : '/page' });
        res.end();
      },
      '/page': html('<title>Arrived</title>'),
    });
    expect(await fetchPage(`${site.url}/loop`, options([], { acceptAddress: anyAddress }))).toEqual({
      ok: false,
      failure: 'too_many_redirects',
    });
    expect(site.hitsOf('/loop')).toBe(4);
    const three = await fetchPage(`${site.url}/three`, options([], { acceptAddress: anyAddress }));
    expect(three.ok && three.url).toBe(`${site.url}/page`);
  });

  it('stops reading a page that never ends at the size cap, and keeps what it read', async () => {
    const site = await serve({
      '/endless': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head><title>Endless</title></head><body>');
        const chunk = `<p>${'x'.repeat(16 * 1024)}</p>`;
        const more = () => {
          while (res.write(chunk));
        };
        res.on('drain', more);
        more();
      },
    });
    const outcome = await fetchPage(`${site.url}/endless`, options([], { acceptAddress: anyAddress }));
    expect(outcome.ok).toBe(true);
    if (outcome.ok) {
      expect(outcome.html.length).toBeLessThanOrEqual(PAGE_FETCH_LIMITS.maxBytes);
      expect(outcome.html).toContain('<title>Endless</title>');
    }
    await site.closedOn('/endless');
  });

  it('gives up on a page that never answers at the time cap', async () => {
    const site = await serve({ '/silent': () => undefined });
    const limits = { ...PAGE_FETCH_LIMITS, timeoutMs: 200 };
    const outcome = await fetchPage(`${site.url}/silent`, options([], { acceptAddress: anyAddress, limits }));
    expect(outcome).toEqual({ ok: false, failure: 'timeout' });
    await site.closedOn('/silent');
  });

  it('reads only HTML, and only a success', async () => {
    const site = await serve({
      '/json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"title":"no"}');
      },
      '/image': (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(64));
      },
      '/gone': (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<title>Error</title>');
      },
    });
    const any = options([], { acceptAddress: anyAddress });
    expect(await fetchPage(`${site.url}/json`, any)).toEqual({ ok: false, failure: 'not_html' });
    expect(await fetchPage(`${site.url}/image`, any)).toEqual({ ok: false, failure: 'not_html' });
    expect(await fetchPage(`${site.url}/gone`, any)).toEqual({ ok: false, failure: 'http_error' });
  });
});
