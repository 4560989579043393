import type { Readable } from 'node:stream';

/** A stored file being read: its size in bytes and its content. */
export interface StoredFile {
  size: number;
  stream: Readable;
}

/**
 * Where the bytes of uploaded files are kept (docs/attachments.md): the data directory (files/diskFileStore.ts)
 * or S3-compatible object storage (files/s3FileStore.ts). Keys are the engine's own (`<id>`, `<id>.thumb`):
 * never a client's name, so that no key reaches outside the store.
 */
export interface FileStore {
  /** Writes the whole file under the key, replacing what was there. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /**
   * The file's bytes as a stream, with its size; null when there is none. A stream, so that serving a large
   * file holds a chunk of it in memory at a time rather than the whole file.
   */
  read(key: string): Promise<StoredFile | null>;
  /** Removes the files; a key with no file is not an error. */
  delete(keys: readonly string[]): Promise<void>;
}
