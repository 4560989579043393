import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { bearerToken } from '../adminAuth.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { attachmentSchema } from '../schemas.js';
import { roomParams } from './rooms.js';

const fileParams = z.strictObject({
  id: z.string().max(64),
  variant: z.enum(['file', 'thumb']),
});
const fileQuery = z.strictObject({ exp: z.string().max(16), sig: z.string().max(64) });

/** Every served file: never run as the site, whatever it holds (docs/attachments.md, "Serving"). */
const FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'private, max-age=3600',
};

/** `attachment; filename="…"; filename*=UTF-8''…`: the quoted name ASCII only, the full one encoded. */
export function contentDisposition(inline: boolean, name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

interface MultipartFile {
  filename: string;
  toBuffer(): Promise<Buffer>;
}

interface MultipartRequest {
  file(options: {
    limits: { fileSize: number; files: number; fields: number; parts: number };
  }): Promise<MultipartFile | undefined>;
}

/** The multipart plugin's refusals as catalogue errors. */
function uploadRefusal(err: unknown, maxBytes: number): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new ParleyError('attachment_too_large', `Files may be at most ${maxBytes} bytes`, { maxBytes });
  }
  if (
    code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' ||
    code === 'FST_FILES_LIMIT' ||
    code === 'FST_PARTS_LIMIT'
  ) {
    return new ParleyError('bad_request', 'Send one file as multipart/form-data (field "file")', {
      field: 'file',
    });
  }
  return err;
}

/** Uploads by users and the files messages carry (docs/attachments.md). */
export function attachmentRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps/:app/rooms/:room/attachments',
      operationId: 'uploadAttachment',
      tag: 'messages',
      summary: 'Upload a file to send in a message of the room',
      description:
        "A user's call, not the operator's: `Authorization: Bearer <the user's access token or site JWT>`, the " +
        'body multipart/form-data with one file part. The type is read from the content; images are ' +
        're-encoded without their metadata. The upload is sent with `send` `attachments: [id]` within the hour.',
      auth: 'public',
      params: roomParams,
      responses: {
        201: { description: 'The upload', schema: z.strictObject({ attachment: attachmentSchema }) },
      },
      errors: [
        'unauthorized',
        'forbidden',
        'not_found',
        'attachments_disabled',
        'attachment_too_large',
        'attachment_type',
        'rate_limited',
      ],
      handler: async ({ params, request }) => {
        const token = bearerToken(request.headers.authorization);
        if (token === null) throw new ParleyError('unauthorized', "Send the user's token as a Bearer token");
        const maxBytes = await engine.attachments.uploadLimit(params.app);
        let file: MultipartFile | undefined;
        let bytes: Buffer;
        try {
          // One file part, no other fields; the stream is cut at the limit, never read whole past it.
          file = await (request as unknown as MultipartRequest).file({
            limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1 },
          });
          if (!file) throw new ParleyError('bad_request', 'No file in the request', { field: 'file' });
          bytes = await file.toBuffer();
        } catch (err) {
          throw uploadRefusal(err, maxBytes);
        }
        const attachment = await engine.attachments.upload({
          appId: params.app,
          token,
          room: params.room,
          name: file.filename,
          bytes,
        });
        return { status: 201, body: { attachment } };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/files/:id/:variant',
      operationId: 'getFile',
      tag: 'messages',
      summary: 'A file of a message, or its thumbnail, by its signed URL',
      description:
        'The URL comes from a message (`attachments[].url`, `thumbnailUrl`) and expires within about an hour; ' +
        'read the message again for a fresh one. Served with nosniff, a sandboxing CSP, and as a download ' +
        'unless it is a re-encoded image.',
      auth: 'public',
      params: fileParams,
      query: fileQuery,
      responses: { 200: { description: "The file's bytes", contentType: 'application/octet-stream' } },
      errors: ['not_found'],
      handler: async ({ params, query }) => {
        const file = await engine.attachments.open(params.id, params.variant, query.exp, query.sig);
        return {
          status: 200,
          body: file.stream,
          contentType: file.type,
          headers: {
            ...FILE_HEADERS,
            'Content-Length': String(file.size),
            'Content-Disposition': contentDisposition(file.inline, file.name),
          },
        };
      },
    }),
  ];
}
