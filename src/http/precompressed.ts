/**
 * The web assets compressed once, when first served after a build (brotli at its best quality, gzip at level
 * 9), not per request: an asset is the same bytes for every visitor until the next build. Which encoding a
 * request gets follows its Accept-Encoding (brotli first).
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type AssetEncoding = 'br' | 'gzip';

export interface Compressed {
  br: Buffer;
  gzip: Buffer;
}

/** Below this, compressing saves less than the headers cost. */
const MIN_BYTES = 1024;

/** The variants of a compressible asset (text, scripts, source maps); null for small or already packed ones. */
export function compressAsset(body: Buffer, contentType: string): Compressed | null {
  const textual = /^(text\/|application\/json|image\/svg\+xml)/.test(contentType);
  if (!textual || body.length < MIN_BYTES) return null;
  return {
    br: brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gzip: gzipSync(body, { level: 9 }),
  };
}

/** The encoding to answer with: brotli, else gzip, where the request accepts it (q=0 refuses). */
export function pickEncoding(acceptEncoding: string | string[] | undefined): AssetEncoding | null {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q !== undefined && Number(q.slice(2)) === 0)) accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}
