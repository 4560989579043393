/**
 * Where the bytes of uploaded files are kept (docs/attachments.md): the data directory (files/diskFileStore.ts)
 * or S3-compatible object storage (files/s3FileStore.ts). Keys are the engine's own (`<id>`, `<id>.thumb`):
 * never a client's name, so that no key reaches outside the store.
 */
export interface FileStore {
  /** Writes the whole file under the key, replacing what was there. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The file's bytes; null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the files; a key with no file is not an error. */
  delete(keys: readonly string[]): Promise<void>;
}
