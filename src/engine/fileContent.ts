import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import {
  IMAGE_PIXELS_MAX,
  RASTER_IMAGE_TYPES,
  THUMBNAIL_PX,
  attachmentType,
  isPlainText,
} from '../core/attachments.js';

/** What an upload's bytes are, and for an image what is kept of it. */
export interface InspectedFile {
  /** Found in the content; `application/octet-stream` when nothing was recognised and it is not text. */
  type: string;
  /** What is stored: sharp's re-encoding for an image (no metadata, nothing after the image), else the upload. */
  bytes: Buffer;
  width?: number;
  height?: number;
  thumbnail?: { bytes: Buffer; type: string };
}

/** The media type of the bytes: the magic numbers first; text only when no format matched and it is UTF-8. */
export async function sniffType(bytes: Buffer): Promise<string> {
  const found = await fileTypeFromBuffer(bytes);
  if (found) return found.mime;
  return isPlainText(bytes) ? 'text/plain' : 'application/octet-stream';
}

const FORMAT: Record<string, 'jpeg' | 'png' | 'webp' | 'gif'> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

function refusedImage(err: unknown): Error {
  const text = err instanceof Error ? err.message : '';
  if (/pixel limit/i.test(text)) {
    return attachmentType('image', `Images may have at most ${IMAGE_PIXELS_MAX} pixels`);
  }
  return attachmentType('image', 'The image could not be read');
}

/**
 * An image decoded and written again by sharp: what is stored is what sharp wrote, so EXIF and GPS, comments
 * and whatever was appended after the image (a polyglot's script) are gone. The pixel limit is checked from the
 * header, before decoding, so that a decompression bomb costs nothing.
 */
async function reencode(bytes: Buffer, type: string): Promise<InspectedFile> {
  const format = FORMAT[type] ?? 'png';
  const animated = format === 'gif' || format === 'webp';
  const open = () => sharp(bytes, { limitInputPixels: IMAGE_PIXELS_MAX, animated, failOn: 'error' });
  try {
    const meta = await open().metadata();
    const pages = meta.pages ?? 1;
    // Orientation applied once here; the stored image has no EXIF left to rotate it by.
    const upright = pages > 1 ? open() : open().rotate();
    const { data, info } = await upright.toFormat(format).toBuffer({ resolveWithObject: true });
    const thumbType = format === 'jpeg' ? 'image/jpeg' : 'image/png';
    const thumb = await sharp(data, { limitInputPixels: IMAGE_PIXELS_MAX })
      .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true })
      .toFormat(format === 'jpeg' ? 'jpeg' : 'png')
      .toBuffer();
    const height = pages > 1 ? (info.pageHeight ?? info.height / pages) : info.height;
    return {
      type,
      bytes: data,
      width: info.width,
      height,
      thumbnail: { bytes: thumb, type: thumbType },
    };
  } catch (err) {
    throw refusedImage(err);
  }
}

export async function inspectFile(bytes: Buffer, type: string): Promise<InspectedFile> {
  if (RASTER_IMAGE_TYPES.includes(type)) return reencode(bytes, type);
  return { type, bytes };
}
