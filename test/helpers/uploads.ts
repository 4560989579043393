import { crc32, deflateRawSync } from 'node:zlib';
import sharp from 'sharp';
import type { TestServer } from './server.js';

export interface UploadAnswer {
  status: number;
  body: {
    attachment?: {
      id: string;
      name: string;
      size: number;
      type: string;
      width?: number;
      height?: number;
      url: string;
      thumbnailUrl?: string;
    };
    error?: { code: string; message: string; details?: Record<string, unknown> };
  };
}

/** A multipart upload as a browser sends it; `type` is what the client claims (the server ignores it). */
export async function upload(
  srv: Pick<TestServer, 'url'>,
  token: string | null,
  room: string,
  name: string,
  bytes: Uint8Array,
  type = 'application/octet-stream',
  app = 1,
): Promise<UploadAnswer> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const res = await fetch(`${srv.url}/api/v1/apps/${app}/rooms/${encodeURIComponent(room)}/attachments`, {
    method: 'POST',
    headers,
    body: form,
  });
  return { status: res.status, body: (await res.json()) as UploadAnswer['body'] };
}

/** A real photo-like JPEG carrying EXIF (a copyright and a GPS-like comment) that must not survive. */
export function jpegWithExif(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'exif-secret-owner', ImageDescription: 'GPS 48.8584 2.2945' } })
    .toBuffer();
}

export function png(width = 40, height = 30): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 120, b: 255, alpha: 1 } } })
    .png()
    .toBuffer();
}

export function gif(width = 16, height = 16): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 10 } } })
    .gif()
    .toBuffer();
}

/** A PNG whose header claims `width` × `height` pixels (CRC fixed), with a tiny body: a decompression bomb. */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const bytes = Buffer.from(await png(8, 8));
  // IHDR: length(4) type(4) at offset 8; width and height at 16 and 20; its CRC after the 13 data bytes.
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}

/**
 * A GIF that is also JavaScript: the logical width's bytes are `/*`, so the file reads as `GIF89a/*…*\/=…`,
 * with the script after the image.
 */
export async function gifJsPolyglot(): Promise<Buffer> {
  const bytes = Buffer.from(await gif());
  bytes.write('/*', 6, 'latin1');
  return Buffer.concat([bytes, Buffer.from('*/=alert("polyglot-script");', 'latin1')]);
}

/** A zip of one entry of `size` zero bytes, deflated (a few kilobytes for megabytes): a zip bomb's shape. */
export function zipOfZeros(size: number, entry = 'zeros.bin'): Buffer {
  const data = Buffer.alloc(size);
  const packed = deflateRawSync(data, { level: 9 });
  const name = Buffer.from(entry);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const centralOffset = local.length + name.length + packed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, name, packed, central, name, end]);
}
