/**
 * The web side, served from the built assets in `dist/web` (`npm run build:web`): the embeddable chat widget
 * (`/widget.js`), the demo page (`/`) and the admin console (`/admin`), with their hashed assets under
 * `/assets/`. Not part of the HTTP API: these routes are not in the OpenAPI document.
 *
 * Caching: hashed assets are immutable; HTML, widget.js (whose URL sites embed) and source maps are revalidated
 * on every use (`no-cache` with an ETag). Text assets go out in brotli or gzip, compressed once per build
 * (precompressed.ts). When the assets were not built every route answers 503 saying so.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ParleyError } from '../../core/errors.js';
import { compressAsset, pickEncoding, type Compressed } from '../precompressed.js';

/** `dist/web` of this checkout, from src/http/routes (tsx) and from dist/http/routes (built) alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** The admin console handles the admin key: no framing, no inline scripts, no other origins. */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Every path these routes serve (fastify syntax); the OpenAPI test leaves them out. */
export const WEB_ROUTES = [
  '/',
  '/admin',
  '/admin/',
  '/widget.js',
  '/widget.js.map',
  '/assets/:file',
] as const;

export function isWebRoute(url: string): boolean {
  return (WEB_ROUTES as readonly string[]).includes(url);
}

const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface Asset {
  body: Buffer;
  /** Brotli and gzip variants, made when the asset is read (precompressed.ts); null when not worth it. */
  compressed: Compressed | null;
  etag: string;
  mtimeMs: number;
  size: number;
}

export interface WebRoutesOptions {
  /** The directory with the built assets (default: dist/web of this checkout). */
  root?: string;
}

export function registerWebRoutes(app: FastifyInstance, opts: WebRoutesOptions = {}): void {
  const root = opts.root ?? DEFAULT_WEB_ROOT;
  const cache = new Map<string, Asset>();

  /** The file, re-read only when it changed on disk (a rebuild while the server runs); null when missing. */
  const load = async (relative: string): Promise<Asset | null> => {
    const file = join(root, relative);
    let info;
    try {
      info = await stat(file);
    } catch {
      return null;
    }
    if (!info.isFile()) return null;
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    const body = await readFile(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const type = CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream';
    const asset = {
      body,
      compressed: compressAsset(body, type),
      etag,
      mtimeMs: info.mtimeMs,
      size: info.size,
    };
    cache.set(file, asset);
    return asset;
  };

  const notBuilt = async (): Promise<ParleyError> => {
    const widget = await load('widget.js');
    return widget
      ? new ParleyError('not_found')
      : new ParleyError(
          'unavailable',
          'The web assets are not built: run `npm run build` (or `npm run build:web`) and reload',
        );
  };

  const serve = async (
    request: FastifyRequest,
    reply: FastifyReply,
    relative: string,
    headers: Record<string, string>,
  ): Promise<FastifyReply> => {
    const asset = await load(relative);
    if (!asset) throw await notBuilt();
    const type = CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream';
    const encoding = asset.compressed ? pickEncoding(request.headers['accept-encoding']) : null;
    // Each encoding is its own representation, with its own validator.
    const etag = encoding ? `${asset.etag.slice(0, -1)}-${encoding}"` : asset.etag;
    reply.headers({
      'content-type': type,
      'x-content-type-options': 'nosniff',
      etag,
      ...(asset.compressed ? { vary: 'accept-encoding' } : {}),
      ...headers,
    });
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    if (!encoding || !asset.compressed) return reply.code(200).send(asset.body);
    return reply.code(200).header('content-encoding', encoding).send(asset.compressed[encoding]);
  };

  const page =
    (relative: string, extra: Record<string, string> = {}) =>
    async (request: FastifyRequest, reply: FastifyReply) =>
      serve(request, reply, relative, { 'cache-control': REVALIDATE, ...extra });

  const adminHeaders = {
    'content-security-policy': ADMIN_CSP,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };

  app.get('/', page('demo/index.html'));
  app.get('/admin', page('admin/index.html', adminHeaders));
  // The console's asset URLs are relative to Parley's root (`assets/…`): `/admin/` would put them under /admin/.
  // A relative Location, so that it holds under library mode's prefix too (`/chat/admin/` → `/chat/admin`).
  app.get('/admin/', async (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.code(308).header('location', `../admin${query}`).send();
  });
  app.get('/widget.js', page('widget.js'));
  app.get('/widget.js.map', page('widget.js.map'));
  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const { file } = request.params;
    if (!ASSET_NAME.test(file)) throw new ParleyError('not_found');
    return serve(request, reply, join('assets', file), { 'cache-control': IMMUTABLE });
  });
}
