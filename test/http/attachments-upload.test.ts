/**
 * Uploads over HTTP against a real server (docs/attachments.md): the type read from the content, images
 * re-encoded, the limits, and a set of pathological files, each with one clear outcome; files served by
 * signed URLs with headers that never let them run as the site.
 */
import { createHmac } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ATTACHMENTS } from '../../src/core/attachments.js';
import { api, NO_FLOOD, patchApp, register } from '../native/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { gifJsPolyglot, jpegWithExif, png, pngClaiming, upload, zipOfZeros } from '../helpers/uploads.js';

describe('attachments: uploads', () => {
  let srv: TestServer;
  let ann: string;
  let bob: string;

  beforeAll(async () => {
    srv = await startTestServer();
    await patchApp(srv, NO_FLOOD);
    ann = await register(srv, 'ann');
    bob = await register(srv, 'bob');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: 'secret', visibility: 'private' });
    await api(srv, 'POST', '/api/v1/apps/1/rooms/secret/members', { username: 'ann' });
  });
  afterEach(() => patchApp(srv, { attachments: DEFAULT_ATTACHMENTS }));
  afterAll(() => srv?.close());

  const fetchFile = (url: string) => fetch(`${srv.url}${url}`);

  it('takes an image: re-encoded without its EXIF, dimensions recorded, a thumbnail, served inline', async () => {
    const photo = await jpegWithExif(640, 480);
    expect(photo.includes(Buffer.from('exif-secret-owner'))).toBe(true);
    const { status, body } = await upload(srv, ann, 'lobby', 'holiday.jpg', photo, 'image/jpeg');
    expect(status).toBe(201);
    const file = body.attachment!;
    expect(file).toMatchObject({ name: 'holiday.jpg', type: 'image/jpeg', width: 640, height: 480 });
    expect(file.id).toMatch(/^[0-9a-f]{32}$/);
    const res = await fetchFile(file.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="holiday.jpg"/);
    const stored = Buffer.from(await res.arrayBuffer());
    expect(stored.includes(Buffer.from('exif-secret-owner'))).toBe(false);
    expect((await sharp(stored).metadata()).exif).toBeUndefined();
    const thumb = await fetchFile(file.thumbnailUrl!);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(320);
  });

  it('reads the type from the content, never from the name or the client', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const { status, body } = await upload(srv, ann, 'lobby', 'cat.png', pdf, 'image/png');
    expect(status).toBe(201);
    expect(body.attachment).toMatchObject({ name: 'cat.png', type: 'application/pdf' });
    expect(body.attachment?.thumbnailUrl).toBeUndefined();
    const res = await fetchFile(body.attachment!.url);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="cat.png"/);
  });

  it('an HTML file named .png is text, downloaded as text; refused where text is not allowed', async () => {
    const html = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>');
    const taken = await upload(srv, ann, 'lobby', 'innocent.png', html, 'image/png');
    expect(taken.body.attachment).toMatchObject({ type: 'text/plain' });
    const res = await fetchFile(taken.body.attachment!.url);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");

    await patchApp(srv, { attachments: { ...DEFAULT_ATTACHMENTS, types: ['image/'] } });
    const refused = await upload(srv, ann, 'lobby', 'innocent.png', html, 'image/png');
    expect(refused).toMatchObject({ status: 415, body: { error: { code: 'attachment_type' } } });
  });

  it('an SVG with a script is never an image: a text download, or refused where only images are', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="5"/></svg>',
    );
    const taken = await upload(srv, ann, 'lobby', 'logo.svg', svg, 'image/svg+xml');
    expect(taken.status).toBe(201);
    expect(taken.body.attachment?.type).not.toBe('image/svg+xml');
    const res = await fetchFile(taken.body.attachment!.url);
    expect(res.headers.get('content-type')).not.toMatch(/svg|html|xml/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    await patchApp(srv, { attachments: { ...DEFAULT_ATTACHMENTS, types: ['image/'] } });
    expect((await upload(srv, ann, 'lobby', 'logo.svg', svg)).status).toBe(415);
  });

  it('a JPEG with HTML and script appended keeps only the image', async () => {
    const polyglot = Buffer.concat([
      await jpegWithExif(),
      Buffer.from('<html><script>alert("appended-payload")</script></html>'),
    ]);
    const { body } = await upload(srv, ann, 'lobby', 'poly.jpg', polyglot);
    expect(body.attachment?.type).toBe('image/jpeg');
    const stored = Buffer.from(await (await fetchFile(body.attachment!.url)).arrayBuffer());
    expect(stored.includes(Buffer.from('appended-payload'))).toBe(false);
  });

  it('a GIF that is also JavaScript is re-encoded without its script, or refused as unreadable', async () => {
    const { status, body } = await upload(srv, ann, 'lobby', 'poly.gif', await gifJsPolyglot());
    if (status === 201) {
      expect(body.attachment?.type).toBe('image/gif');
      const stored = Buffer.from(await (await fetchFile(body.attachment!.url)).arrayBuffer());
      expect(stored.includes(Buffer.from('polyglot-script'))).toBe(false);
      expect(stored.subarray(6, 8).toString('latin1')).not.toBe('/*');
    } else {
      expect(body.error?.code).toBe('attachment_type');
    }
  });

  it('a decompression bomb is refused before it is decoded', async () => {
    const bomb = await pngClaiming(60_000, 60_000);
    const { status, body } = await upload(srv, ann, 'lobby', 'bomb.png', bomb);
    expect(status).toBe(415);
    expect(body.error).toMatchObject({ code: 'attachment_type' });
    expect(body.error?.message).toMatch(/pixels/);
  });

  it('a zip bomb is an opaque file: stored as sent, never unpacked, served as a download', async () => {
    const bomb = zipOfZeros(40 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(100_000);
    const { body } = await upload(srv, ann, 'lobby', 'bomb.zip', bomb);
    expect(body.attachment).toMatchObject({ type: 'application/zip', size: bomb.length });
    const res = await fetchFile(body.attachment!.url);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(Buffer.from(await res.arrayBuffer()).equals(bomb)).toBe(true);
  });

  it('over the limit: 413, the stream cut at the limit', async () => {
    await patchApp(srv, { attachments: { ...DEFAULT_ATTACHMENTS, maxBytes: 2000 } });
    const big = Buffer.alloc(200_000, 'a');
    const { status, body } = await upload(srv, ann, 'lobby', 'big.txt', big);
    expect(status).toBe(413);
    expect(body.error).toMatchObject({ code: 'attachment_too_large', details: { maxBytes: 2000 } });
    expect((await upload(srv, ann, 'lobby', 'small.txt', Buffer.alloc(2000, 'a'))).status).toBe(201);
  });

  it('zero bytes, no file, no token, a stranger to a private room, attachments off: each refused', async () => {
    expect((await upload(srv, ann, 'lobby', 'empty.txt', new Uint8Array())).body.error).toMatchObject({
      code: 'attachment_type',
      details: { type: 'empty' },
    });
    expect((await upload(srv, null, 'lobby', 'a.png', await png())).status).toBe(401);
    expect((await upload(srv, 'not-a-token', 'lobby', 'a.png', await png())).status).toBe(401);
    const stranger = await upload(srv, bob, 'secret', 'a.png', await png());
    expect(stranger).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await upload(srv, ann, 'secret', 'a.png', await png())).status).toBe(201);
    const notMultipart = await fetch(`${srv.url}/api/v1/apps/1/rooms/lobby/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ann}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart.status).toBe(400);
    await patchApp(srv, { attachments: { ...DEFAULT_ATTACHMENTS, enabled: false } });
    expect((await upload(srv, ann, 'lobby', 'a.png', await png())).body.error?.code).toBe(
      'attachments_disabled',
    );
  });

  it('a tampered or expired signed URL is not found', async () => {
    const { body } = await upload(srv, ann, 'lobby', 'a.png', await png());
    const url = new URL(body.attachment!.url, srv.url);
    const sig = url.searchParams.get('sig')!;
    const tampered = new URL(url);
    tampered.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600));
    expect((await fetch(tampered)).status).toBe(404);
    const otherSig = new URL(url);
    otherSig.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    expect((await fetch(otherSig)).status).toBe(404);
    const thumbWithFileSig = new URL(url.href.replace('/file?', '/thumb?'));
    expect((await fetch(thumbWithFileSig)).status).toBe(404);
    // Rightly signed (the key derives from the admin key), but an hour ago.
    const key = createHmac('sha256', srv.adminKey).update('parley file urls').digest();
    const id = body.attachment!.id;
    const past = String(Math.floor(Date.now() / 1000) - 60);
    const pastSig = createHmac('sha256', key)
      .update(`${id}/file/${past}`)
      .digest()
      .subarray(0, 24)
      .toString('base64url');
    expect((await fetchFile(`/api/v1/files/${id}/file?exp=${past}&sig=${pastSig}`)).status).toBe(404);
    expect((await fetch(url)).status).toBe(200);
  });
});
