import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PreviewFailure } from '../engine/ports/linkPreviewer.js';
import { vetHost, type Resolver } from './publicAddress.js';

/** The limits of one page fetch (docs/link-previews.md lists them). */
export interface PageFetchLimits {
  /** The whole fetch, every redirect and the body included. */
  timeoutMs: number;
  /** The most of the body read; past it reading stops and what was read is parsed (a page's head comes first). */
  maxBytes: number;
  /** Redirects followed; one more fails with `too_many_redirects`. */
  maxRedirects: number;
}

export const PAGE_FETCH_LIMITS: PageFetchLimits = { timeoutMs: 3000, maxBytes: 256 * 1024, maxRedirects: 3 };

export interface PageFetchOptions {
  limits: PageFetchLimits;
  resolver: Resolver;
  /** Which addresses may be connected to: isPublicAddress, but in tests (docs/link-previews.md, "For tests"). */
  acceptAddress: (address: string) => boolean;
}

export type PageFetch = { ok: true; url: string; html: string } | { ok: false; failure: PreviewFailure };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const USER_AGENT = 'Parley-LinkPreview/1';

/** The port a URL names or implies; only 80, 443 and 1024 and above are fetched (no mail, SSH, and the like). */
function allowedPort(url: URL): boolean {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return port === 80 || port === 443 || port >= 1024;
}

/** Why a URL is not fetched at all, or null: http(s) only, no credentials in it, an allowed port. */
export function urlProblem(url: URL): PreviewFailure | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'bad_url';
  if (url.username !== '' || url.password !== '') return 'bad_url';
  return allowedPort(url) ? null : 'refused';
}

class Failed extends Error {
  constructor(readonly failure: PreviewFailure) {
    super(failure);
  }
}

/**
 * Fetches an HTML page for its preview. Every hop (the link and each redirect) is checked the same way: its
 * URL (urlProblem), then its host resolved and every address vetted (publicAddress.ts), then the connection
 * made to that vetted address, with the name only in the Host header and TLS's SNI and certificate check, so
 * that the name cannot resolve elsewhere between the check and the connection. Never throws.
 */
export async function fetchPage(link: string, opts: PageFetchOptions): Promise<PageFetch> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.limits.timeoutMs);
  try {
    let url = new URL(link);
    for (let hop = 0; ; hop++) {
      const answer = await fetchOnce(url, opts, abort.signal);
      if (answer.kind === 'page') return { ok: true, url: url.href, html: answer.html };
      if (hop >= opts.limits.maxRedirects) return { ok: false, failure: 'too_many_redirects' };
      url = answer.location;
    }
  } catch (err) {
    if (err instanceof Failed) return { ok: false, failure: err.failure };
    return { ok: false, failure: abort.signal.aborted ? 'timeout' : 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

type Hop = { kind: 'page'; html: string } | { kind: 'redirect'; location: URL };

async function fetchOnce(url: URL, opts: PageFetchOptions, signal: AbortSignal): Promise<Hop> {
  const problem = urlProblem(url);
  if (problem) throw new Failed(problem);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const vetted = await untilAborted(vetHost(hostname, opts.resolver, opts.acceptAddress), signal);
  if (!vetted.ok) throw new Failed(vetted.failure);
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send({
      host: vetted.address,
      family: vetted.family,
      port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      // A fresh connection each time: nothing kept alive past the fetch, no socket shared between names.
      agent: false,
      headers: {
        host: url.host,
        'user-agent': USER_AGENT,
        accept: 'text/html,application/xhtml+xml;q=0.9',
        'accept-encoding': 'identity',
      },
      // The certificate is checked against the name, not the address connected to (no SNI for IP literals).
      ...(https && hostname !== vetted.address ? { servername: hostname } : {}),
      signal,
    });
    req.once('response', resolve);
    // `on`, not `once`: an error after the answer (the fetch cut short) must find a listener, not crash.
    req.on('error', reject);
    req.end();
  });
  try {
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      try {
        return { kind: 'redirect', location: new URL(location, url) };
      } catch {
        throw new Failed('bad_url');
      }
    }
    if (status < 200 || status > 299) throw new Failed('http_error');
    const [type, ...params] = (response.headers['content-type'] ?? '').split(';');
    if (!HTML_TYPES.has((type ?? '').trim().toLowerCase())) throw new Failed('not_html');
    const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    // Asked for identity: a compressed answer is not decoded (its size would be unbounded by the cap).
    if (encoding !== 'identity') throw new Failed('not_html');
    const body = await readCapped(response, opts.limits.maxBytes);
    return { kind: 'page', html: decode(body, charsetOf(params)) };
  } finally {
    response.destroy();
  }
}

/** The body up to `max` bytes: at the cap reading stops and what came is kept (the rest is never read). */
function readCapped(response: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      response.off('data', onData);
      response.destroy();
      resolve(Buffer.concat(chunks, Math.min(size, max)));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= max) done();
    };
    response.on('data', onData);
    response.once('end', done);
    response.on('error', reject);
    // Cut off before its end (the fetch's time ran out, the peer went away): nothing is kept.
    response.once('close', () => reject(new Error('closed')));
  });
}

function charsetOf(params: string[]): string {
  for (const param of params) {
    const [key, value] = param.split('=');
    if (key?.trim().toLowerCase() === 'charset' && value) return value.trim().replace(/^"|"$/g, '');
  }
  return 'utf-8';
}

function decode(body: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/** The work, or a rejection as soon as the fetch's time is up (a DNS look-up cannot itself be cancelled). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
