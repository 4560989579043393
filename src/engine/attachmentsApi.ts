import type { Readable } from 'node:stream';
import type { AppId } from '../core/types.js';
import type { Attachment } from '../core/types.js';

export interface UploadInput {
  appId: AppId;
  /** The user's access token (or a site JWT), as the native `auth` takes it. */
  token: string;
  room: string;
  /** The file's name as the client gave it (kept cleaned, shown, never used as a path or a type). */
  name: string;
  bytes: Buffer;
}

/** A stored file, as the HTTP API serves it (docs/attachments.md, "Serving"). */
export interface ServedFile {
  /** The content, read as it is sent (not held whole in memory). */
  stream: Readable;
  size: number;
  type: string;
  name: string;
  /** Shown in the page (a re-encoded raster image) rather than downloaded. */
  inline: boolean;
}

/** Uploads and signed file URLs (engine/attachments.ts), for the HTTP API. */
export interface EngineAttachments {
  /** The largest upload the app takes, for the HTTP API to stop reading at; `attachments_disabled` when off. */
  uploadLimit(appId: AppId): Promise<number>;
  /** A file for the room, not yet in a message; the user must be allowed to write there. */
  upload(input: UploadInput): Promise<Attachment>;
  /** The file a signed URL names; `not_found` for a bad or expired signature or a file that is gone. */
  open(id: string, variant: string, expires: string, signature: string): Promise<ServedFile>;
}
