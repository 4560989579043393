/**
 * Files a message carries (docs/attachments.md): the app's limits, which media types it takes, and the rules
 * that do not need I/O. The type of an upload is what its bytes are (engine/attachments.ts sniffs them), never
 * its name nor what the client said.
 */
import { ParleyError } from './errors.js';

export interface AttachmentSettings {
  /** Whether users may upload files at all. */
  enabled: boolean;
  /** The largest upload in bytes (at most ATTACHMENT_BYTES_CAP). */
  maxBytes: number;
  /** Media types (`application/pdf`) or prefixes ending in `/` (`image/`) an upload's content may be. */
  types: string[];
  /** The most files one message carries (at most ATTACHMENTS_PER_MESSAGE_CAP). */
  maxPerMessage: number;
}

/** The hard caps of the app setting: no app may take larger files or more of them per message. */
export const ATTACHMENT_BYTES_CAP = 50 * 1024 * 1024;
export const ATTACHMENTS_PER_MESSAGE_CAP = 10;
export const ATTACHMENT_TYPES_MAX = 50;
/** An upload not sent in a message within this time is removed by the sweep. */
export const UNATTACHED_TTL_MS = 60 * 60 * 1000;
/** Uploads one user may hold unsent in an app at once (each bounded by maxBytes): past it, `rate_limited`. */
export const UNATTACHED_PER_USER_MAX = 20;
/** How long a signed file URL is good for. */
export const FILE_URL_TTL_MS = 60 * 60 * 1000;
/** A file name as stored and shown: control characters and path separators dropped, at most this long. */
export const ATTACHMENT_NAME_MAX = 200;
/** Images larger than this many pixels are refused before they are decoded (decompression bombs). */
export const IMAGE_PIXELS_MAX = 40_000_000;
export const THUMBNAIL_PX = 320;

/** Raster images Parley re-encodes and shows inline; anything else (SVG included) is a download. */
export const RASTER_IMAGE_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

export const DEFAULT_ATTACHMENTS: AttachmentSettings = {
  enabled: true,
  maxBytes: 10 * 1024 * 1024,
  types: [...RASTER_IMAGE_TYPES, 'application/pdf', 'text/plain', 'application/zip'],
  maxPerMessage: ATTACHMENTS_PER_MESSAGE_CAP,
};

export function typeAllowed(type: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => (entry.endsWith('/') ? type.startsWith(entry) : type === entry));
}

/** The name kept for a file: no directories, no control or bidi characters, bounded; never empty. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069"]/g, '').trim();
  const bounded = [...cleaned].slice(0, ATTACHMENT_NAME_MAX).join('');
  return bounded.length > 0 && bounded !== '.' && bounded !== '..' ? bounded : 'file';
}

/** Text is text/plain only when it is valid UTF-8 without NUL (no binary format was recognised first). */
export function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export const attachmentsOff = () =>
  new ParleyError('attachments_disabled', 'This app does not take attachments');
export const attachmentTooLarge = (maxBytes: number) =>
  new ParleyError('attachment_too_large', `Files may be at most ${maxBytes} bytes`, { maxBytes });
export const attachmentType = (type: string, reason?: string) =>
  new ParleyError('attachment_type', reason ?? `Files of type ${type} are not accepted here`, { type });
export const attachmentEmpty = () =>
  new ParleyError('attachment_type', 'The file is empty', { type: 'empty' });
export const attachmentNotFound = (id: string) =>
  new ParleyError('attachment_not_found', 'No such upload of yours for this room, or it was already sent', {
    id,
  });
export const tooManyAttachments = (max: number) =>
  new ParleyError('bad_request', `A message carries at most ${max} files`, { field: 'attachments', max });
