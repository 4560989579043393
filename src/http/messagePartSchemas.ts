/** What a message carries beside its text, as the HTTP API shows it: files and the first link's preview. */
import { z } from 'zod';
import { named } from './docRegistry.js';

export const linkPreviewSchema = named(
  z.strictObject({
    url: z.string().describe('The link, as the message has it (normalised)'),
    title: z.string().optional().describe('At most 200 characters'),
    description: z.string().optional().describe('At most 500 characters'),
    siteName: z.string().optional().describe('At most 100 characters'),
    imageUrl: z
      .string()
      .optional()
      .describe("The page's image, an absolute http(s) URL: reported, never fetched by the server"),
  }),
  'LinkPreview',
  'What the server found at the first link of a message',
);

/** A file a message carries (docs/attachments.md); its URLs are signed and expire. */
export const attachmentSchema = named(
  z.strictObject({
    id: z.string().describe('The upload id (32 hex digits), what `send` names'),
    name: z.string().describe('The file name as uploaded, cleaned'),
    size: z.number().int().min(1).describe('Bytes as stored (an image as re-encoded)'),
    type: z.string().describe('The media type found in the content'),
    width: z.number().int().optional().describe('Images: pixels'),
    height: z.number().int().optional().describe('Images: pixels'),
    url: z
      .string()
      .describe('Relative to the server: `/api/v1/files/<id>/file?exp=…&sig=…`, good for about an hour'),
    thumbnailUrl: z.string().optional().describe('Images: at most 320 px either way, signed as `url` is'),
  }),
  'Attachment',
);
